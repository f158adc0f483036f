"""Importing a department file: the one code path behind the CLI, the web upload and the API."""

import contextlib
import csv
import datetime as dt
import hashlib
import json
import logging
import re
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import psycopg
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cleanrecord import conf
from cleanrecord.audit.services import record_event
from cleanrecord.entities.models import Entity
from cleanrecord.lib import spreadsheets
from cleanrecord.lib.identifiers import check_credit_code
from cleanrecord.lib.refusals import Refused
from cleanrecord.reference.models import Department, Domain, Region

from .importing import locks, parallel, progress
from .importing.layouts import header_key
from .importing.profiles import Spec, row_parser
from .importing.readers import Limits, PartMismatch, UnreadableFile, open_csv
from .importing.register import RegisterWriter
from .importing.rejected import RejectedRows, rejected_rows_path
from .importing.rows import Context, Issue, MappingError
from .importing.sandbox import HeaderTest, open_table_isolated
from .importing.writer import StagingWriter
from .models import KIND_LABELS, RECORD_MODELS, ImportBatch, ImportProfile
from .signals import import_finished

log = logging.getLogger("cleanrecord.records")

KINDS = tuple(KIND_LABELS)  # penalty, licence, listing, compulsion, judgment, register
NATURAL_KEYS = {
    "penalty": ("subject_key", "authority_code", "decision_no"),
    "licence": ("subject_key", "authority_code", "doc_no"),
    "listing": ("subject_key", "authority_code", "list_type", "listing_ref"),
    "compulsion": ("subject_key", "authority_code", "decision_no"),
    "judgment": ("subject_key", "authority_code", "case_no"),
}
KINDS_TEXT = "、".join(KINDS)  # for refusals: "kind 应为 penalty、licence、…"
ERROR_HEADER = [gettext_noop("行号"), gettext_noop("列"), gettext_noop("值"), gettext_noop("级别"), gettext_noop("原因")]
MIN_RECOGNISED = 3


@dataclass
class ImportResult:
    batch: ImportBatch

    @property
    def exit_code(self) -> int:
        """0: every row accepted; 1: some rows rejected; 2: the file could not be read or applied."""
        if self.batch.status in (ImportBatch.Status.FAILED, ImportBatch.Status.INTERRUPTED):
            return 2
        return 1 if self.batch.rows_rejected else 0

    def issues(self) -> Iterator[Issue]:
        """Every rejected row and warning, read back from the batch's error file."""
        if not self.batch.error_file or not Path(self.batch.error_file).exists():
            return
        with open(self.batch.error_file, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            next(reader, None)
            for row, column, value, level, reason in reader:
                yield Issue(int(row), column, spreadsheets.unquote(value), reason, "error" if level == "拒收" else "warning")

    def rejected_rows(self) -> Path | None:
        """The file of the rejected rows as sent (importing/rejected.py), when the batch refused any."""
        if not self.batch.rows_rejected or not self.batch.error_file:
            return None
        path = rejected_rows_path(self.batch.error_file, self.batch.pk)
        return path if path.exists() else None


def load_mapping(path: Path) -> dict[str, str]:
    try:
        mapping = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise MappingError(_("字段映射文件无法读取：%(error)s") % {"error": e}) from e
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise MappingError(_("字段映射文件应为 JSON 对象：{\"文件中的列名\": \"标准列名或列代码\"}"))
    return mapping


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


class _Sha256Meanwhile:
    """The file's SHA-256, computed by a thread while the rows are read (hashlib lets go of the GIL on
    large chunks): on a 600 MB file, a second less before the first row."""

    def __init__(self, path: Path):
        self._result: list[str] = []
        self._thread = threading.Thread(target=lambda: self._result.append(_sha256(path)), daemon=True,
                                        name="import-sha256")
        self._thread.start()

    def result(self) -> str:
        self._thread.join()
        return self._result[0] if self._result else ""


def _context(department: Department | None) -> Context:
    domains: dict[str, str] = {}
    for d in Domain.objects.all():
        domains[d.code] = domains[d.name] = d.code
    root = Region.objects.filter(parent=None).first()
    regions: dict[str, str] = {}
    for r in Region.objects.all():  # a district by its name alone or with the city's in front
        regions[r.name] = r.code
        if root is not None and r.parent_id == root.code:
            regions[root.name + r.name] = r.code
    return Context(
        department=department,
        departments_by_credit_code={d.credit_code: d for d in Department.objects.filter(is_active=True)},
        domains=domains,
        today=timezone.localdate(),
        max_fine_wan=Decimal(conf.get("MAX_FINE_WAN")),
        regions=regions,
        find_credit_code=RegisterLookup(),
    )


class RegisterLookup:
    """Finds a credit code in the register by 组织机构代码 or 工商注册号 while rows are parsed.

    On PostgreSQL the import's connection is busy streaming COPY into the stage while rows are parsed: a
    query on it would wait for ever. The rare rows that need the register ask over a connection of their
    own, opened on first use (so never inherited by the second process of a split file) and closed after.
    """

    def __init__(self):
        self._conn = None

    def __call__(self, *, org_code: str = "", reg_no: str = "") -> str | None:
        if connection.vendor != "postgresql":
            return Entity.objects.credit_code_for(org_code=org_code, reg_no=reg_no)
        if not org_code and not reg_no:
            return None
        if self._conn is None:
            self._conn = psycopg.connect(**connection.get_connection_params(), autocommit=True)
        sql, params = Entity.objects.by_secondary_code(org_code=org_code, reg_no=reg_no).query.sql_with_params()
        found = [r[0] for r in self._conn.execute(sql, params).fetchall()]
        return found[0] if len(found) == 1 else None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def import_file(
    *,
    path: Path,
    kind: str,
    department: Department | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    user=None,
    channel: str = ImportBatch.Channel.CLI,
    file_name: str = "",
    profile: ImportProfile | None = None,
    batch: ImportBatch | None = None,
) -> ImportResult:
    """Import one file of `kind`: every valid row applied, every bad row reported, in one transaction.

    Returns the batch with its counts; the batch is kept even when the file could not be read. `batch` is
    the queued batch of a web or API upload (queue_import), which the worker's task imports here.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    path = Path(path)
    sha256 = _Sha256Meanwhile(path)
    try:
        # What a killed import left (its batch "running", a staging table) is cleared before the next starts.
        sweep_imports()
    except Exception:
        log.exception("sweeping earlier imports failed; importing all the same")
    if batch is None:
        batch = ImportBatch.objects.create(
            kind=kind, department=department, file_name=file_name or path.name, file_size=path.stat().st_size,
            channel=channel, user=user, profile_name=profile.name if profile else "",
            rows_total=progress.estimate_rows(path),
        )
    error_path = conf.import_dir() / f"batch-{batch.pk}-errors.csv"
    # Held while this process imports: sweep_imports tells a live import from one whose process died.
    with locks.held(_batch_lock(batch.pk), create=True, remove=True):
        if batch.status == ImportBatch.Status.QUEUED:
            batch.status = ImportBatch.Status.RUNNING
            ImportBatch.objects.filter(pk=batch.pk).update(status=batch.status)
        try:
            spec = profile.parsed_spec() if profile is not None else None
            # Large files sent from the command line may be loaded by two processes; the web server's workers
            # never fork for an upload. A profile counts what it fills in, in this process only.
            feeds = _run(batch, path, kind, department, mapping, dry_run, error_path,
                         parallel_ok=channel == ImportBatch.Channel.CLI and spec is None, spec=spec)
        except (UnreadableFile, MappingError) as e:
            feeds = set()
            detail = e.detail if isinstance(e, UnreadableFile) else ""
            if detail:  # the parser's own words, for whoever looks into the refusal
                log.warning("import batch %s refused: %s (%s)", batch.pk, e, detail)
            _fail(batch, str(e))
        except Exception:  # a crash mid-file: the transaction rolled back, nothing was applied
            log.exception("import batch %s failed", batch.pk)
            feeds = set()
            # The clerk reads this on the batch's page: what happened and what to do; the error is in the log.
            _fail(batch, crash_message(batch))
        finally:
            batch.file_sha256 = sha256.result()
            ImportBatch.objects.filter(pk=batch.pk).update(file_sha256=batch.file_sha256)
            progress.forget(batch.pk)
            # The check's cache pays within a file (its codes repeat row after row) but not across files: kept
            # from one import to the next it grew by every new entity's code, up to its bound (200,000 codes,
            # about 40 MB in the worker). Its first sighting of a code costs 3 µs, 50 ms for a file of 20,000.
            check_credit_code.cache_clear()
    record_event(
        user=user, action="records.import", target=f"import_batch:{batch.pk}",
        after={"kind": kind, "file": batch.file_name, "status": batch.status, "read": batch.rows_read,
               "created": batch.rows_created, "updated": batch.rows_updated, "unchanged": batch.rows_unchanged,
               "rejected": batch.rows_rejected, "dry_run": dry_run,
               **({"profile": profile.name, "profile_spec": profile.spec, "profile_note": batch.profile_note}
                  if profile else {})},
    )
    if batch.status == ImportBatch.Status.DONE:
        # Freshness (which department sent data for which domain, and when) and quality (the scores) listen;
        # a failure there is logged, never raised: the import is applied.
        for receiver, outcome in import_finished.send_robust(ImportBatch, batch=batch, feeds=feeds):
            if isinstance(outcome, Exception):
                log.error("after import batch %s, %s failed: %r", batch.pk, receiver, outcome, exc_info=outcome)
    return ImportResult(batch)


class UploadTooLarge(Refused):
    """A file over CLEANRECORD_IMPORT_MAX_BYTES: the API answers 413."""

    status = 413


def import_upload(*, user, upload, kind: str, department: Department | None, mapping: dict | None, dry_run: bool,
                  channel: str, profile: ImportProfile | None = None) -> ImportBatch:
    """Queue an uploaded file (the API) for the worker to import: saved in TEMP_DIR/queued first.

    An upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE is already a file in TEMP_DIR/uploads (Django's
    temporary file): it is moved, not copied. It holds ID numbers in clear: the worker deletes it after the
    import, and sweep_imports deletes one whose batch no longer waits.
    """
    limit = conf.get("IMPORT_MAX_BYTES")
    if upload.size > limit:
        raise UploadTooLarge(_("文件过大：%(size)s MB，上限 %(limit)s MB") % {"size": f"{upload.size / 1048576:.1f}",
                                                                    "limit": limit // 1048576})
    name = Path(upload.name or "upload").name
    folder = temp_dir("queued")
    if hasattr(upload, "temporary_file_path"):
        with tempfile.NamedTemporaryFile(dir=folder, suffix=Path(name).suffix[:10], delete=False) as tmp:
            path = Path(tmp.name)
        shutil.move(upload.temporary_file_path(), path)
        upload.close()
    else:
        with tempfile.NamedTemporaryFile(dir=folder, suffix=Path(name).suffix[:10], delete=False) as tmp:
            path = Path(tmp.name)
            for chunk in upload.chunks():
                tmp.write(chunk)
    return queue_import(path=path, user=user, kind=kind, department=department, mapping=mapping, dry_run=dry_run,
                        channel=channel, file_name=name, profile=profile)


def queue_import(*, path: Path, user, kind: str, department: Department | None, mapping: dict | None,
                 dry_run: bool, channel: str, file_name: str, profile: ImportProfile | None) -> ImportBatch:
    """A batch "queued" for the file at `path` (moved into TEMP_DIR/queued, named after the batch), and the task
    that imports it; the worker runs it (tests and `CLEANRECORD_TASK_BACKEND=immediate`: at once, here)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    batch = ImportBatch.objects.create(
        kind=kind, department=department, file_name=file_name, file_size=path.stat().st_size, channel=channel,
        user=user, profile_name=profile.name if profile else "", status=ImportBatch.Status.QUEUED,
        rows_total=progress.estimate_rows(path),
    )
    queued = temp_dir("queued") / f"batch-{batch.pk}{Path(file_name).suffix[:10]}"
    path.replace(queued)
    queued.chmod(0o600)
    # Function-level import: tasks imports this module (import_file).
    from .tasks import import_queued

    import_queued.enqueue(batch.pk, queued.name, mapping, dry_run, profile.pk if profile else None)
    batch.refresh_from_db()
    return batch


def temp_dir(name: str) -> Path:
    """A folder of TEMP_DIR, for this platform's user only."""
    path = Path(conf.get("TEMP_DIR")) / name
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _batch_lock(batch_id: int) -> Path:
    folder = conf.import_dir() / "running"
    folder.mkdir(exist_ok=True, mode=0o700)
    return folder / f"batch-{batch_id}.lock"


INTERRUPTED = gettext_noop("导入已中断：处理该文件的进程意外终止（如服务器重启或进程被结束），本文件的数据均未写入，请重新导入")
# A temporary file younger than this may belong to a request still being received or read.
TEMP_GRACE = dt.timedelta(hours=1)


@dataclass
class SweepResult:
    interrupted: list[int]
    files_removed: int


def sweep_imports(*, now: dt.datetime | None = None) -> SweepResult:
    """Mark imports left "running" by a dead process as interrupted, and delete their leftovers, every
    staging table no running import owns, and every stale temporary upload. Safe to run at any time: a
    live import holds its locks. Run nightly, and by every import before it starts.

    A batch counts as dead when its lock file is there but no process holds it (this host's import
    died: a lock file appears already locked, see locks.held), or, with no lock file on this host, when
    it started more than IMPORT_STALE_HOURS ago (an import on another host, or from before the locks,
    that no process will ever finish).
    """
    now = now or timezone.now()
    interrupted = []
    for batch in ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING).order_by("pk"):
        if mark_if_interrupted(batch=batch, now=now):
            interrupted.append(batch.pk)
    _drop_orphan_stages()
    removed = 0
    cutoff = (now - TEMP_GRACE).timestamp()
    running = conf.import_dir() / "running"
    # A lock file's own name while it is made (locks.held): left by a process killed that very instant.
    half_made = [p for p in running.glob(".batch-*.lock.*")] if running.is_dir() else []
    cutoff = (now - TEMP_GRACE).timestamp()
    waiting = set(ImportBatch.objects.filter(status__in=[ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING])
                  .values_list("pk", flat=True))
    # A queued upload waits as long as its batch does (the worker may be busy for hours); then it goes too.
    done_with = [p for p in temp_dir("queued").iterdir() if _queued_batch(p) not in waiting
                 and p.stat().st_mtime < cutoff]
    for path in [*temp_dir("uploads").iterdir(), *temp_dir("imports").iterdir(), *half_made, *done_with]:
        with contextlib.suppress(FileNotFoundError):
            if path.is_file() and path.stat().st_mtime < cutoff and not locks.is_held(path):
                path.unlink()
                removed += 1
    return SweepResult(interrupted, removed)


def _queued_batch(path: Path) -> int | None:
    match = re.fullmatch(r"batch-(\d+)(\.\w*)?", path.name)
    return int(match.group(1)) if match else None


def mark_if_interrupted(*, batch: ImportBatch, now: dt.datetime | None = None) -> bool:
    """If `batch` is "running" but its process is dead (see sweep_imports), mark it interrupted and delete
    its leftovers; True if it was. The import pages call this too: a clerk never sees a dead import
    as still running."""
    if batch.status != ImportBatch.Status.RUNNING:
        return False
    now = now or timezone.now()
    lock = _batch_lock(batch.pk)
    if locks.is_held(lock):
        return False
    if not lock.exists() and batch.started_at >= now - dt.timedelta(hours=conf.get("IMPORT_STALE_HOURS")):
        return False
    with transaction.atomic():
        # Still running? An import that ended since the batch was read keeps its own outcome.
        locked = ImportBatch.objects.select_for_update().filter(pk=batch.pk, status=ImportBatch.Status.RUNNING).first()
        if locked is None:
            batch.refresh_from_db()
            return False
        _fail(locked, _(INTERRUPTED), status=ImportBatch.Status.INTERRUPTED)
        record_event(user=None, action="records.import_interrupted", target=f"import_batch:{batch.pk}",
                     after={"status": locked.status, "message": locked.message}, actor="sweep_imports")
    (conf.import_dir() / f"batch-{batch.pk}-errors-part-2.csv").unlink(missing_ok=True)
    (conf.import_dir() / f"batch-{batch.pk}-errors-part-2.rows").unlink(missing_ok=True)
    _drop_stage(parallel.stage_name(batch.pk))
    lock.unlink(missing_ok=True)
    batch.refresh_from_db()
    return True


def _drop_orphan_stages() -> None:
    """Drop the staging tables of two-process loads (importing/parallel.py) whose batch no longer runs:
    a killed import's. The table is made after its batch, and dropped before the batch leaves "running"."""
    if connection.vendor != "postgresql":
        return  # SQLite stages in TEMP tables, which end with their connection
    with connection.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename ~ '^import_stage_[0-9]+$'")
        stages = {int(name.rsplit("_", 1)[1]): name for (name,) in cur.fetchall()}
    if not stages:
        return
    running = set(ImportBatch.objects.filter(pk__in=stages, status=ImportBatch.Status.RUNNING).values_list("pk", flat=True))
    for batch_id, name in stages.items():
        if batch_id not in running:
            _drop_stage(name)


def _drop_stage(name: str) -> None:
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL lock_timeout = '5s'")  # held by a session the server has not yet ended: next time
            cur.execute(f"DROP TABLE IF EXISTS {name}")
    except DatabaseError:
        log.warning("could not drop the staging table %s; the next sweep will", name, exc_info=True)


def crash_message(batch: ImportBatch) -> str:
    return _("导入过程中发生错误，本文件的数据均未写入。请联系平台管理员，并告知批次编号 #%(batch)s") % {"batch": batch.pk}


def _fail(batch: ImportBatch, message: str, status: str = ImportBatch.Status.FAILED) -> None:
    (conf.import_dir() / f"batch-{batch.pk}-errors.csv").unlink(missing_ok=True)
    rejected_rows_path(conf.import_dir() / "-", batch.pk).unlink(missing_ok=True)
    batch.error_file = ""
    batch.status = status
    batch.message = message
    batch.rows_created = batch.rows_updated = batch.rows_unchanged = batch.rows_duplicate = 0
    batch.finished_at = timezone.now()
    batch.save()


class _DryRun(Exception):
    pass


def limits() -> Limits:
    return Limits(rows=conf.get("IMPORT_MAX_ROWS"), columns=conf.get("IMPORT_MAX_COLUMNS"),
                  cells=conf.get("IMPORT_MAX_CELLS"), unpacked_bytes=conf.get("IMPORT_MAX_UNPACKED_BYTES"),
                  zip_members=conf.get("IMPORT_MAX_ZIP_MEMBERS"))


def _run(batch, path, kind, department, mapping, dry_run, error_path, parallel_ok=False,
         spec: Spec | None = None) -> set[tuple[int, str | None]]:
    """Load and apply the file; returns the (department id, domain code) pairs of the rows applied."""
    mapped = {**(spec.rename if spec else {}), **(mapping or {})}
    looks_like_header = HeaderTest(kind, frozenset(header_key(k) for k in mapped), MIN_RECOGNISED)
    encoding, split = parallel.plan(path, kind) if parallel_ok else (None, None)
    loaded = None
    if split is not None:
        before = batch.file_format, batch.encoding
        try:
            loaded = _load(batch, path, kind, department, mapping, dry_run, error_path, looks_like_header, encoding, split,
                           spec)
        except (parallel.Unsafe, PartMismatch, UnreadableFile) as e:
            # The one-process import gives the answer, or the refusal, it always gave.
            log.info("import batch %s: not loaded in two processes after all (%s); loading it in one", batch.pk, e)
            batch.file_format, batch.encoding = before
    if loaded is None:
        loaded = _load(batch, path, kind, department, mapping, dry_run, error_path, looks_like_header, encoding, None,
                       spec)
    read, rejected, warned, counts, notes = loaded
    batch.rows_read, batch.rows_rejected, batch.rows_warned = read, rejected, warned
    batch.rows_created, batch.rows_updated = counts.created, counts.updated
    batch.rows_unchanged, batch.rows_duplicate = counts.unchanged, counts.duplicate
    batch.error_file = str(error_path) if (rejected or warned) else ""
    if not batch.error_file:
        error_path.unlink(missing_ok=True)
    if not rejected:
        rejected_rows_path(error_path, batch.pk).unlink(missing_ok=True)
    batch.status = ImportBatch.Status.DRY_RUN if dry_run else ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    lines = list(notes)
    if rejected:
        lines.append(_rejection_summary(error_path))
    if read == 0:
        lines.insert(0, _("文件中没有数据行"))
    batch.message = "\n".join(lines)
    batch.save()
    return set() if dry_run else counts.feeds


def _rejection_summary(error_path: Path, top: int = 20) -> str:
    """Rejections counted per column and reason, most frequent first: what to fix before sending again."""
    reasons: Counter = Counter()
    with error_path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader, None)
        for row in reader:
            if len(row) == 5 and row[3] == "拒收":
                reasons[(row[1], row[4])] += 1
    parts = [_("[%(column)s] %(reason)s：%(count)s 处") % {"column": column, "reason": reason, "count": n}
             for (column, reason), n in reasons.most_common(top)]
    if len(reasons) > top:
        parts.append(_("另有 %(count)s 种原因") % {"count": len(reasons) - top})
    return _("拒收原因统计：%(reasons)s") % {"reasons": "；".join(parts)}


def _load(batch, path, kind, department, mapping, dry_run, error_path, looks_like_header, encoding, split, spec=None):
    """Read, check and stage every row, then merge: (read, rejected, warned, counts).

    With `split`, the file's second part is loaded by a second process meanwhile (importing/parallel.py).
    """
    if split is None:
        # Read in a child process under a memory ceiling: no file can take this process down.
        table = open_table_isolated(path, looks_like_header, encoding, limits=limits(),
                                    memory_mb=conf.get("IMPORT_MEMORY_LIMIT_MB"))
    else:
        table = open_csv(path, looks_like_header, encoding=split.encoding, end=split.offset, part_rows=split.rows,
                         limits=limits())
    second = parser = None
    try:
        batch.file_format, batch.encoding = table.file_format, table.encoding
        parser = row_parser(kind, table.header, _context(department), mapping, spec)
        now = timezone.now()
        if kind == "register":
            writer = RegisterWriter(now)
        else:
            writer = StagingWriter(RECORD_MODELS[kind], NATURAL_KEYS[kind], batch.pk, now, batch.user_id,
                                   stage=parallel.stage_name(batch.pk) if split else None)
        if split is not None:
            second = parallel.SecondPart(path, split, table.delimiter, parser, writer,
                                         error_path.with_name(f"{error_path.stem}-part-2.csv"), limits())
            second.start()
        with error_path.open("w", encoding="utf-8-sig", newline="") as ef, \
                contextlib.closing(RejectedRows(rejected_rows_path(error_path, batch.pk), table.header)) as kept:
            errors = spreadsheets.csv_writer(ef)
            errors.writerow([_(h) for h in ERROR_HEADER])
            # SQLite's write transaction (IMMEDIATE) locks the whole database: there the rows are read and
            # staged first, into a TEMP table that locks nothing else, so that logins and verifications
            # meanwhile wait for the merge only, not for the whole file.
            stage_first = isinstance(writer, StagingWriter) and not writer.pg
            try:
                with contextlib.nullcontext() if stage_first else transaction.atomic():
                    writer.start()
                    load_started = time.perf_counter()
                    try:
                        read, rejected, warned = parallel.load(progress.counting(table.rows, batch.pk), parser, writer,
                                                                  errors, kept)
                        if spec is not None:
                            batch.profile_note = parser.summary()
                        writer.finish_loading()
                        if second is not None:
                            if read == 0:  # the first data row (maybe a second header row) is in the second part
                                raise parallel.Unsafe("no data rows in the first part")
                            first_done = time.perf_counter()
                            part = second.result()
                            second.append_issues(ef)
                            kept.append(second.rejected_path)
                            read, rejected, warned = read + part.read, rejected + part.rejected, warned + part.warned
                            writer.absorb(part.staged, part.entity_rows)
                            del part
                            log.debug("import batch %s: first part loaded in %.2fs, second part %.2fs later", batch.pk,
                                      first_done - load_started, time.perf_counter() - first_done)
                        writer.timings["load"] = time.perf_counter() - load_started
                    except BaseException as e:
                        writer.abort(e)
                        raise
                    with transaction.atomic() if stage_first else contextlib.nullcontext():
                        counts = writer.merge()
                        if dry_run:
                            raise _DryRun
            except _DryRun:
                pass
            finally:
                if stage_first:
                    writer.discard()  # merge() drops the stage, unless it failed or was rolled back
    finally:
        table.close()
        if second is not None:
            second.close()
        if parser is not None and isinstance(parser.ctx.find_credit_code, RegisterLookup):
            parser.ctx.find_credit_code.close()
    log.debug("import batch %s timings: %s", batch.pk, " ".join(f"{k}={v:.2f}s" for k, v in writer.timings.items()))
    return read, rejected, warned, counts, parser.file_notes()
