from django.contrib import admin

from .models import DepartmentClerk


@admin.register(DepartmentClerk)
class DepartmentClerkAdmin(admin.ModelAdmin):
    list_display = ["user", "department"]
    search_fields = ["user__username", "department__name"]
    autocomplete_fields = ["department"]
