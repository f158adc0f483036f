from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("entities/", views.entity_search, name="entity-search"),
    path("entities/<str:code>/", views.entity_detail, name="entity-detail"),
    path("imports/", views.imports, name="imports"),
    path("imports/confirm", views.import_confirm, name="import-confirm"),
    path("imports/profiles/", views.import_profiles, name="import-profiles"),
    path("imports/profiles/new", views.import_profile_edit, name="import-profile-new"),
    path("imports/profiles/<int:profile_id>/", views.import_profile_edit, name="import-profile-edit"),
    path("imports/<int:batch_id>/", views.import_detail, name="import-detail"),
    path("imports/<int:batch_id>/errors.csv", views.import_errors, name="import-errors"),
    path("imports/<int:batch_id>/rejected.<str:file_format>", views.import_rejected, name="import-rejected"),
    path("department/records/", views.department_records, name="department-records"),
    path("department/records/<str:kind>/<int:record_id>/", views.department_record, name="department-record"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
