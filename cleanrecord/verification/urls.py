from django.urls import path

from . import views

urlpatterns = [
    path("verify", views.verify_form, name="verify-form"),
    path("verify/", views.verify_form),
    path("verify/file", views.verify_file, name="verify-file"),
    path("verify/<str:code>", views.verify, name="verify"),
]
