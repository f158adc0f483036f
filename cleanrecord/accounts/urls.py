from django.urls import path

from . import views

urlpatterns = [
    path("my/", views.portal, name="portal"),
    path("my/entities/<str:code>/grants", views.grant, name="grant"),
    path("my/entities/<str:code>/grants/<int:grant_id>/revoke", views.revoke_grant, name="grant-revoke"),
]
