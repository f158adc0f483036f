"""The office sees who signed in through the identity service and which staff each entity authorised; changes
go through the legal representative's page (and the audit trail), not the admin."""

from django.contrib import admin

from cleanrecord.lib.admin import ReadOnlyAdmin

from .models import Identity, StaffAuthorisation


@admin.register(Identity)
class IdentityAdmin(ReadOnlyAdmin):
    list_display = ["user", "issuer", "created_at", "last_seen_at"]
    search_fields = ["user__username", "user__first_name"]
    exclude = ["subject"]


@admin.register(StaffAuthorisation)
class StaffAuthorisationAdmin(ReadOnlyAdmin):
    list_display = ["entity", "name", "id_number_masked", "authorised_at", "withdrawn_at", "user"]
    search_fields = ["entity__credit_code", "entity__name", "name"]
    list_filter = ["withdrawn_at"]
    exclude = ["id_number_encrypted", "id_number_index"]
