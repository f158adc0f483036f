"""A web upload imported by a real worker: `manage.py serve` (gunicorn + `manage.py worker`, the database task
backend) on this test's database; a clerk signs in, uploads, confirms, and the result page shows the batch
queued, then the rows imported. The API answers 202 with the batch and a status URL to poll."""

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command

from cleanrecord.accounts.tokens import create_token
from cleanrecord.records.tests.uploads import COMPANY, penalty_csv
from cleanrecord.testing.server import database_url, free_port, wait_until_serving

pytestmark = pytest.mark.django_db(transaction=True)


class Browser:
    """Just enough of a browser: cookies, Django's CSRF token, forms and multipart uploads."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value or "" for c in self.jar if c.name == "csrftoken")

    def open(self, path: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, str, str]:
        request = urllib.request.Request(self.base + path, data=data,
                                         headers={"Referer": self.base + "/", **(headers or {})})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()

    def post(self, path: str, fields: dict) -> tuple[int, str, str]:
        return self.open(path, urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf(), **fields}).encode())

    def upload(self, path: str, fields: dict, name: str, content: bytes) -> tuple[int, str, str]:
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in {"csrfmiddlewaretoken": self.csrf(), **fields}.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                     f"Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.open(path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})


@pytest.fixture
def serving(tmp_path, transactional_db):
    """`manage.py serve` on a copy of this test's database (SQLite) or the test database itself (PostgreSQL)."""
    call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
    started = []

    def start() -> str:
        port = free_port()
        log_path = tmp_path / "serve.log"
        serve = subprocess.Popen(
            [sys.executable, "manage.py", "serve"], cwd=settings.BASE_DIR, stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
            env={**os.environ, "PORT": str(port), "DATABASE_URL": database_url(tmp_path),
                 "CLEANRECORD_DATA_DIR": str(settings.DATA_DIR), "CLEANRECORD_WEB_WORKERS": "1",
                 "CLEANRECORD_TASK_BACKEND": "database"})
        started.append((serve, log_path))
        return wait_until_serving(serve, port, log_path)

    yield start
    for serve, log_path in started:
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=60) == 0, log_path.read_text()


def _until(check, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


def test_a_file_uploaded_on_the_web_page_is_imported_by_the_worker(serving, bob, amr):
    bob.set_password("Worker-e2e-2026")
    bob.save()
    browser = Browser(serving())
    browser.open("/accounts/login/")
    status, url, _ = browser.post("/accounts/login/", {"username": bob.username, "password": "Worker-e2e-2026"})
    assert status == 200 and "/login" not in url

    browser.open("/imports/")
    rows = [{"no": f"兰市监罚〔2025〕{n}号"} for n in range(1, 31)]
    status, _, preview = browser.upload("/imports/", {"kind": "penalty", "department": amr.code}, "penalties.csv",
                                        penalty_csv(amr, *rows))
    assert status == 200, preview
    token = re.search(r'name="token" value="([^"]+)"', preview).group(1)
    status, url, page = browser.post("/imports/confirm", {"token": token, "action": "import"})
    assert status == 200 and re.search(r"/imports/\d+/$", url), page
    assert re.search(r"导入结果 #\d+：<span id=\"batch-status\"[^>]*>(排队中|处理中|已完成)<", page)
    if "已完成" not in page:  # the page says where the import stands, and refreshes itself
        assert 'http-equiv="refresh"' in page and "progress" in page

    def finished() -> str | None:
        shown = browser.open(url.removeprefix(browser.base))[2]
        return shown if "已完成" in shown else None

    page = _until(finished)
    assert page, "the worker did not import the file"
    assert re.search(r'id="rows-read">30<', page) and re.search(r'id="rows-created">30<', page)
    assert 'http-equiv="refresh"' not in page


def test_the_api_answers_with_the_batch_and_a_status_url_to_poll(serving, bob, amr):
    _, token = create_token(owner=bob, name="e2e", scopes=["imports:write"])
    base = serving()
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\npenalty\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n").encode() + penalty_csv(amr, {"code": COMPANY}) + \
        f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{base}/api/v1/imports", data=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        status, answer = response.status, json.loads(response.read())
    assert status in (200, 202) and answer["status_url"] == f"/api/v1/imports/{answer['id']}"

    def done():
        poll = urllib.request.Request(base + answer["status_url"], headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(poll, timeout=30) as response:
            now = json.loads(response.read())
        return now if now["status"] == "done" else None

    result = _until(done)
    assert result and result["rows_read"] == 1 and result["rows_created"] == 1 and result["rows_total"] == 1
