from django.urls import path

from . import views

urlpatterns = [
    path("refusals/new/", views.new_refusal, name="refusal-new"),
    path("office/refusals/", views.office_refusals, name="office-refusals"),
    path("office/refusals/<int:pk>/", views.office_refusal, name="office-refusal"),
]
