from django.urls import path

from . import views

urlpatterns = [
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
]
