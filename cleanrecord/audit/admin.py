from django.contrib import admin

from cleanrecord.lib.admin import ReadOnlyAdmin

from .models import AuditEntry
from .services import record_event


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Nobody edits or deletes the trail through the application."""

    list_display = ["at", "actor", "action", "target"]
    list_filter = ["action"]
    search_fields = ["actor", "action", "target"]


class AuditedAdmin(admin.ModelAdmin):
    """Bindings and reference data decide who may do what: every change through the admin is audited."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_event(user=request.user, action=f"{obj._meta.app_label}.{obj._meta.model_name}_{'change' if change else 'add'}",
                     target=f"{obj._meta.model_name}:{obj.pk}", after={"what": str(obj)})

    def delete_model(self, request, obj):
        record_event(user=request.user, action=f"{obj._meta.app_label}.{obj._meta.model_name}_delete",
                     target=f"{obj._meta.model_name}:{obj.pk}", before={"what": str(obj)})
        super().delete_model(request, obj)
