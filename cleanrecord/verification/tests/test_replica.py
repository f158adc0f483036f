"""Verification, the public pages and report downloads on a real PostgreSQL streaming replica.

The replica is the machine's second cluster made by cleanrecord/testing/replica.py (pg_basebackup, port 5433),
streaming from the server the tests run on; the test database exists on it as on the primary. Tests commit
(transactional) so their rows reach it, and wait until it has replayed them. A paused replay
(pg_wal_replay_pause) stands for a replica that has not caught up yet.
"""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from cleanrecord.lib import replica
from cleanrecord.reports.services import issue_report, revoke_report
from cleanrecord.reports.tests.factories import entity, penalty
from cleanrecord.testing import replica as local_replica
from cleanrecord.testing.server import database_url, free_port, wait_until_serving
from cleanrecord.verification.models import Channel, Result, VerificationLog
from cleanrecord.verification.services import verify_code

pytestmark = [pytest.mark.pdf, pytest.mark.django_db(transaction=True)]

ROUTER = "cleanrecord.lib.replica.Router"


def _replica_url() -> str:
    """Start the local replica, or skip: only CI (CLEANRECORD_REQUIRE_REPLICA=1, set by .ci/run) must have it."""
    if connection.vendor != "postgresql":
        pytest.skip("a streaming replica is PostgreSQL's")
    try:
        return local_replica.start()
    except local_replica.ReplicaUnavailable as exc:
        if os.environ.get("CLEANRECORD_REQUIRE_REPLICA") == "1":
            raise
        pytest.skip(f"no local replica: {exc}")


@pytest.fixture
def on_replica(transactional_db, settings, monkeypatch):
    """The 'replica' database alias on the real replica of this test's database, and the router on."""
    url = _replica_url()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    connections.settings[replica.REPLICA] = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": port,
                                             "TEST": {**connection.settings_dict["TEST"], "MIRROR": "default"}}
    _connect_to_replica()
    monkeypatch.setitem(settings.CLEANRECORD, "REPLICA_MAX_LAG_SECONDS", 3600)
    replica.forget()
    call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
    call_command("signing_keys", "init", verbosity=0)
    try:
        with override_settings(DATABASE_ROUTERS=[ROUTER]):
            yield connections[replica.REPLICA]
    finally:
        _resume(connections[replica.REPLICA])
        connections[replica.REPLICA].close()
        del connections[replica.REPLICA]
        del connections.settings[replica.REPLICA]
        replica.forget()


def _connect_to_replica() -> None:
    """The replica's connection, under an alias name Django's test case did not see when it started: it only
    lets a test open the connections it declared, and connections it did not know of."""
    standby = connections.create_connection(replica.REPLICA)
    standby.alias = "replica-of-the-test-database"
    connections[replica.REPLICA] = standby


def _caught_up(replica_connection, seconds: float = 30) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (lsn,) = cursor.fetchone()
    deadline = time.monotonic() + seconds
    with replica_connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.05)


def _pause(replica_connection) -> None:
    with replica_connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")


def _resume(replica_connection) -> None:
    with replica_connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")


def _report(code_body: str, name: str, *, records: bool = True):
    company = entity(code_body=code_body, name=name)
    if records:
        penalty(company, timezone.localdate() - dt.timedelta(days=40))
    return issue_report(credit_code=company.credit_code, domains="all", purpose="finance")


def _on(alias: str, captured: CaptureQueriesContext, needle: str) -> bool:
    return any(needle in q["sql"] for q in captured.captured_queries)


def test_a_verification_reads_the_replica_and_logs_on_the_primary(on_replica):
    report = _report("91620102MA71REP01", "兰州副本核验一有限公司")
    _caught_up(on_replica)
    with CaptureQueriesContext(on_replica) as on_standby, CaptureQueriesContext(connection) as on_primary:
        v = verify_code(report.verification_code, channel=Channel.API, client="c1")
    assert v.result == Result.AUTHENTIC and v.report.number == report.number
    assert _on("replica", on_standby, '"reports_report"'), "the report was not read from the replica"
    assert not _on("primary", on_primary, 'FROM "reports_report"'), "the primary was read as well"
    assert [q["sql"].split()[0] for q in on_primary.captured_queries] == ["INSERT"]
    assert VerificationLog.objects.using("default").filter(report=report, result=Result.AUTHENTIC).count() == 1


def test_a_report_issued_a_moment_ago_verifies_from_the_primary(on_replica):
    _caught_up(on_replica)
    _pause(on_replica)  # the replica has not seen the report yet
    report = _report("91620102MA71REP02", "兰州副本核验二有限公司")
    with CaptureQueriesContext(on_replica) as on_standby, CaptureQueriesContext(connection) as on_primary:
        v = verify_code(report.verification_code, channel=Channel.PAGE, client="c2")
    assert v.result == Result.AUTHENTIC and v.report.number == report.number
    assert _on("replica", on_standby, '"reports_report"')  # looked for there first: not found
    assert _on("primary", on_primary, 'FROM "reports_report"')  # then found on the primary
    assert VerificationLog.objects.using("default").filter(report=report).count() == 1


def test_an_unknown_code_is_still_unknown_on_both(on_replica):
    _caught_up(on_replica)
    v = verify_code("ZZZZ-ZZZZ-ZZZZ", channel=Channel.API, client="c3")
    assert v.result == Result.NOT_FOUND


def test_a_replica_further_behind_than_allowed_is_not_read(on_replica, settings):
    report = _report("91620102MA71REP03", "兰州副本核验三有限公司", records=False)
    _caught_up(on_replica)
    _pause(on_replica)
    revoke_report(report, reason="副本测试撤销")  # on the primary; the paused replica still has it valid
    time.sleep(1.2)
    replica.forget()
    assert replica.measure().seconds >= 1
    settings.CLEANRECORD["REPLICA_MAX_LAG_SECONDS"] = 3600  # a lag within bounds: the replica's stale answer
    assert verify_code(report.verification_code, channel=Channel.API, client="c4").result == Result.AUTHENTIC
    settings.CLEANRECORD["REPLICA_MAX_LAG_SECONDS"] = 1  # beyond them: the primary's
    replica.forget()
    assert verify_code(report.verification_code, channel=Channel.API, client="c4").result == Result.REVOKED
    _resume(on_replica)
    _caught_up(on_replica)
    replica.forget()
    with CaptureQueriesContext(on_replica) as on_standby:
        assert verify_code(report.verification_code, channel=Channel.API, client="c4").result == Result.REVOKED
    assert _on("replica", on_standby, '"reports_report"')


def test_the_public_pages_and_the_report_download_read_the_replica(on_replica, client):
    report = _report("91620102MA71REP04", "兰州副本核验四有限公司")
    _caught_up(on_replica)
    for url, needle in ((f"/reports/{report.verification_code}/", report.number),
                        (f"/entities/{report.entity_id}/", "兰州副本核验四有限公司"),
                        (f"/reports/{report.verification_code}/pdf", None)):
        with CaptureQueriesContext(on_replica) as on_standby:
            response = client.get(url)
        assert response.status_code == 200, url
        if needle:
            assert needle in response.content.decode(), url
        assert on_standby.captured_queries, f"{url} did not read the replica"


def test_pages_of_a_row_not_yet_on_the_replica_come_from_the_primary(on_replica, client):
    _caught_up(on_replica)
    _pause(on_replica)
    report = _report("91620102MA71REP05", "兰州副本核验五有限公司")
    assert client.get(f"/reports/{report.verification_code}/").status_code == 200
    assert client.get(f"/reports/{report.verification_code}/pdf").status_code == 200
    assert "兰州副本核验五有限公司" in client.get(f"/entities/{report.entity_id}/").content.decode()


def test_writes_sessions_and_other_pages_stay_on_the_primary(on_replica, client, django_user_model):
    _caught_up(on_replica)
    _pause(on_replica)  # a fresh session exists only on the primary
    client.force_login(django_user_model.objects.create_user("replica-user"))
    with CaptureQueriesContext(on_replica) as on_standby:
        assert client.get("/verify").status_code == 200
        response = client.get("/my/messages/")
    assert response.status_code == 200 and response.wsgi_request.user.is_authenticated
    assert not on_standby.captured_queries
    router = replica.Router()
    with replica.reads():
        assert router.db_for_write(VerificationLog) == "default"
        assert router.db_for_read(django_user_model) == "default"
        assert router.db_for_read(VerificationLog) == "replica"
    assert router.db_for_read(VerificationLog) == "default"
    assert not router.allow_migrate("replica", "reports") and router.allow_migrate("default", "reports")


def test_a_replica_that_does_not_answer_sends_its_readers_to_the_primary(on_replica, client):
    report = _report("91620102MA71REP06", "兰州副本核验六有限公司", records=False)
    connections[replica.REPLICA].close()
    connections.settings[replica.REPLICA]["PORT"] = free_port()  # nothing listens there
    _connect_to_replica()
    replica.forget()
    assert verify_code(report.verification_code, channel=Channel.API, client="c7").result == Result.AUTHENTIC
    ready = client.get("/readyz")
    body = ready.json()
    assert body["replica"]["reading_from"] == "default" and body["replica"]["lag_seconds"] is None
    assert "OperationalError" in body["replica"]["error"]
    assert body["checks"]["database"] == "ok"
    connections.settings[replica.REPLICA]["PORT"] = local_replica.PORT  # for the fixture's clean-up
    _connect_to_replica()


def test_readyz_says_how_far_the_replica_lags(on_replica, client):
    _caught_up(on_replica)
    body = client.get("/readyz").json()
    assert body["replica"]["streaming"] is True
    assert body["replica"]["lag_seconds"] == 0 and body["replica"]["reading_from"] == "replica"
    _pause(on_replica)
    _report("91620102MA71REP07", "兰州副本核验七有限公司", records=False)
    time.sleep(1.1)
    lag = client.get("/readyz").json()["replica"]
    assert lag["lag_seconds"] >= 1 and lag["streaming"] is True


def test_a_server_configured_with_the_replica_reads_it(on_replica, tmp_path):
    """gunicorn with DATABASE_REPLICA_URL, as deployed: /readyz reads the replica, a report verifies, and one
    issued while the replica is paused verifies too."""
    primary = database_url(tmp_path)
    standby = primary.replace(":5432/", f":{connections.settings[replica.REPLICA]['PORT']}/")
    early = _report("91620102MA71REP08", "兰州副本核验八有限公司")
    _caught_up(on_replica)
    port, log_path = free_port(), tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cleanrecord.wsgi:application", "--workers", "1",
         "--bind", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
        env={**os.environ, "DEBUG": "false", "DATABASE_URL": primary, "DATABASE_REPLICA_URL": standby,
             "CLEANRECORD_DATA_DIR": str(settings.DATA_DIR), "CLEANRECORD_CACHE_URL": ""})
    try:
        base = wait_until_serving(server, port, log_path)

        def get(path: str) -> dict:
            try:
                with urllib.request.urlopen(base + path, timeout=30) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as error:  # /readyz: 503 here, where no task worker runs
                return json.loads(error.read())

        assert get("/readyz")["replica"]["reading_from"] == "replica"
        assert get(f"/api/v1/verify/{early.verification_code}")["result"] == "authentic"
        _pause(on_replica)
        late = _report("91620102MA71REP09", "兰州副本核验九有限公司")
        assert get(f"/api/v1/verify/{late.verification_code}")["result"] == "authentic"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert VerificationLog.objects.filter(report__in=[early, late]).count() == 2


def test_a_replica_with_a_sqlite_primary_stops_the_start(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=settings.BASE_DIR, capture_output=True,
        text=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "cleanrecord.settings",
                        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                        "DATABASE_REPLICA_URL": "postgresql://postgres@127.0.0.1:5433/test",
                        "CLEANRECORD_DATA_DIR": str(tmp_path)})
    assert done.returncode != 0 and "DATABASE_REPLICA_URL：只读副本须为 PostgreSQL" in done.stderr
