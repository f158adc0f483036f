"""Two web servers (gunicorn, as deployed) on different ports, sharing one PostgreSQL database and one report store:
reports issued on both at once get unique numbers, and each server verifies and serves the other's reports. Each
caches verification answers in its own memory; a record revoked after both cached an answer is reported by both.

The servers are subprocesses on this test's database (cleanrecord.testing.server.database_url). PostgreSQL only:
on SQLite the servers would read a copy of the test's in-memory database, which the test's own changes miss.
"""

import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cleanrecord.accounts.tokens import create_token
from cleanrecord.records import changes as record_changes
from cleanrecord.reports.models import Report
from cleanrecord.reports.tests.factories import entity, penalty
from cleanrecord.testing.server import database_url, free_port, wait_until_serving

pytestmark = [pytest.mark.pdf, pytest.mark.django_db(transaction=True)]


def _call(url: str, *, token: str = "", body: dict | None = None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def two_servers(tmp_path):
    """Start two gunicorn servers on this test's database and data directory (keys, report store)."""
    if connection.vendor != "postgresql":
        pytest.skip("two servers share one database only on PostgreSQL here (SQLite: a copy per test)")
    call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
    call_command("signing_keys", "init", verbosity=0)
    servers, urls = [], []
    for name in ("a", "b"):
        port = free_port()
        log_path = tmp_path / f"gunicorn-{name}.log"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cleanrecord.wsgi:application", "--workers", "2",
             "--bind", f"127.0.0.1:{port}"],
            cwd=settings.BASE_DIR, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
            env={**os.environ, "DEBUG": "false", "DATABASE_URL": database_url(tmp_path),
                 "CLEANRECORD_DATA_DIR": str(settings.DATA_DIR), "CLEANRECORD_CACHE_URL": ""})
        servers.append(server)
        urls.append(wait_until_serving(server, port, log_path, seconds=60))
    yield urls
    for server in servers:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_two_servers_issue_unique_numbers_and_verify_each_others_reports(two_servers, amr_clerk):
    a, b = two_servers
    office = User.objects.create_user("office-two-servers", password="pw-office-2")
    office.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    _, token = create_token(owner=office, name="两台服务器", scopes=["reports:write", "reports:read"])
    companies = [entity(code_body=f"91620102MA71TWC{i:02d}", name=f"兰州双机测试{i}有限公司") for i in range(6)]
    shown = penalty(companies[0], timezone.localdate() - dt.timedelta(days=30))

    def issue(i: int) -> tuple[str, dict]:
        server = (a, b)[i % 2]
        status, body = _call(f"{server}/api/v1/reports", token=token,
                             body={"credit_code": companies[i].credit_code, "domains": "all", "purpose": "finance"})
        assert status == 201, body.decode()
        return server, json.loads(body)

    with ThreadPoolExecutor(max_workers=6) as pool:  # both servers issue at the same time
        issued = list(pool.map(issue, range(6)))

    numbers = [r["number"] for _, r in issued]
    assert len(set(numbers)) == 6 and Report.objects.count() == 6
    for server, report in issued:
        other = b if server == a else a
        code = report["verify_url"].rstrip("/").rsplit("/", 1)[1]
        status, body = _call(f"{other}/api/v1/verify/{code}")
        assert status == 200 and json.loads(body)["result"] == "authentic"
        assert json.loads(body)["number"] == report["number"]
        assert _call(f"{other}/verify/{code}")[0] == 200
        status, pdf = _call(f"{other}/api/v1/reports/{report['number']}/pdf", token=token)
        assert status == 200 and hashlib.sha256(pdf).hexdigest() == report["pdf_sha256"]

    # Both servers have the answer for the first report in their own cache; a record revoked since is reported
    # by both (the subject's data version moved on in the shared database).
    code = Report.objects.get(number=issued[0][1]["number"]).verification_code
    for server in (a, b):
        for _ in range(3):  # each of the server's workers in turn, most likely
            assert json.loads(_call(f"{server}/api/v1/verify/{code}")[1])["changes"] == []
    record_changes.revoke(shown, reason="决定已撤销", user=amr_clerk)
    for server in (a, b):
        for _ in range(3):
            changes = json.loads(_call(f"{server}/api/v1/verify/{code}")[1])["changes"]
            assert [c["what"] for c in changes] == ["该记录已被撤销（或已删除），报告出具后不再计入"]
