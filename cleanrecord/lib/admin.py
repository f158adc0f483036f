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

