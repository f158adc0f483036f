from django.contrib import admin

from cleanrecord.lib.admin import ReadOnlyAdmin

from .models import CalendarDay, CalendarYear


@admin.register(CalendarYear)
class CalendarYearAdmin(ReadOnlyAdmin):
    list_display = ["year", "source", "note", "loaded_at"]


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    """Read-only: a year is entered as a whole on the office's calendar page or with load_calendar."""

    list_display = ["day", "name", "working"]
    list_filter = ["working", "name"]
    date_hierarchy = "day"
