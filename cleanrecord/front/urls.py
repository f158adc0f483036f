from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("entities/", views.entity_search, name="entity-search"),
    path("entities/<str:code>/", views.entity_detail, name="entity-detail"),
    path("help/", views.help_index, name="help"),
    path("help/entities/", views.help_page, {"topic": "entities"}, name="help-entities"),
    path("help/verifiers/", views.help_page, {"topic": "verifiers"}, name="help-verifiers"),
    path("help/clerks/", views.help_page, {"topic": "clerks"}, name="help-clerks"),
    path("help/policy/", views.help_page, {"topic": "policy"}, name="help-policy"),
]
