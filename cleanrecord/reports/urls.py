from django.urls import path

from . import views

urlpatterns = [
    path("entities/<str:code>/report/", views.new_report, name="report-new"),
    path("reports/<str:code>/", views.report_detail, name="report-detail"),
    path("reports/<str:code>/pdf", views.report_pdf, name="report-pdf"),
    path("trust/root.pem", views.root_certificate, name="trust-root"),
]
