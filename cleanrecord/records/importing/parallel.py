"""Loading a large CSV file in two processes at once.

Reading, checking and staging the rows is Python's work on one core (about 40 µs a row), while
PostgreSQL needs little of the other. So a large UTF-8 CSV is cut in two at a record boundary near
its middle: the importing process reads the first part as ever (title rows, header, every check),
and a forked process reads the second part, checks its rows with the same parser and COPYs them over
a connection of its own into the same staging table, an unlogged table of the import's own. No row
crosses between the processes; the second one hands back its counts, the last row naming each credit
code, and its rejected rows and warnings in a file of their own, appended to the error file after the
first part's. Rows are numbered as one process numbers them, so in-file duplicates, error reports
and new entities come out the same. Everything after loading stays in the importing process and its
one transaction.

The cut is found by a pass over the bytes that tracks quotes (RFC 4180: a quoted cell may hold line
ends, a doubled quote inside it changes nothing) and counts the records before it. The first part
then has to prove it: read up to the cut, it must end after exactly that many records, with nothing
left open (readers.PART_END). Any doubt — a stray quote in an unquoted cell, a bare CR line end, a
file that cannot be read — and the import starts again in one process, which gives the answer (or
the refusal) the single process always gave.

A killed import takes the second process with it (lifetime.py): its COPY is then cut off, and the
server rolls it back. The second process shares no database connection with the first: the first
closes its own before the fork when it can, and the second closes its copy of any socket it inherited
(without a word to the server, which would end the first process's session).
"""

import contextlib
import csv
import logging
import multiprocessing
import os
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.db import connection, connections

from cleanrecord.lib import fieldcrypt, spreadsheets

from .lifetime import die_with_parent, pause_at
from .readers import CHUNK, Limits, UnreadableFile, csv_part_rows, detect_encoding, sniff_format
from .rejected import RejectedRows
from .rows import ERROR_FILE_LEVELS

log = logging.getLogger("cleanrecord.records")

MIN_BYTES = 20 * 1024 * 1024  # below this, a second process costs more than it saves
KINDS = ("penalty", "licence", "listing", "compulsion", "judgment")  # the kinds staged by StagingWriter
ENCODINGS = ("utf-8", "utf-8-sig")  # a line end byte is a character boundary, and BOM-less parts decode alone


class Unsafe(Exception):
    """The file is not split after all: it is loaded again in one process."""


@dataclass(frozen=True)
class Split:
    encoding: str
    offset: int  # where the second part starts: just after a line end outside quotes
    rows: int  # records before it, blank and title rows included: the row number of the first part's last


@dataclass
class Part:
    """What the second process hands back: no rows, only what the import counts and reports."""

    read: int = 0
    rejected: int = 0
    warned: int = 0
    staged: int = 0
    entity_rows: dict[str, int] = field(default_factory=dict)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _read_committed() -> bool:
    """Whether the import's transaction will be READ COMMITTED, as it must to see the rows the second
    process commits while it runs (a REPEATABLE READ or SERIALIZABLE snapshot would be older than they are)."""
    with connection.cursor() as cur:
        cur.execute("SHOW transaction_isolation")  # the server's default, or the caller's open transaction's
        server = cur.fetchone()[0]
    # Set from the database OPTIONS, psycopg begins each transaction at this level; None: the server's.
    level = connection.connection.isolation_level
    return server == "read committed" and level in (None, psycopg.IsolationLevel.READ_COMMITTED)


def plan(path: Path, kind: str) -> tuple[str | None, Split | None]:
    """(encoding, split): the encoding when this look found it (a CSV), and where to split the file when
    it is worth loading in two processes; (None, None) for anything else."""
    if kind not in KINDS or connection.vendor != "postgresql" or _cpus() < 2:
        return None, None
    size = path.stat().st_size
    if size < MIN_BYTES or sniff_format(path) != "csv":
        return None, None
    if not _read_committed():
        return None, None
    encoding, skip = detect_encoding(path)
    if encoding not in ENCODINGS:
        return encoding, None
    found = find_split(path, skip + (size - skip) // 2)
    return encoding, Split(encoding, *found) if found else None


def _records(data: bytes, quoted: bool) -> tuple[int, bool] | None:
    """Line ends outside quotes in `data`, read from inside a quoted cell when `quoted`, and whether
    its end is inside one; None when a CR stands alone outside quotes (a record end this pass leaves
    to the one-process reader)."""
    if b'"' in data:
        pieces: Sequence[bytes] = data.split(b'"')
        ends_quoted = quoted ^ (len(pieces) % 2 == 0)
        pieces = pieces[1::2] if quoted else pieces[0::2]
    else:
        ends_quoted = quoted
        pieces = () if quoted else (data,)
    n = 0
    for piece in pieces:
        if piece.count(b"\r") != piece.count(b"\r\n"):
            return None
        n += piece.count(b"\n")
    return n, ends_quoted


def find_split(path: Path, target: int) -> tuple[int, int] | None:
    """(offset, records before it): the first line end outside quotes at or after byte `target`, or None."""
    size = path.stat().st_size
    records, quoted, pos = 0, False, 0
    with path.open("rb") as f:
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                return None
            chunk += f.readline()  # whole lines: a CRLF is never cut in two
            if pos + len(chunk) < target:
                counted = _records(chunk, quoted)
                if counted is None:
                    return None
                records, quoted = records + counted[0], counted[1]
                pos += len(chunk)
                continue
            for line in chunk.splitlines(keepends=True):  # ends at CR, LF or CRLF; a lone CR gives up below
                counted = _records(line, quoted)
                if counted is None:
                    return None
                records, quoted = records + counted[0], counted[1]
                pos += len(line)
                if counted[0] and pos >= target and pos < size:
                    return pos, records


def stage_name(batch_id: int) -> str:
    return f"import_stage_{batch_id}"


def load(rows, parser, writer, errors, kept=None, pause: str = "read") -> tuple[int, int, int]:
    """Parse, check and stage `rows`; rejected rows and warnings go to the csv writer `errors`, and the
    rejected rows themselves, as read, to `kept` (rejected.RejectedRows). Returns (read, rejected, warned).
    `pause`: the test pause point (lifetime.pause_at) after 1,000 rows."""
    read = rejected = warned = 0
    for row_no, cells in rows:
        read += 1
        if read == 1000:
            pause_at(pause)
        parsed, issues = parser.parse(row_no, cells)
        if issues:
            for i in issues:
                errors.writerow([i.row, i.column, i.value, ERROR_FILE_LEVELS[i.level], i.reason])
            if parsed is None:
                rejected += 1
                if kept is not None:
                    kept.add(row_no, cells, issues)
                continue
            warned += 1
        writer.add(parsed)
    return read, rejected, warned


class SecondPart:
    """The second part of a split file, loaded by a forked process into the writer's shared stage."""

    def __init__(self, path: Path, split: Split, delimiter: str, parser, writer, issues_path: Path,
                 limits: Limits | None = None):
        self.path, self.split, self.delimiter, self.limits = path, split, delimiter, limits
        self.parser, self.writer, self.issues_path = parser, writer, issues_path
        self.rejected_path = issues_path.with_suffix(".rows")  # its rejected rows (rejected.RejectedRows)
        self._process: Any = None  # the second part's process and the pipe its outcome comes back by
        self._result: Any = None

    def start(self) -> None:
        params = connection.get_connection_params()
        try:
            conn = psycopg.connect(**params, autocommit=True)
        except psycopg.OperationalError as e:  # say, no connection to spare: one process will do
            raise Unsafe(f"no second connection: {e}") from e
        with conn:
            self.writer.create_shared_stage(conn)
        fieldcrypt.blind_index("")  # the field key read (or made) once, before the fork: one key for both
        # Not shared with the child: closed here (reopened on next use) unless a caller's transaction
        # holds one open, which the child then closes its copy of (_close_inherited).
        for wrapper in connections.all(initialized_only=True):
            if not wrapper.in_atomic_block:
                wrapper.close()
        context = multiprocessing.get_context("fork")  # the parser and the reference data it holds, as they are
        self._result, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_second_part, name="cleanrecord-import-part-2", daemon=True,
                                        args=(sender, params, self.path, self.split, self.delimiter, self.parser,
                                              self.writer, self.issues_path, self.limits, self.rejected_path,
                                              os.getpid()))
        self._process.start()
        sender.close()

    def result(self) -> Part:
        """Wait for the second part. Raises Unsafe when it was not loaded: whatever went wrong, one process
        then loads the whole file, and fails, if it does, as it always did."""
        try:
            outcome, value = self._result.recv()
        except EOFError:
            self._process.join()
            raise Unsafe(f"the second process ended without a word (exit code {self._process.exitcode})") from None
        self._process.join(30)  # it has nothing left to do but close its connection
        if outcome != "ok":
            raise Unsafe(value)
        return value

    def append_issues(self, errors_file) -> None:
        with self.issues_path.open(encoding="utf-8", newline="") as f:
            while chunk := f.read(CHUNK):
                errors_file.write(chunk)

    def close(self) -> None:
        """Stop the process if it still runs, and drop the stage unless merge() did (after a failure or a
        dry run). Call outside the import's transaction."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._result.close()
        self.issues_path.unlink(missing_ok=True)
        self.rejected_path.unlink(missing_ok=True)
        try:
            self.writer.drop_shared_stage()
        except Exception:
            log.exception("could not drop the staging table %s", self.writer.stage)


_inherited: list = []


def _close_inherited() -> None:
    """Close this process's copies of the parent's database sockets, without a word to the server.

    Closing a connection the usual way would end the parent's session; so only the socket is closed
    here, and the connection objects are kept from being used or finalised (multiprocessing ends this
    process with os._exit)."""
    for wrapper in connections.all(initialized_only=True):
        inherited = wrapper.connection
        wrapper.connection = None
        if inherited is None:
            continue
        _inherited.append(inherited)
        with contextlib.suppress(Exception):
            os.close(inherited.pgconn.socket)


def _second_part(sender, params: dict, path: Path, split: Split, delimiter: str, parser, writer, issues_path: Path,
                 limits: Limits | None = None, rejected_path: Path | None = None, parent_pid: int = 0):
    """The forked process: read, check and stage the rows from split.offset on, over a connection of its own."""
    if parent_pid:
        die_with_parent(parent_pid)
    _close_inherited()
    try:
        conn = psycopg.connect(**params)
    except psycopg.OperationalError as e:
        sender.send(("unsafe", f"no connection for the second part: {e}"))
        sender.close()
        return
    try:
        with conn.cursor() as cur, issues_path.open("w", encoding="utf-8", newline="") as f:
            writer.start_copy(cur)
            try:
                rows = csv_part_rows(path, split.offset, split.rows + 1, delimiter, limits)
                kept = RejectedRows(rejected_path, None) if rejected_path is not None else None
                try:
                    read, rejected, warned = load(rows, parser, writer, spreadsheets.csv_writer(f), kept,
                                                  pause="second-part")
                finally:
                    if kept is not None:
                        kept.close()
            except BaseException as e:
                writer.abort(e)  # ends the COPY, which a rollback could not interrupt
                raise
            writer.finish_loading()
        conn.commit()
        outcome: tuple[str, Part | str] = ("ok", Part(read, rejected, warned, writer.rows, writer._entity_rows))
    except (UnreadableFile, UnicodeDecodeError, csv.Error) as e:  # the one process says what is wrong
        outcome = ("unsafe", f"{type(e).__name__}: {e}")
    except BaseException as e:
        log.warning("loading the second part of %s failed:\n%s", path, traceback.format_exc())
        outcome = ("error", f"{type(e).__name__}: {e}")
    try:
        sender.send(outcome)
        sender.close()
    finally:
        conn.close()  # without a rollback first: the server drops what was not committed
