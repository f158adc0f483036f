from django.urls import path

from . import views

urlpatterns = [
    path("entities/<str:code>/report/", views.new_report, name="report-new"),
    # reports/<code>/ and reports/<code>/pdf are routed in verification/urls.py, behind the guessing budget.
    path("trust/root.pem", views.root_certificate, name="trust-root"),
]
