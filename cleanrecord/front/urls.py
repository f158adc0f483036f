from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("entities/", views.entity_search, name="entity-search"),
    path("entities/<str:code>/", views.entity_detail, name="entity-detail"),
]
