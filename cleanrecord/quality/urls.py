from django.urls import path

from . import dashboard, views

urlpatterns = [
    path("office/dashboard/", dashboard.dashboard, name="office-dashboard"),
    path("office/dashboard/data.json", dashboard.dashboard_data, name="office-dashboard-data"),
    path("office/dashboard/recompute", dashboard.recompute, name="office-dashboard-recompute"),
    path("office/quality/", views.supervision, name="quality-supervision"),
    path("office/quality/statistics/", views.statistics, name="quality-statistics"),
    path("office/quality/statistics.csv", views.statistics_csv, name="quality-statistics-csv"),
    path("office/quality/statistics.xlsx", views.statistics_xlsx, name="quality-statistics-xlsx"),
    path("office/quality/<slug:code>/scorecard.pdf", views.office_scorecard_pdf, name="quality-office-scorecard-pdf"),
    path("office/quality/<slug:code>/scorecard.xlsx", views.office_scorecard_xlsx,
         name="quality-office-scorecard-xlsx"),
    path("office/quality/<slug:code>/scorecard/send", views.office_scorecard_send, name="quality-office-scorecard-send"),
    path("office/quality/<slug:code>/rows/<slug:measure>/", views.office_rows, name="quality-office-rows"),
    path("department/quality/", views.own_quality, name="quality-own"),
    path("department/quality/<slug:code>/", views.department_scorecard, name="quality-department"),
    path("department/quality/<slug:code>/scorecard.pdf", views.department_scorecard_pdf,
         name="quality-department-scorecard-pdf"),
    path("department/quality/<slug:code>/scorecard.xlsx", views.department_scorecard_xlsx,
         name="quality-department-scorecard-xlsx"),
    path("department/quality/<slug:code>/rows/<slug:measure>/", views.department_rows,
         name="quality-department-rows"),
]
