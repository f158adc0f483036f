"""The verification log written in batches (journal.py): a verification costs one query, and no answered
verification goes missing from the log — not when its web process is killed before the batch went in, not when
the server stops.

The servers are gunicorn subprocesses on this test's database, batching as deployed; PostgreSQL only (on SQLite
the servers would write a copy of the test's in-memory database).
"""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import entity, penalty
from cleanrecord.testing.server import database_url, free_port, wait_until_serving
from cleanrecord.verification import journal
from cleanrecord.verification.models import VerificationLog


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read()


def _until(condition, seconds: float = 15.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.1)


class Server:
    """gunicorn on this test's database and data directory, with `workers` workers and the given environment."""

    def __init__(self, tmp_path: Path, workers: int, **env: str):
        self.port = free_port()
        self.log = tmp_path / f"gunicorn-{self.port}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cleanrecord.wsgi:application", "--workers", str(workers),
             "--bind", f"127.0.0.1:{self.port}"],
            cwd=settings.BASE_DIR, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
            env={**os.environ, "DEBUG": "false", "DATABASE_URL": database_url(tmp_path),
                 "CLEANRECORD_DATA_DIR": str(settings.DATA_DIR), "CLEANRECORD_CACHE_URL": "", **env})
        self.url = wait_until_serving(self.process, self.port, self.log, seconds=60)

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(p) for p in children]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


@pytest.fixture
def servers(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("servers share the test's database only on PostgreSQL here (SQLite: a copy per test)")
    call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
    call_command("signing_keys", "init", verbosity=0)
    started: list[Server] = []

    def start(workers: int = 1, **env: str) -> Server:
        started.append(Server(tmp_path, workers, **env))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def _spooled_lines() -> int:
    return sum(len(p.read_bytes().splitlines()) for p in journal.folder().glob("*.spool"))


@pytest.mark.pdf
@pytest.mark.django_db(transaction=True)
def test_verifications_answered_by_a_killed_worker_reach_the_log(servers):
    company = entity(code_body="91620102MA71JNL01", name="兰州核验日志测试有限公司")
    penalty(company, timezone.localdate() - dt.timedelta(days=20))
    report = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")
    code = report.verification_code
    # Batches only after a minute (or 100,000 entries): whatever is answered now waits in the worker's spool.
    server = servers(workers=1, CLEANRECORD_VERIFY_LOG_BATCH_SECONDS="60", CLEANRECORD_VERIFY_LOG_BATCH_SIZE="100000")
    for path in (f"/api/v1/verify/{code}",) * 3 + (f"/verify/{code}",) * 2:
        status, body = _get(server.url + path)
        assert status == 200
    assert json.loads(_get(f"{server.url}/api/v1/verify/{code}")[1])["result"] == "authentic"
    assert VerificationLog.objects.count() == 0
    assert _spooled_lines() == 6

    [worker] = server.workers()
    os.kill(worker, signal.SIGKILL)  # no exit handler runs: the entries are only in the spool file
    _until(lambda: server.workers() and server.workers() != [worker])
    # The replacement takes the dead worker's spool over when it logs its first verification.
    assert _get(f"{server.url}/api/v1/verify/{code}")[0] == 200
    _until(lambda: VerificationLog.objects.count() == 6)
    logged = VerificationLog.objects.filter(report=report)
    assert sorted(logged.values_list("channel", flat=True)) == ["api"] * 4 + ["page"] * 2
    assert set(logged.values_list("result", flat=True)) == {"authentic"}
    assert _spooled_lines() == 1  # the replacement's own verification, still waiting

    server.stop()  # a graceful stop writes what waits
    assert VerificationLog.objects.count() == 7
    assert _spooled_lines() == 0
    # The server's workers removed their spools on the way out (this test process may hold an empty one of its own).
    assert [p.name for p in journal.folder().glob("*.spool") if f"-{os.getpid()}-" not in p.name] == []


@pytest.mark.pdf
@pytest.mark.django_db(transaction=True)
def test_batches_reach_the_log_within_seconds_from_every_worker(servers):
    company = entity(code_body="91620102MA71JNL02", name="兰州批量日志测试有限公司")
    report = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")
    server = servers(workers=2, CLEANRECORD_VERIFY_LOG_BATCH_SECONDS="1")
    for _ in range(20):
        assert _get(f"{server.url}/api/v1/verify/{report.verification_code}")[0] == 200
    _until(lambda: VerificationLog.objects.filter(report=report).count() == 20, seconds=10)
    assert _spooled_lines() == 0  # both workers' spools were written and swapped for empty ones


@pytest.mark.pdf
@pytest.mark.django_db
def test_a_batched_verification_costs_one_query_and_is_logged_when_written(client, settings,
                                                                           django_assert_num_queries):
    company = entity(code_body="91620102MA71JNL03", name="兰州单查询测试有限公司")
    report = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")
    settings.CLEANRECORD = {**settings.CLEANRECORD, "VERIFY_LOG_BATCH_SECONDS": 3600}  # the test writes the batch
    url = f"/api/v1/verify/{report.verification_code}"
    assert client.get(url).status_code == 200  # works the answer out and keeps it
    assert client.get(url).status_code == 200
    with django_assert_num_queries(1):  # the report, its subject's data version and the client's budget
        assert client.get(url).json()["result"] == "authentic"
    assert VerificationLog.objects.count() == 0
    journal.flush()
    assert VerificationLog.objects.filter(report=report, channel="api", result="authentic").count() == 3
