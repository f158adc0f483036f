from django.contrib import admin

from cleanrecord.lib.admin import ReadOnlyAdmin

from .models import Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["number", "entity", "period_start", "period_end", "purpose", "records_found", "issued_at",
                    "valid_until", "revoked_at"]
    list_filter = ["purpose", "channel"]
    search_fields = ["=number", "=verification_code", "=entity__credit_code", "entity__name"]
    exclude = ["snapshot"]
