from django.urls import path

from . import views

urlpatterns = [
    path("office/jobs/", views.jobs_page, name="office-jobs"),
    path("office/jobs/<str:name>/run", views.run_job_now, name="office-job-run"),
]
