from django.urls import path

from . import views

urlpatterns = [
    path("matters/", views.catalogue, name="matters"),
    path("office/matters/", views.office_list, name="office-matters"),
    path("office/matters/new/", views.office_edit, name="office-matter-new"),
    path("office/matters/<int:pk>/", views.office_edit, name="office-matter-edit"),
]
