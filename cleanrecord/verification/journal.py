"""The verification log, written in batches.

A verification is the platform's busiest request, and writing its log row in it — an INSERT and its commit per
answer — cost the database a third of its time and the web process as much as the rest of the view. Instead,
each answered verification is appended to this process's spool file (one write(), before the answer leaves), and
the spool goes into the database in one transaction per batch: from a background thread, within
CLEANRECORD_VERIFY_LOG_BATCH_SECONDS of its first entry or as soon as CLEANRECORD_VERIFY_LOG_BATCH_SIZE entries
wait, and when the process exits.

Nothing answered is lost when the web process dies: the written line is in the operating system's page cache,
which does not need the process, and a spool file stays locked (flock) only while its process lives. Every
process, on its first verification and then once a minute, takes over the spools whose lock is free — those of
processes that died, and batches the database refused — inserts their entries and deletes them; gunicorn starts
a replacement for a dead worker at once, which does it on its first verification. What may still go: the last
seconds of a machine's crash (the page cache goes with it), and a crash between a batch's commit and its spool's
deletion enters that batch twice (never zero times).

CLEANRECORD_VERIFY_LOG_BATCH_SECONDS=0 writes each entry in the request instead (the tests do: their reports live
in a transaction that no other thread sees).
"""

import atexit
import contextlib
import datetime as dt
import fcntl
import functools
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction

from cleanrecord import conf
from cleanrecord.accounts.models import Organisation, OrganisationMember
from cleanrecord.lib.columns import column

from .models import VerificationLog

logger = logging.getLogger("cleanrecord.verification")

# (report id or None, when (ISO 8601, with its offset), channel, result, client key, the signed-in user's id or
# None): the user's organisation is looked up when the entry is written (a subquery of the INSERT).
Entry = tuple[int | None, str, str, str, str, int | None]

SWEEP_SECONDS = 60.0  # how often a process looks for spools left by processes that died
SUFFIX = ".spool"


def record(report_id: int | None, at: dt.datetime, channel: str, result: str, client: str,
           member: int | None = None) -> None:
    """Log one verification: into the spool (batched) or straight into the database (batching off)."""
    entry: Entry = (report_id, at.isoformat(), channel, result, client, member)
    seconds = conf.get("VERIFY_LOG_BATCH_SECONDS")
    if not seconds:
        write([entry])
        return
    _journal().append(entry, seconds, conf.get("VERIFY_LOG_BATCH_SIZE"))


def folder() -> Path:
    return Path(settings.DATA_DIR) / "verification-spool"


def write(entries: list[Entry]) -> None:
    """Insert `entries` in one transaction (psycopg sends the rows in one pipeline). A row the database refuses
    (its report deleted since) is left out, with a warning, rather than holding back the others."""
    alias = router.db_for_write(VerificationLog)
    connection = connections[alias]
    try:
        if len(entries) == 1:  # one statement: atomic by itself
            with connection.cursor() as cursor:
                cursor.execute(_log_sql(alias, entries[0][5] is not None), _row(connection, entries[0]))
        else:
            with transaction.atomic(using=alias), connection.cursor() as cursor:
                for signed_in in (False, True):
                    rows = [_row(connection, e) for e in entries if (e[5] is not None) == signed_in]
                    if rows:
                        cursor.executemany(_log_sql(alias, signed_in), rows)
        return
    except IntegrityError:
        if len(entries) == 1:
            logger.warning("verification log entry left out (its report is gone): %s", entries[0])
            return
    for entry in entries:
        try:
            with transaction.atomic(using=alias), connection.cursor() as cursor:
                cursor.execute(_log_sql(alias, entry[5] is not None), _row(connection, entry))
        except IntegrityError:
            logger.warning("verification log entry left out (its report is gone): %s", entry)


def _row(connection, entry: Entry) -> list:
    report_id, at, channel, result, client, member = entry
    row = [report_id, connection.ops.adapt_datetimefield_value(dt.datetime.fromisoformat(at)), channel, result,
           client]
    return row if member is None else [*row, member]



@functools.cache
def _log_sql(alias: str, signed_in: bool) -> str:
    """The INSERT, written once (the ORM's compiling cost more than the database's work on this path). With a
    signed-in user, the organisation they are an active member of (if any) by a subquery of the same statement."""
    quote = connections[alias].ops.quote_name
    names = ("report", "at", "channel", "result", "client") + (("organisation",) if signed_in else ())
    columns = ", ".join(quote(column(VerificationLog, name)) for name in names)
    table = quote(VerificationLog._meta.db_table)
    if not signed_in:
        return f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)"
    member, organisation = OrganisationMember, Organisation
    subquery = (
        f"(SELECT m.{quote(column(member, 'organisation'))} FROM {quote(member._meta.db_table)} m "
        f"JOIN {quote(organisation._meta.db_table)} o ON o.{quote(column(organisation, 'id'))} = "
        f"m.{quote(column(member, 'organisation'))} "
        f"WHERE m.{quote(column(member, 'user'))} = %s AND o.{quote(column(organisation, 'active'))})")
    return f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, {subquery})"


class Journal:
    """This process's spool: entries waiting for the database, in memory and in a locked file."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.pid = 0
        self.fd = -1
        self.path: Path | None = None
        self.pending: list[Entry] = []
        self.seconds = 1.0
        self.size = 500
        self.swept = 0.0

    def append(self, entry: Entry, seconds: float, size: int) -> None:
        line = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        with self.lock:
            if self.pid != os.getpid():  # first use in this process (or a fork of one that used it)
                self._start()
            self.seconds, self.size = seconds, size
            os.write(self.fd, line)
            self.pending.append(entry)
            full = len(self.pending) >= size
        if full:
            self.wake.set()

    def _start(self) -> None:
        self.pid = os.getpid()
        self.pending = []
        self._open()
        threading.Thread(target=self._run, name="verification-log", daemon=True).start()
        atexit.register(self.close)

    def _open(self) -> None:
        """A new spool file, locked for as long as this process holds it open."""
        folder().mkdir(parents=True, exist_ok=True)
        path = folder() / f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:12]}{SUFFIX}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.fd, self.path = fd, path

    def flush(self) -> None:
        """Hand the waiting entries to the database. The spool that held them is swapped for a new one first, so
        that verifications go on appending while the batch is written; it is deleted once the batch is committed,
        or unlocked (left to the next sweep) when the database refused it."""
        with self.lock:
            if not self.pending or self.pid != os.getpid():
                return
            batch, fd, path = self.pending, self.fd, self.path
            self.pending = []
            self._open()
        try:
            write(batch)
        except Exception:  # noqa: BLE001 — the database is away: the batch waits in its file for the next sweep
            logger.exception("verification log: %d entries kept in %s for later", len(batch), path)
            os.close(fd)
            return
        finally:
            _close_connection()
        assert path is not None
        path.unlink()
        os.close(fd)

    def close(self) -> None:
        """At the process's exit: write what waits, and remove the spool, then empty."""
        self.flush()
        with self.lock:
            if self.pid == os.getpid() and not self.pending and self.path is not None:
                self.path.unlink(missing_ok=True)
                os.close(self.fd)
                self.pid, self.fd, self.path = 0, -1, None

    def _run(self) -> None:
        try:
            sweep(skip=self.path)
        except Exception:  # noqa: BLE001 — as below; the next sweep comes in a minute
            logger.exception("verification log: sweep failed")
        self.swept = time.monotonic()
        while True:
            self.wake.wait(self.seconds)
            self.wake.clear()
            try:
                self.flush()
                if time.monotonic() - self.swept >= SWEEP_SECONDS:
                    self.swept = time.monotonic()
                    sweep(skip=self.path)
            except Exception:  # noqa: BLE001 — the thread must outlive a bad moment; the entries stay on disk
                logger.exception("verification log: flush failed")


_journals: dict[str, Journal] = {}


def _journal() -> Journal:
    """One journal per data directory (tests and benchmarks change it within a process)."""
    key = str(settings.DATA_DIR)
    if key not in _journals:
        _journals[key] = Journal()
    return _journals[key]


def flush() -> None:
    """Write this process's waiting entries now (before reading the log back in the same process)."""
    for journal in list(_journals.values()):
        journal.flush()


def sweep(skip: Path | None = None) -> int:
    """Insert and delete every spool no living process holds: those of processes that died, and batches the
    database refused earlier. Returns how many entries went in."""
    done = 0
    with contextlib.suppress(FileNotFoundError):
        for path in sorted(folder().glob(f"*{SUFFIX}")):
            if path != skip:
                done += _take_over(path)
    _close_connection()
    return done


def _take_over(path: Path) -> int:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return 0
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # its process is alive (or another sweep has it)
        try:  # another sweep may have taken it over and deleted it between our open() and our lock
            if os.fstat(fd).st_ino != os.stat(path).st_ino:
                return 0
        except FileNotFoundError:
            return 0
        entries = list(_read(fd, path))
        for start in range(0, len(entries), 1000):
            write(entries[start:start + 1000])
        path.unlink()
        if entries:
            logger.info("verification log: %d entries taken over from %s", len(entries), path.name)
        return len(entries)
    finally:
        os.close(fd)


def _read(fd: int, path: Path) -> Iterator[Entry]:
    with os.fdopen(os.dup(fd), "rb") as f:
        for number, line in enumerate(f, 1):
            parsed = _parse(line)
            if parsed is None:
                # Only a line cut by a machine's crash: the process writes each line whole.
                logger.warning("verification log: line %d of %s unreadable, left out", number, path.name)
            else:
                yield parsed


def _parse(line: bytes) -> Entry | None:
    try:
        report_id, at, channel, result, client, member = json.loads(line)
        dt.datetime.fromisoformat(at)
    except (ValueError, TypeError):
        return None
    if not all(v is None or isinstance(v, int) for v in (report_id, member)) or not all(
            isinstance(v, str) for v in (channel, result, client)):
        return None
    return report_id, at, channel, result, client, member


def _close_connection() -> None:
    """The background thread's own connection is closed after each batch: it is used once a second at most."""
    if threading.current_thread() is not threading.main_thread():
        connections[router.db_for_write(VerificationLog)].close()

