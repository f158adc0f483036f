"""Who the credit office is, for every layer: the office's pages sit in low apps too (the jobs page)."""

from typing import Any

# The credit office is whoever holds this permission (directly or by group), and superusers.
OFFICE_PERMISSION = "records.add_importbatch"


def is_office(user: Any) -> bool:
    """Credit office staff: may act for any department."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.has_perm(OFFICE_PERMISSION)))
