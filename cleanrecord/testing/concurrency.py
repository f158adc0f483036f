"""Tests that run requests really at once: threads, each with its own database connection.

pytest-django's SQLite test database lives in memory, shared between connections through SQLite's
shared cache, whose table locks fail at once instead of waiting: nothing like a deployment. The
`shared_database` fixture therefore gives SQLite tests a file copy of the test database, with the
project's own connection options (WAL, IMMEDIATE transactions, busy timeout), for the main thread and
every thread started meanwhile. On PostgreSQL it is the test database itself, committed
(transactional_db).
"""

import sqlite3
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connections

from cleanrecord.reference.models import Department


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """The database as a deployment has it, for tests that start threads; returns its settings."""
    if not Department.objects.exists():  # an earlier transactional test flushed what the session loaded
        call_command("load_reference", verbosity=0)
    default = connections["default"]
    if default.vendor != "sqlite":
        yield default.settings_dict
        return
    path = tmp_path / "shared.sqlite3"
    default.ensure_connection()
    target = sqlite3.connect(path)
    default.connection.backup(target)
    target.close()
    file_settings = {**default.settings_dict, "NAME": str(path)}
    original_settings = connections.settings["default"]
    # New threads make their connections from here; the in-memory connection stays open (closing it
    # would drop the test database) and is put back for pytest-django's flush.
    connections.settings["default"] = file_settings
    connections["default"] = connections.create_connection("default")
    try:
        yield file_settings
    finally:
        connections["default"].close()
        connections["default"] = default
        connections.settings["default"] = original_settings


def run_at_once(work: Callable[[int], object], count: int) -> list:
    """Call work(0) … work(count - 1) in `count` threads released together; their results (or the
    exceptions they raised) in order. Each thread closes its own connection."""
    start = threading.Barrier(count)

    def one(i: int):
        try:
            start.wait()
            return work(i)
        except Exception as e:  # the caller asserts on it
            return e
        finally:
            connections.close_all()

    # Threads switch often, as separate server processes would interleave, not once per request.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(one, range(count)))
    finally:
        sys.setswitchinterval(interval)
