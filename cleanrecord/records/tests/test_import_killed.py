"""`kill -9` of an import at any moment leaves nothing behind (issue 12, point 6).

Real `manage.py import_records` processes are stopped at a named point (CLEANRECORD_TEST_PAUSE_AT,
importing/lifetime.py) and killed with SIGKILL: while reading (the reader child alive, on PostgreSQL
the COPY open), while the second process of a two-process load COPYs, and during the merge, with
every record inserted and nothing committed. Then: no record, version or entity; no process the import
started still alive; no backend of it left on the server; its staging table gone once the next import
starts; and the batch shown as 已中断.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import override_settings

from cleanrecord.demo.generate import write_penalty_csv
from cleanrecord.entities.models import Entity
from cleanrecord.records.importing import parallel
from cleanrecord.records.models import ImportBatch, Penalty, RecordVersion
from cleanrecord.records.services import _batch_lock
from cleanrecord.testing.concurrency import shared_database  # noqa: F401 (a fixture)

from .helpers import penalty, penalty_csv, run_import

ROOT = Path(settings.BASE_DIR)
PG = connection.vendor == "postgresql"
WAIT = 60  # seconds: far more than any pause point takes to reach, on a busy machine


@pytest.fixture
def importer(shared_database, tmp_path):  # noqa: F811
    """The environment of an import process on the test database, sharing this process's import folders."""
    dirs = {"IMPORT_DIR": str(tmp_path / "imports"), "TEMP_DIR": str(tmp_path / "tmp")}
    if PG:
        server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        url = f"{server}/{shared_database['NAME']}"
    else:
        url = f"sqlite:///{shared_database['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, **{f"CLEANRECORD_{k}": v for k, v in dirs.items()}}
    env.pop("CLEANRECORD_TEST_PAUSE_AT", None)
    with override_settings(CLEANRECORD={**settings.CLEANRECORD, **dirs}):
        yield env


def processes() -> dict[int, tuple[int, str]]:
    """pid → (parent pid, state) of every process, from /proc."""
    found = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            state, ppid = stat[stat.rindex(")") + 2:].split()[:2]
            found[int(entry.name)] = (int(ppid), state)
    return found


def descendants(pid: int) -> set[int]:
    table = processes()
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, _) in table.items():
            if ppid == parent and child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    """Those still running (a zombie waiting for a parent to reap it runs nothing and holds nothing)."""
    table = processes()
    return {p for p in pids if p in table and table[p][1] not in "ZX"}


def sockets(pid: int) -> set[str]:
    found = set()
    for fd in os.scandir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(fd.path)
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found


def backends() -> list[tuple]:
    """Sessions on the test database other than this test's own."""
    with connection.cursor() as cur:
        cur.execute("SELECT pid, state, backend_xid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
        return cur.fetchall()


def stage_exists(batch_id: int) -> bool:
    if not PG:
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [parallel.stage_name(batch_id)])
        return cur.fetchone()[0]


def until(check, what: str, seconds: float = WAIT):
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.05)


def kill_at(point: str, path: Path, env: dict, tmp_path: Path) -> dict:
    """Run the import of `path` until it pauses at `point`, kill it with SIGKILL; what was alive at the time."""
    log = tmp_path / f"import-{point}.log"
    with log.open("w") as err:
        process = subprocess.Popen([sys.executable, "manage.py", "import_records", str(path), "--kind", "penalty"],
                                   cwd=ROOT, env={**env, "CLEANRECORD_TEST_PAUSE_AT": point},
                                   stdout=subprocess.DEVNULL, stderr=err)
    try:
        def paused():
            if process.poll() is not None:
                pytest.fail(f"the import ended (exit {process.returncode}) before {point}:\n{log.read_text()}")
            return next((int(line.rsplit("=", 1)[1]) for line in log.read_text().splitlines()
                         if line.startswith(f"paused at {point} pid=")), None)

        paused_pid = until(paused, f"the import to pause at {point}")
        children = descendants(process.pid)
        seen = {"children": children, "paused": paused_pid,
                "sockets": {pid: sockets(pid) for pid in {process.pid, *children}}}
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    seen["batch"] = ImportBatch.objects.order_by("-pk").first()
    return seen


def assert_nothing_left(seen: dict) -> None:
    """What must hold right after the kill, before anything sweeps."""
    try:
        until(lambda: not alive(seen["children"]), "the import's children to die with it", 10)
    finally:
        for pid in alive(seen["children"]):  # a failed test leaves no orphan sleeping at its pause point
            os.kill(pid, signal.SIGKILL)
    if PG:
        # The server ends the dead client's sessions, and rolls back their transactions, on its own.
        until(lambda: not backends(), "the killed import's sessions to end", 15)
    assert Penalty.objects.count() == 0
    assert RecordVersion.objects.count() == 0
    assert Entity.objects.count() == seen["entities"]
    batch = seen["batch"]
    assert batch.status == ImportBatch.Status.RUNNING  # as the dead process left it


def assert_next_import_sweeps(seen: dict, tmp_path: Path) -> None:
    """The next import marks the killed one 已中断, drops its staging table, and goes through."""
    killed = seen["batch"]
    run = run_import(penalty_csv(tmp_path / "next.csv", [penalty(1)]))
    assert (run.code, run.batch.status, run.batch.rows_created) == (0, ImportBatch.Status.DONE, 1), run.errors
    killed.refresh_from_db()
    assert killed.status == ImportBatch.Status.INTERRUPTED
    assert killed.get_status_display() == "已中断"
    assert killed.message.startswith("导入已中断")
    assert not stage_exists(killed.pk)
    assert not _batch_lock(killed.pk).exists()
    assert Penalty.objects.count() == 1  # the next file's one record, none of the killed file's


@pytest.fixture
def small_file(shared_database, tmp_path):  # noqa: F811
    """A few thousand rows: read by the one-process path (through the spawned reader)."""
    path = tmp_path / "penalties.csv"
    write_penalty_csv(path, rows=3000, seed=1)
    return path


@pytest.mark.parametrize("point", ["read", "merge"])
def test_a_one_process_import_killed_leaves_nothing(importer, small_file, tmp_path, client, point):
    entities = Entity.objects.count()
    seen = kill_at(point, small_file, importer, tmp_path)
    seen["entities"] = entities

    if point == "read":
        # The spawned reader was alive, holding no database connection; it must not outlive the import.
        readers = seen["children"] - {seen["paused"]}
        assert any(seen["sockets"][pid] == set() for pid in readers), seen
    assert_nothing_left(seen)

    # The page of the batch tells the clerk at once, before any sweep has run.
    office = User.objects.create_user("office-kill", password="pw-office-1")
    office.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    client.force_login(office)
    page = client.get(f"/imports/{seen['batch'].pk}/").content.decode()
    assert "已中断" in page and "导入已中断" in page and "处理中" not in page
    assert_next_import_sweeps(seen, tmp_path)


@pytest.fixture
def large_file(shared_database, tmp_path_factory):  # noqa: F811
    """The smallest CSV the command line loads in two processes (parallel.MIN_BYTES), made once."""
    path = tmp_path_factory.getbasetemp() / "penalties-split.csv"
    if not path.exists():
        rows = 1000
        while True:
            write_penalty_csv(path, rows=rows, seed=2)
            size = path.stat().st_size
            if size >= parallel.MIN_BYTES:
                break
            rows = int(rows * parallel.MIN_BYTES / size * 1.01) + 1
    return path


@pytest.mark.skipif(not PG, reason="files are split between processes on PostgreSQL only")
@pytest.mark.parametrize("point", ["read", "second-part", "merge"])
def test_a_two_process_import_killed_leaves_nothing(importer, large_file, tmp_path, point):
    entities = Entity.objects.count()
    seen = kill_at(point, large_file, importer, tmp_path)
    seen["entities"] = entities

    parent_sockets = set().union(*(seen["sockets"][pid] for pid in seen["sockets"] if pid not in seen["children"]))
    if point == "second-part":
        second = seen["paused"]
        assert second in seen["children"]
        # Its own connection, and none of the importing process's.
        assert len(seen["sockets"][second]) == 1 and not seen["sockets"][second] & parent_sockets
    assert stage_exists(seen["batch"].pk)  # made outside the transaction: the kill leaves it
    assert_nothing_left(seen)
    assert_next_import_sweeps(seen, tmp_path)


@pytest.mark.skipif(not PG, reason="files are split between processes on PostgreSQL only")
@pytest.mark.parametrize("after", [0.0, 0.5, 1.5])
def test_an_import_killed_at_an_unchosen_moment_leaves_nothing(importer, large_file, tmp_path, after):
    """No pause point: killed `after` seconds into the import, wherever it is then (the whole file takes longer)."""
    entities = Entity.objects.count()
    process = subprocess.Popen([sys.executable, "manage.py", "import_records", str(large_file), "--kind", "penalty"],
                               cwd=ROOT, env=importer, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        until(lambda: ImportBatch.objects.exists() or process.poll() is not None, "the import to start")
        time.sleep(after)
        children = descendants(process.pid)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL  # killed, not finished
    seen = {"children": children, "entities": entities, "batch": ImportBatch.objects.get()}
    assert_nothing_left(seen)
    assert_next_import_sweeps(seen, tmp_path)
