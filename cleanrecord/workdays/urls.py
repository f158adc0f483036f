from django.urls import path

from . import views

urlpatterns = [
    path("office/calendar/", views.calendar, name="workdays-calendar"),
]
