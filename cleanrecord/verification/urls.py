from django.urls import path

from cleanrecord.reports import views as reports

from . import views

urlpatterns = [
    path("verify", views.verify_form, name="verify-form"),
    path("verify/", views.verify_form),
    path("verify/file", views.verify_file, name="verify-file"),
    path("verify/<str:code>", views.verify, name="verify"),
    # The report's page and PDF are reached by the same code: they share its guessing budget.
    path("reports/<str:code>/", views.guessable(reports.report_detail), name="report-detail"),
    path("reports/<str:code>/pdf", views.guessable(reports.report_pdf), name="report-pdf"),
]
