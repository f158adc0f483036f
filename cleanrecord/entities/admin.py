from django.contrib import admin

from cleanrecord.lib.admin import ReadOnlyAdmin

from .models import Entity


@admin.register(Entity)
class EntityAdmin(ReadOnlyAdmin):
    """Entities come from the register import and from records; the admin browses them."""

    list_display = ["credit_code", "name", "kind", "region_code", "legal_rep", "status", "from_register", "checksum_warning"]
    list_filter = ["kind", "status", "from_register", "checksum_warning", "region_code"]
    search_fields = ["credit_code", "name"]
    exclude = ["legal_rep_id_encrypted"]
