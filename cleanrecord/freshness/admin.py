from django.contrib import admin

from cleanrecord.audit.admin import AuditedAdmin
from cleanrecord.lib.admin import ReadOnlyAdmin

from .models import Feed, NothingNew, SourceStatus


@admin.register(Feed)
class FeedAdmin(AuditedAdmin):
    """Which departments feed a domain besides their default domain; the office adds one or switches it off.

    A department always feeds its default domain (reference data) unless a row here with 计入 unticked says not."""

    list_display = ["domain", "department", "origin", "counts", "last_records_on", "note"]
    list_filter = ["origin", "counts", "domain"]
    list_editable = ["counts"]
    search_fields = ["department__name", "department__code", "domain__name", "domain__code"]
    readonly_fields = ["last_records_on"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.origin = Feed.Origin.OFFICE
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request, obj=None):
        # Who decided a feed stays recorded: only the office's own rows are the office's.
        return [*self.readonly_fields, "origin"]


@admin.register(SourceStatus)
class SourceStatusAdmin(ReadOnlyAdmin):
    list_display = ["department", "last_import_on", "last_confirmed_on"]
    search_fields = ["department__name", "department__code"]


@admin.register(NothingNew)
class NothingNewAdmin(ReadOnlyAdmin):
    list_display = ["department", "as_of", "kind", "note", "user", "created_at"]
    list_filter = ["kind"]
    search_fields = ["department__name", "department__code", "note"]
