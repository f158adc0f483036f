"""The credit office browses and searches records here. Records change only through imports and
the platform's services (which keep versions and audit entries), so the admin is read-only for them;
import profiles, recipes rather than records, are edited here by the office (audited)."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from cleanrecord.lib.admin import ReadOnlyAdmin
from cleanrecord.lib.refusals import Refused

from .models import Compulsion, ImportBatch, ImportProfile, Judgment, Licence, Listing, Penalty, RecordVersion
from .profiles import delete_profile, save_profile


class RecordAdmin(ReadOnlyAdmin):
    list_filter = ["status", "domain", "department", "confidential"]
    search_fields = ["=credit_code", "subject_name", "=authority_code"]
    exclude = ["legal_rep_id_encrypted", "subject_id_encrypted"]
    list_select_related = ["domain"]


@admin.register(Penalty)
class PenaltyAdmin(RecordAdmin):
    list_display = ["subject_name", "credit_code", "decision_no", "domain", "decided_on", "categories", "status", "version"]
    search_fields = [*RecordAdmin.search_fields, "=decision_no"]
    list_filter = [*RecordAdmin.list_filter, "procedure", "not_penalised"]
    date_hierarchy = "decided_on"


@admin.register(Licence)
class LicenceAdmin(RecordAdmin):
    list_display = ["subject_name", "credit_code", "doc_no", "domain", "decided_on", "licence_category", "status"]
    search_fields = [*RecordAdmin.search_fields, "=doc_no"]


@admin.register(Listing)
class ListingAdmin(RecordAdmin):
    list_display = ["subject_name", "credit_code", "list_type", "listed_on", "removed_on", "domain", "status"]
    search_fields = [*RecordAdmin.search_fields, "=case_no"]
    list_filter = [*RecordAdmin.list_filter, "list_type"]


@admin.register(Compulsion)
class CompulsionAdmin(RecordAdmin):
    list_display = ["subject_name", "credit_code", "decision_no", "domain", "compulsion_type", "category", "decided_on",
                    "lifted_on", "status"]
    search_fields = [*RecordAdmin.search_fields, "=decision_no"]
    list_filter = [*RecordAdmin.list_filter, "compulsion_type"]
    date_hierarchy = "decided_on"


@admin.register(Judgment)
class JudgmentAdmin(RecordAdmin):
    list_display = ["subject_name", "credit_code", "case_no", "authority_name", "charges", "verdict", "effective_on",
                    "set_aside_on", "status"]
    search_fields = [*RecordAdmin.search_fields, "=case_no"]
    list_filter = [*RecordAdmin.list_filter, "verdict"]
    date_hierarchy = "effective_on"


@admin.register(RecordVersion)
class RecordVersionAdmin(ReadOnlyAdmin):
    list_display = ["kind", "record_id", "version", "change", "batch", "user", "created_at"]
    list_filter = ["kind", "change"]
    search_fields = ["=subject_key", "=record_id"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "file_name", "kind", "department", "status", "channel", "rows_read", "rows_created",
                    "rows_updated", "rows_unchanged", "rows_rejected", "started_at"]
    list_filter = ["kind", "status", "channel", "department"]
    search_fields = ["file_name", "=file_sha256"]


@admin.register(ImportProfile)
class ImportProfileAdmin(admin.ModelAdmin):
    """The office manages every department's profiles; each change is audited as the clerks' page audits it."""

    list_display = ["name", "department", "kind", "updated_at", "updated_by"]
    list_filter = ["kind", "department"]
    search_fields = ["name"]
    fields = ["department", "kind", "name", "spec"]

    def save_model(self, request, obj, form, change):
        try:
            save_profile(user=request.user, profile=obj, department=obj.department, kind=obj.kind, name=obj.name,
                         spec=obj.spec)
        except Refused as e:  # form.full_clean checked the spec already; a race is still refused
            raise ValidationError(str(e)) from e

    def delete_model(self, request, obj):
        delete_profile(user=request.user, profile=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
