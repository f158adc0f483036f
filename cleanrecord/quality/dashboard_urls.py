from django.urls import path

from . import dashboard

urlpatterns = [
    path("office/dashboard/", dashboard.dashboard, name="office-dashboard"),
    path("office/dashboard/data.json", dashboard.dashboard_data, name="office-dashboard-data"),
    path("office/dashboard/recompute", dashboard.recompute, name="office-dashboard-recompute"),
]
