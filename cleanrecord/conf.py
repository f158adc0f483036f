"""City rules and platform settings, read in one place."""

from pathlib import Path

from django.conf import settings


def get(name: str):
    return settings.CLEANRECORD[name]


def reference_dir() -> Path:
    return Path(get("REFERENCE_DIR"))


def import_dir() -> Path:
    path = Path(get("IMPORT_DIR"))
    path.mkdir(parents=True, exist_ok=True)
    return path
