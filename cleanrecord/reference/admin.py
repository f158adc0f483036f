from django.contrib import admin

from cleanrecord.lib.admin import AuditedAdmin

from .models import Department, Domain, Region


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["code", "name", "parent"]


@admin.register(Domain)
class DomainAdmin(AuditedAdmin):
    list_display = ["order", "code", "name"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["name", "code", "credit_code", "region", "default_domain", "is_central_vertical", "is_court",
                    "may_send_for_others"]
    list_filter = ["region", "is_central_vertical", "is_court", "may_send_for_others"]
    search_fields = ["name", "code", "credit_code"]
