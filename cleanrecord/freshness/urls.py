from django.urls import path

from . import views

urlpatterns = [
    path("department/nothing-new/", views.nothing_new, name="freshness-nothing-new"),
    path("office/quality/sources/", views.sources, name="freshness-sources"),
]
