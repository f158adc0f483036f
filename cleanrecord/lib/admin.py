from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that shows and searches but never adds, edits or deletes: changes go through services."""

    show_full_result_count = False  # COUNT(*) over millions of rows on every page is not worth it

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Bindings and reference data decide who may do what: every change through the admin is audited."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from cleanrecord.audit.services import record_event

        record_event(user=request.user, action=f"{obj._meta.app_label}.{obj._meta.model_name}_{'change' if change else 'add'}",
                     target=f"{obj._meta.model_name}:{obj.pk}", after={"what": str(obj)})

    def delete_model(self, request, obj):
        from cleanrecord.audit.services import record_event

        record_event(user=request.user, action=f"{obj._meta.app_label}.{obj._meta.model_name}_delete",
                     target=f"{obj._meta.model_name}:{obj.pk}", before={"what": str(obj)})
        super().delete_model(request, obj)
