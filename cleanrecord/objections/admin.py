from django.contrib import admin

from cleanrecord.lib.admin import ReadOnlyAdmin

from .models import ExplanationRequest, Objection, ObjectionEvent, SeverityExplanation


class EventInline(admin.TabularInline):
    model = ObjectionEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "actor_role", "action", "status", "note")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    """Read-only: objections move on their pages (objections.workflow), where each step is checked and audited."""

    list_display = ["id", "record_number", "department", "status", "opened_at", "due_on", "hard_due_on", "decision"]
    list_filter = ["status", "reason", "decision"]
    search_fields = ["subject_key", "record_number"]
    inlines = [EventInline]


@admin.register(ExplanationRequest)
class ExplanationRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "record_number", "department", "status", "requested_at", "due_on"]
    list_filter = ["status"]
    search_fields = ["subject_key", "record_number"]


@admin.register(SeverityExplanation)
class SeverityExplanationAdmin(ReadOnlyAdmin):
    list_display = ["id", "subject_key", "kind", "record_id", "category", "signer", "signed_on"]
    search_fields = ["subject_key"]
