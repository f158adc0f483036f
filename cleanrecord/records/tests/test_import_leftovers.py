"""A killed import leaves neither a batch "running" forever nor a clear-text copy of its file (issue 11)."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from cleanrecord.audit.models import AuditEntry
from cleanrecord.records.importing import locks
from cleanrecord.records.models import ImportBatch
from cleanrecord.records.services import INTERRUPTED, _batch_lock, sweep_imports, temp_dir

pytestmark = pytest.mark.django_db

HOLD = "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600); " \
       "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)"


@pytest.fixture
def dirs(tmp_path):
    with override_settings(CLEANRECORD={**settings.CLEANRECORD, "IMPORT_DIR": str(tmp_path / "imports"),
                                        "TEMP_DIR": str(tmp_path / "tmp")}):
        yield tmp_path


def held_by_a_process(path):
    """A real process holding the lock on `path`, as an importing worker does."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def running_batch(**fields) -> ImportBatch:
    return ImportBatch.objects.create(kind="penalty", file_name="p.csv", **fields)


def test_a_batch_whose_process_was_killed_is_marked_interrupted_and_its_files_deleted(dirs):
    batch = running_batch()
    worker = held_by_a_process(_batch_lock(batch.pk))
    upload = temp_dir("uploads") / "tmpabc.upload.csv"
    upload.write_text("张三,620102198503151234\n", encoding="utf-8")
    holder = held_by_a_process(upload)
    errors = dirs / "imports" / f"batch-{batch.pk}-errors.csv"
    errors.write_text("half-written", encoding="utf-8")
    old = time.time() - 2 * 3600
    for path in (upload, _batch_lock(batch.pk)):
        os.utime(path, (old, old))

    assert sweep_imports().interrupted == []  # alive: nothing touched, whatever the age
    assert ImportBatch.objects.get().status == ImportBatch.Status.RUNNING
    assert upload.exists()

    for process in (worker, holder):
        process.send_signal(signal.SIGKILL)
        process.wait()
    result = sweep_imports()

    batch.refresh_from_db()
    assert result.interrupted == [batch.pk]
    assert (batch.status, batch.message) == (ImportBatch.Status.INTERRUPTED, INTERRUPTED)
    assert batch.get_status_display() == "已中断"
    assert batch.message.startswith("导入已中断")
    assert not upload.exists() and not errors.exists() and not _batch_lock(batch.pk).exists()
    assert result.files_removed == 1
    entry = AuditEntry.objects.filter(action="records.import_interrupted").get()
    assert entry.target == f"import_batch:{batch.pk}"


def test_a_running_batch_without_a_lock_here_is_left_alone_until_it_is_stale(dirs):
    young = running_batch()
    old = running_batch()
    ImportBatch.objects.filter(pk=old.pk).update(started_at=timezone.now() - dt.timedelta(hours=25))

    assert sweep_imports().interrupted == [old.pk]
    assert ImportBatch.objects.get(pk=young.pk).status == ImportBatch.Status.RUNNING


def test_fresh_and_locked_temporary_files_are_kept(dirs):
    fresh = temp_dir("imports") / "fresh.csv"
    fresh.write_text("x", encoding="utf-8")
    stale = temp_dir("imports") / "stale.csv"
    stale.write_text("x", encoding="utf-8")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    locked = temp_dir("uploads") / "in-use.upload.xlsx"
    locked.write_text("x", encoding="utf-8")
    os.utime(locked, (old, old))

    with locks.held(locked):
        result = sweep_imports()

    assert (fresh.exists(), stale.exists(), locked.exists()) == (True, False, True)
    assert result.files_removed == 1


def test_the_command_reports_what_it_swept(dirs, capsys):
    batch = running_batch()
    _batch_lock(batch.pk).touch()  # left by a process that is gone an instant ago: a lock file appears locked
    alive = running_batch()

    with locks.held(_batch_lock(alive.pk), create=True, remove=True):
        call_command("sweep_imports")

    out = capsys.readouterr().out
    assert f"导入批次 #{batch.pk} 已中断" in out
    assert "中断的导入批次 1 个" in out
    assert ImportBatch.objects.get(pk=alive.pk).status == ImportBatch.Status.RUNNING
    assert ImportBatch.objects.get(pk=batch.pk).get_status_display() == "已中断"


def test_a_lock_file_is_locked_before_it_has_its_name(dirs):
    lock = _batch_lock(running_batch().pk)
    with locks.held(lock, create=True, remove=True):
        assert locks.is_held(lock)
        assert [p.name for p in lock.parent.iterdir()] == [lock.name]  # nothing half-made left beside it
    assert not lock.exists()


def test_an_import_leaves_no_lock_and_no_copy_behind(dirs, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cleanrecord.records.services import import_upload

    batch = import_upload(user=None, upload=SimpleUploadedFile("p.csv", b"\xff\xfe\x00"), kind="penalty", department=None,
                          mapping=None, dry_run=False, channel=ImportBatch.Channel.API)

    assert batch.status == ImportBatch.Status.FAILED
    assert [p for p in (tmp_path / "tmp").rglob("*") if p.is_file()] == []
    assert not _batch_lock(batch.pk).exists()


@pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                    reason="shared staging tables exist on PostgreSQL only")
def test_staging_tables_no_running_import_owns_are_dropped(dirs, capsys):
    from django.db import connection

    from cleanrecord.records.importing import parallel

    failed = running_batch()
    ImportBatch.objects.filter(pk=failed.pk).update(status=ImportBatch.Status.FAILED)  # its stage's DROP was lost
    alive = running_batch()
    gone_id = alive.pk + 1000  # a batch that is not there at all
    with connection.cursor() as cur:
        for batch_id in (failed.pk, alive.pk, gone_id):
            cur.execute(f"CREATE UNLOGGED TABLE {parallel.stage_name(batch_id)} (row_no integer)")
        cur.execute("CREATE TABLE import_stage_notes (row_no integer)")  # not a stage: never matched

    def left() -> set[str]:
        with connection.cursor() as cur:
            cur.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'import_stage%%'")
            return {name for (name,) in cur.fetchall()}

    with locks.held(_batch_lock(alive.pk), create=True, remove=True):
        call_command("sweep_imports")

    assert left() == {parallel.stage_name(alive.pk), "import_stage_notes"}
    assert ImportBatch.objects.get(pk=alive.pk).status == ImportBatch.Status.RUNNING
