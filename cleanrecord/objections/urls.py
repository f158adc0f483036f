from django.urls import path

from . import views

urlpatterns = [
    path("my/objections/", views.my_objections, name="my-objections"),
    path("my/entities/<str:code>/records/", views.entity_records, name="entity-records"),
    path("my/entities/<str:code>/objections/new/<str:kind>/<int:record_id>/", views.new_objection,
         name="objection-new"),
    path("my/entities/<str:code>/explanations/new/<int:record_id>/", views.new_explanation, name="explanation-new"),
    path("objections/<int:pk>/", views.objection_detail, name="objection-detail"),
    path("objections/<int:pk>/evidence/<int:file_id>/", views.evidence, name="objection-evidence"),
    path("explanations/<int:pk>/", views.explanation_detail, name="explanation-detail"),
    path("office/objections/", views.office_objections, name="office-objections"),
    path("department/objections/", views.department_objections, name="department-objections"),
]
