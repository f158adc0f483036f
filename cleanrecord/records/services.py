"""Importing a department file: the one code path behind the CLI, the web upload and the API."""

import contextlib
import csv
import hashlib
import json
import logging
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from cleanrecord import conf
from cleanrecord.audit.services import record_event
from cleanrecord.quality.services import after_import
from cleanrecord.reference.models import Department, Domain, Region

from .importing import parallel
from .importing.layouts import AliasIndex, header_key
from .importing.readers import PartMismatch, UnreadableFile, open_csv, open_table
from .importing.register import RegisterWriter
from .importing.rows import Context, Issue, MappingError, RowParser
from .importing.writer import StagingWriter
from .models import RECORD_MODELS, ImportBatch

log = logging.getLogger("cleanrecord.records")

KINDS = ("penalty", "licence", "listing", "register")
KIND_LABELS = {"penalty": "行政处罚", "licence": "行政许可", "listing": "严重失信主体名单", "register": "经营主体登记信息"}
NATURAL_KEYS = {
    "penalty": ("subject_key", "authority_code", "decision_no"),
    "licence": ("subject_key", "authority_code", "doc_no"),
    "listing": ("subject_key", "authority_code", "list_type", "listing_ref"),
}
ERROR_HEADER = ["行号", "列", "值", "级别", "原因"]
MIN_RECOGNISED = 3


@dataclass
class ImportResult:
    batch: ImportBatch

    @property
    def exit_code(self) -> int:
        """0: every row accepted; 1: some rows rejected; 2: the file could not be read or applied."""
        if self.batch.status == ImportBatch.Status.FAILED:
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
                yield Issue(int(row), column, value, reason, "error" if level == "拒收" else "warning")


def load_mapping(path: Path) -> dict[str, str]:
    try:
        mapping = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise MappingError(f"字段映射文件无法读取：{e}") from e
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise MappingError("字段映射文件应为 JSON 对象：{\"文件中的列名\": \"标准列名或列代码\"}")
    return mapping


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _context(department: Department | None) -> Context:
    domains: dict[str, str] = {}
    for d in Domain.objects.all():
        domains[d.code] = domains[d.name] = d.code
    root = Region.objects.filter(parent=None).first()
    return Context(
        department=department,
        departments_by_credit_code={d.credit_code: d for d in Department.objects.filter(is_active=True)},
        domains=domains,
        today=timezone.localdate(),
        max_fine_wan=Decimal(conf.get("MAX_FINE_WAN")),
        region_prefix=root.code[:4] if root else "",
    )


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
) -> ImportResult:
    """Import one file of `kind`: every valid row applied, every bad row reported, in one transaction.

    Returns the batch with its counts; the batch is kept even when the file could not be read.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    path = Path(path)
    batch = ImportBatch.objects.create(
        kind=kind, department=department, file_name=file_name or path.name, file_size=path.stat().st_size,
        file_sha256=_sha256(path), channel=channel, user=user,
    )
    error_path = conf.import_dir() / f"batch-{batch.pk}-errors.csv"
    try:
        # Large files sent from the command line may be loaded by two processes; the web server's workers
        # never fork for an upload.
        _run(batch, path, kind, department, mapping, dry_run, error_path, parallel_ok=channel == ImportBatch.Channel.CLI)
    except (UnreadableFile, MappingError) as e:
        _fail(batch, str(e))
    except Exception as e:  # a crash mid-file: the transaction rolled back, nothing was applied
        log.exception("import batch %s failed", batch.pk)
        _fail(batch, f"导入过程中发生错误，本文件的数据均未写入：{type(e).__name__}: {e}")
    record_event(
        user=user, action="records.import", target=f"import_batch:{batch.pk}",
        after={"kind": kind, "file": batch.file_name, "status": batch.status, "read": batch.rows_read,
               "created": batch.rows_created, "updated": batch.rows_updated, "unchanged": batch.rows_unchanged,
               "rejected": batch.rows_rejected, "dry_run": dry_run},
    )
    if channel != ImportBatch.Channel.CLI:
        # A clerk sees the department's quality scores at once; bulk command-line loads rely on the
        # nightly `quality_report` run instead of adding a full recompute to every load.
        after_import(batch)
    return ImportResult(batch)


class UploadTooLarge(ValueError):
    pass


def import_upload(*, user, upload, kind: str, department: Department | None, mapping: dict | None, dry_run: bool,
                  channel: str) -> ImportBatch:
    """Import an uploaded file (web page or API): saved outside the web root, imported, then deleted."""
    limit = conf.get("IMPORT_MAX_BYTES")
    if upload.size > limit:
        raise UploadTooLarge(f"文件过大：{upload.size / 1048576:.1f} MB，上限 {limit // 1048576} MB")
    folder = conf.import_dir() / "uploads"
    folder.mkdir(exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, suffix=Path(upload.name or "").suffix[:10], delete=False) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
    path = Path(tmp.name)
    try:
        result = import_file(path=path, kind=kind, department=department, mapping=mapping, dry_run=dry_run,
                             user=user, channel=channel, file_name=Path(upload.name or "upload").name)
    finally:
        path.unlink(missing_ok=True)
    return result.batch


def _fail(batch: ImportBatch, message: str) -> None:
    (conf.import_dir() / f"batch-{batch.pk}-errors.csv").unlink(missing_ok=True)
    batch.error_file = ""
    batch.status = ImportBatch.Status.FAILED
    batch.message = message
    batch.rows_created = batch.rows_updated = batch.rows_unchanged = batch.rows_duplicate = 0
    batch.finished_at = timezone.now()
    batch.save()


class _DryRun(Exception):
    pass


def _run(batch, path, kind, department, mapping, dry_run, error_path, parallel_ok=False) -> None:
    index = AliasIndex.for_kind(kind)
    mapped = {header_key(k) for k in (mapping or {})}

    def looks_like_header(cells: list) -> bool:
        hits = sum(1 for c in cells if isinstance(c, str) and (index.match(c) or header_key(c) in mapped))
        return hits >= MIN_RECOGNISED

    encoding, split = parallel.plan(path, kind) if parallel_ok else (None, None)
    loaded = None
    if split is not None:
        before = batch.file_format, batch.encoding
        try:
            loaded = _load(batch, path, kind, department, mapping, dry_run, error_path, looks_like_header, encoding, split)
        except (parallel.Unsafe, PartMismatch, UnreadableFile) as e:
            # The one-process import gives the answer, or the refusal, it always gave.
            log.info("import batch %s: not loaded in two processes after all (%s); loading it in one", batch.pk, e)
            batch.file_format, batch.encoding = before
    if loaded is None:
        loaded = _load(batch, path, kind, department, mapping, dry_run, error_path, looks_like_header, encoding, None)
    read, rejected, warned, counts = loaded
    batch.rows_read, batch.rows_rejected, batch.rows_warned = read, rejected, warned
    batch.rows_created, batch.rows_updated = counts.created, counts.updated
    batch.rows_unchanged, batch.rows_duplicate = counts.unchanged, counts.duplicate
    batch.error_file = str(error_path) if (rejected or warned) else ""
    if not batch.error_file:
        error_path.unlink(missing_ok=True)
    batch.status = ImportBatch.Status.DRY_RUN if dry_run else ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    if read == 0:
        batch.message = "文件中没有数据行"
    batch.save()


def _load(batch, path, kind, department, mapping, dry_run, error_path, looks_like_header, encoding, split):
    """Read, check and stage every row, then merge: (read, rejected, warned, counts).

    With `split`, the file's second part is loaded by a second process meanwhile (importing/parallel.py).
    """
    if split is None:
        table = open_table(path, looks_like_header, encoding)
    else:
        table = open_csv(path, looks_like_header, encoding=split.encoding, end=split.offset, part_rows=split.rows)
    second = None
    try:
        batch.file_format, batch.encoding = table.file_format, table.encoding
        parser = RowParser(kind, table.header, _context(department), mapping)
        now = timezone.now()
        if kind == "register":
            writer = RegisterWriter(now)
        else:
            writer = StagingWriter(RECORD_MODELS[kind], NATURAL_KEYS[kind], batch.pk, now, batch.user_id,
                                   stage=parallel.stage_name(batch.pk) if split else None)
        if split is not None:
            second = parallel.SecondPart(path, split, table.delimiter, parser, writer,
                                         error_path.with_name(f"{error_path.stem}-part-2.csv"))
            second.start()
        with error_path.open("w", encoding="utf-8-sig", newline="") as ef:
            errors = csv.writer(ef)
            errors.writerow(ERROR_HEADER)
            # SQLite's write transaction (IMMEDIATE) locks the whole database: there the rows are read and
            # staged first, into a TEMP table that locks nothing else, so that logins and verifications
            # meanwhile wait for the merge only, not for the whole file.
            stage_first = isinstance(writer, StagingWriter) and not writer.pg
            try:
                with contextlib.nullcontext() if stage_first else transaction.atomic():
                    writer.start()
                    load_started = time.perf_counter()
                    try:
                        read, rejected, warned = parallel.load(table.rows, parser, writer, errors)
                        writer.finish_loading()
                        if second is not None:
                            if read == 0:  # the first data row (maybe a second header row) is in the second part
                                raise parallel.Unsafe("no data rows in the first part")
                            first_done = time.perf_counter()
                            part = second.result()
                            second.append_issues(ef)
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
    log.debug("import batch %s timings: %s", batch.pk, " ".join(f"{k}={v:.2f}s" for k, v in writer.timings.items()))
    return read, rejected, warned, counts
