"""What the platform writes is for its own user only: files 0600, folders 0700 (issue 11)."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from .helpers import penalty, penalty_csv, run_import

ROOT = Path(__file__).resolve().parents[3]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.django_db
def test_an_imports_error_file_and_folders_are_private(tmp_path):
    with override_settings(CLEANRECORD={**settings.CLEANRECORD, "IMPORT_DIR": str(tmp_path / "imports")}):
        run = run_import(penalty_csv(tmp_path / "p.csv", [penalty(1), penalty(2, **{"违法事实": ""})]))

    assert run.code == 1
    error_file = Path(run.batch.error_file)
    assert mode(error_file) == 0o600
    assert mode(error_file.parent) == 0o700
    assert mode(error_file.parent / "running") == 0o700


@pytest.mark.pdf
@pytest.mark.django_db
def test_an_issued_reports_pdf_and_folders_are_private(tmp_path):
    from cleanrecord.reports.services import issue_report
    from cleanrecord.reports.tests.factories import entity

    company = entity(name="兰州权限测试有限公司")
    with override_settings(CLEANRECORD={**settings.CLEANRECORD, "REPORT_DIR": str(tmp_path / "reports")}):
        report = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")

    pdf = Path(report.pdf_path)
    assert mode(pdf) == 0o600
    assert mode(pdf.parent) == 0o700 and mode(pdf.parent.parent) == 0o700 and mode(tmp_path / "reports") == 0o700


def test_a_fresh_data_directory_its_sqlite_database_and_keys_are_private(tmp_path):
    """A new process with the project's settings, as manage.py and the WSGI server start (umask 0 or 022 before)."""
    data = tmp_path / "var"
    env = {**os.environ, "CLEANRECORD_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "cleanrecord.settings"}
    env.pop("DATABASE_URL", None)
    script = ("import os; os.umask(0o022); import django; django.setup(); from django.db import connection; "
              "connection.ensure_connection(); from cleanrecord.lib import fieldcrypt; fieldcrypt.blind_index('x')")
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=120)

    assert mode(data) == 0o700
    assert mode(data / "cleanrecord.sqlite3") == 0o600
    assert mode(data / "secret_key") == 0o600
    assert mode(data / "tmp") == 0o700 and mode(data / "tmp" / "uploads") == 0o700
    keys = [p for p in data.iterdir() if p.is_file() and p.name not in ("cleanrecord.sqlite3", "secret_key")]
    assert keys and all(mode(p) == 0o600 for p in keys), [(p.name, oct(mode(p))) for p in keys]
