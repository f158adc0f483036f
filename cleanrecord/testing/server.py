"""Real server processes for tests: this test's database as a URL a subprocess can open, a free port, and
waiting until a process answers. Used by the tests that start gunicorn, `manage.py serve` or a worker."""

import http.client
import socket
import sqlite3
import time
from pathlib import Path

from django.db import connection


def database_url(tmp_path: Path) -> str:
    """This test's database for another process: PostgreSQL's test database, or on SQLite a file copy of the
    in-memory one (threads of a live server would share one SQLite connection)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(tmp_path / "db.sqlite3")
        connection.connection.backup(copy)
        copy.close()
        return f"sqlite:///{tmp_path / 'db.sqlite3'}"
    db = connection.settings_dict
    return f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(process, port: int, log: Path, path: str = "/verify", seconds: float = 60) -> str:
    """The base URL once `path` answers 200 on `port`; fails with the process's log if it dies or takes too long."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", path)
            if probe.getresponse().status == 200:
                return f"http://127.0.0.1:{port}"
        except OSError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
