"""City rules and platform settings, read in one place."""

import time
from pathlib import Path

from django.conf import settings

# The national rule: a report looks back at most 5 years. A city may choose fewer, never more (the
# environment is checked at start, the office's console when it saves).
NATIONAL_MAX_YEARS = 5

# Listings by authorities outside the region (REPORT_LISTINGS_ANY_REGION): all count, those on a
# national list count, or none do.
LISTINGS_ANY_REGION = ("all", "national", "none")

# Report rules the credit office may change in its console (reports.RuleSettings): once the office
# has saved them, the saved values win over the environment. Setting name → RuleSettings field.
OFFICE_RULES = {
    "REPORT_INCLUDE_SIMPLE_PROCEDURE": "include_simple_procedure",
    "REPORT_REPAIRED_RECORDS": "repaired_records",
    "REPORT_NOTHING_FOUND_TEXT": "nothing_found_text",
    "REPORT_DEFAULT_YEARS": "default_years",
    "REPORT_MAX_YEARS": "max_years",
    "REPORT_VALID_DAYS": "valid_days",
}

# One query per process every few seconds rather than one per rule read; a change saved in another
# process is seen here at most this late.
OFFICE_RULES_TTL_SECONDS = 5.0
_office_rules: tuple[float, dict | None] | None = None


def get(name: str):
    if name in OFFICE_RULES:
        saved = office_rules()
        if saved is not None:
            return saved[name]
    return settings.CLEANRECORD[name]


def environment(name: str):
    """The value from the environment, whatever the office has saved."""
    return settings.CLEANRECORD[name]


def office_rules() -> dict | None:
    """The rules the office saved, by setting name, or None while it has saved none."""
    global _office_rules
    now = time.monotonic()
    if _office_rules is None or now - _office_rules[0] > OFFICE_RULES_TTL_SECONDS:
        from cleanrecord.reports.models import RuleSettings

        row = RuleSettings.objects.first()
        values = {name: getattr(row, field) for name, field in OFFICE_RULES.items()} if row else None
        _office_rules = (now, values)
    return _office_rules[1]


def forget_office_rules() -> None:
    """Read the office's rules afresh on the next get(): called when they are saved."""
    global _office_rules
    _office_rules = None


def reference_dir() -> Path:
    return Path(get("REFERENCE_DIR"))


def import_dir() -> Path:
    path = Path(get("IMPORT_DIR"))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
