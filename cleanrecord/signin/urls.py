from django.urls import path

from . import views

urlpatterns = [
    path("accounts/oidc/start/", views.Start.as_view(), name="oidc-start"),
    path("accounts/oidc/callback/", views.Callback.as_view(), name="oidc-callback"),
    path("my/entities/<str:code>/staff/", views.staff, name="entity-staff"),
    path("my/entities/<str:code>/staff/<int:pk>/withdraw", views.withdraw, name="entity-staff-withdraw"),
]
