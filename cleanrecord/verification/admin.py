from django.contrib import admin

from cleanrecord.lib.admin import ReadOnlyAdmin

from .models import VerificationLog


@admin.register(VerificationLog)
class VerificationLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "report", "channel", "result", "client"]
    list_filter = ["channel", "result"]
    search_fields = ["=report__number", "=report__entity__credit_code"]
    list_select_related = ["report"]
