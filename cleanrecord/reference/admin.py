from django.contrib import admin

from cleanrecord.audit.admin import AuditedAdmin
from cleanrecord.audit.services import record_event

from .models import Department, Domain, Region, RegionPrefix


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["code", "name", "parent"]


@admin.register(RegionPrefix)
class RegionPrefixAdmin(admin.ModelAdmin):
    """Shown, not edited: the prefixes come from region_prefixes.csv, and a change there is a load_reference away."""

    list_display = ["prefix", "name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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

    def save_model(self, request, obj, form, change):
        # Who may send rows naming other authorities decides what reports print: the audit names the change.
        super().save_model(request, obj, form, change)
        if change and "may_send_for_others" in form.changed_data:
            record_event(user=request.user, action="reference.department_send_for_others", target=f"department:{obj.pk}",
                         before={"may_send_for_others": not obj.may_send_for_others},
                         after={"may_send_for_others": obj.may_send_for_others})
