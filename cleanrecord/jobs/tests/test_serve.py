"""`manage.py serve` as `make run` starts it: gunicorn and the task worker, static files through whitenoise,
DEBUG off; SIGTERM stops both children."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings

from cleanrecord.testing.server import database_url, free_port, wait_until_serving

pytestmark = pytest.mark.django_db(transaction=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_serve_runs_gunicorn_and_the_worker_serves_static_files_and_stops_both_on_sigterm(tmp_path):
    port = free_port()
    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    serve = subprocess.Popen(
        [sys.executable, "manage.py", "serve"], cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PORT": str(port), "DEBUG": "true", "DATABASE_URL": database_url(tmp_path),
             "CLEANRECORD_DATA_DIR": str(settings.DATA_DIR), "CLEANRECORD_WEB_WORKERS": "1"})
    try:
        url = wait_until_serving(serve, port, log_path)
        pids = dict(re.findall(r"(web|worker) pid=(\d+)", log_path.read_text()))
        web, worker = int(pids["web"]), int(pids["worker"])

        status, headers, body = _get(f"{url}/verify")
        assert status == 200 and "核验" in body.decode()
        status, headers, body = _get(f"{url}/static/front/site.css")
        assert status == 200 and headers["Content-Type"].startswith("text/css") and body
        status, _, body = _get(f"{url}/nowhere-at-all")
        assert status == 404 and b"Traceback" not in body  # DEBUG is off whatever the environment says

        deadline = time.monotonic() + 30
        while True:  # the worker's first heartbeat makes the site ready
            status, _, body = _get(f"{url}/readyz")
            if status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert status == 200, body
        assert json.loads(body)["checks"]["worker"] == "ok"
    finally:
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=60) == 0, log_path.read_text()
    assert not _alive(web) and not _alive(worker)
    assert "已停止" in log_path.read_text()
