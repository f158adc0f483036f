from django.contrib import admin

from .models import Entity


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["credit_code", "name", "kind", "region_code", "legal_rep", "status", "from_register", "checksum_warning"]
    list_filter = ["kind", "status", "from_register", "checksum_warning", "region_code"]
    search_fields = ["credit_code", "name"]
    exclude = ["legal_rep_id_encrypted"]
    readonly_fields = ["legal_rep_id_masked", "created_at", "updated_at"]
    show_full_result_count = False  # COUNT(*) over millions of rows on every page is not worth it
