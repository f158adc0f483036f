"""While an import runs, logins and verifications are answered (on SQLite too): they never fail with
"database is locked", and they wait at most for the short merge, not for the whole file."""

import datetime as dt
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from cleanrecord.demo.generate import write_penalty_csv
from cleanrecord.records.models import ImportBatch, Penalty
from cleanrecord.records.services import import_file
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import entity, penalty
from cleanrecord.verification.models import VerificationLog

from .helpers import penalty as penalty_row
from .helpers import penalty_csv

ROWS = 20_000
HOLD_SECONDS = 4.0


def a_report():
    e = entity(name="兰州导入期间核验测试有限公司")
    penalty(e, timezone.localdate() - dt.timedelta(days=30))
    return issue_report(credit_code=e.credit_code, domains=["market-regulation"], purpose="finance")


def requests_meanwhile(report) -> dict[str, int]:
    """What a verifier and a clerk do while the import runs: each of these writes to the database."""
    User.objects.filter(username="clerk-meanwhile").exists() or User.objects.create_user(
        "clerk-meanwhile", password="pw-clerk-1")
    verifier = Client(REMOTE_ADDR="198.51.100.7")
    clerk = Client(REMOTE_ADDR="198.51.100.8")
    return {
        "verify": verifier.get(f"/verify/{report.verification_code}").status_code,  # the verification log
        "unknown": verifier.get("/api/v1/verify/ZZZZZZZZZZZZZZZZZZZZ").status_code,  # the guessing budget
        "login": clerk.post("/accounts/login/", {"username": "clerk-meanwhile", "password": "pw-clerk-1"}).status_code,
    }


ANSWERED = {"verify": 200, "unknown": 404, "login": 302}


@pytest.mark.pdf
def test_requests_wait_for_a_held_write_transaction_instead_of_failing(shared_database):
    """Another connection holds the write lock (on SQLite: the whole database) for seconds."""
    report = a_report()
    held, done = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                ImportBatch.objects.create(kind="penalty", file_name="long.csv", file_size=1, file_sha256="0" * 64)
                held.set()
                time.sleep(HOLD_SECONDS)
        finally:
            connection.close()
            done.set()

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(10)
    started = time.monotonic()
    statuses = requests_meanwhile(report)
    waited = time.monotonic() - started
    holder.join()

    assert statuses == ANSWERED
    assert VerificationLog.objects.filter(report=report).count() == 1
    if connection.vendor == "sqlite":  # they did wait for the lock, and got it
        assert waited >= HOLD_SECONDS - 1.0


@pytest.mark.pdf
def test_a_long_import_does_not_lock_out_logins_and_verifications(shared_database, tmp_path: Path) -> None:
    report = a_report()
    path = tmp_path / "penalties.csv"
    write_penalty_csv(path, ROWS, seed=11)
    result: dict = {}

    def run() -> None:
        try:
            result["batch"] = import_file(path=path, kind="penalty").batch
        finally:
            connection.close()

    importer = threading.Thread(target=run)
    importer.start()
    deadline = time.monotonic() + 30
    while not ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING).exists():
        assert time.monotonic() < deadline, "the import did not start"
        time.sleep(0.05)
    time.sleep(0.5)  # well into reading the file

    started = time.monotonic()
    statuses = requests_meanwhile(report)
    answered_in = time.monotonic() - started
    applied_meanwhile = Penalty.objects.count() - 1
    still_importing = importer.is_alive()
    importer.join()

    assert statuses == ANSWERED
    # Answered while the file was still being read: not after the import's transaction, as before.
    assert still_importing and applied_meanwhile == 0, (answered_in, applied_meanwhile)
    batch = result["batch"]
    assert batch.status == ImportBatch.Status.DONE and batch.rows_created == ROWS
    assert Penalty.objects.count() == ROWS + 1


def test_a_dry_run_and_a_failed_import_leave_nothing_behind(shared_database, tmp_path):
    """Rows are staged before the write transaction on SQLite: what was staged must go with the import."""
    good = penalty_csv(tmp_path / "good.csv", [penalty_row()])
    dry = import_file(path=good, kind="penalty", dry_run=True).batch
    assert dry.status == ImportBatch.Status.DRY_RUN and dry.rows_created == 1
    assert Penalty.objects.count() == 0
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'")
            assert cur.fetchall() == []
    done = import_file(path=good, kind="penalty").batch
    assert done.status == ImportBatch.Status.DONE and Penalty.objects.count() == 1


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "IMPORT_DIR": str(tmp_path / "imports")}
