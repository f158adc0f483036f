"""An import's progress, for its page and the API while it runs: rows read of rows expected.

The import is one transaction, which no other connection sees into; so the count is written to a small
file beside the batch's lock (IMPORT_DIR/running/batch-N.progress) at most every PROGRESS_SECONDS, and
read from there. The total is counted before reading: a CSV's line breaks (a quoted cell running over
lines makes it a little high), or an XLSX sheet's declared dimension; None when there is no telling.
"""

import json
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cleanrecord import conf

PROGRESS_SECONDS = 0.5
_CHUNK = 1 << 20


def progress_path(batch_id: int) -> Path:
    folder = conf.import_dir() / "running"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / f"batch-{batch_id}.progress"


def estimate_rows(path: Path) -> int | None:
    """Data rows the file holds, roughly (the header not counted); None when it cannot be told cheaply."""
    try:
        with path.open("rb") as f:
            head = f.read(4)
            if head.startswith(b"PK\x03\x04"):
                return _xlsx_rows(path)
            if head.startswith(b"\xd0\xcf\x11\xe0"):
                return None  # XLS: no cheap count
            f.seek(0)
            lines, tail = 0, b""
            while chunk := f.read(_CHUNK):
                lines += chunk.count(b"\n")
                tail = (tail + chunk)[-2:]
            if tail and not (tail.endswith(b"\n") or tail == b"\n\x00"):  # a last line without its break (UTF-16 too)
                lines += 1
            return max(lines - 1, 0)
    except OSError:
        return None


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension[^>]*\bref="[A-Z]+\d+:[A-Z]+(\d+)"')


def _xlsx_rows(path: Path) -> int | None:
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
            if not sheets:
                return None
            with archive.open(sheets[0]) as sheet:
                head = sheet.read(4096)
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    match = _DIMENSION.search(head)
    return max(int(match.group(1)) - 1, 0) if match else None


def counting(rows: Iterator[Any], batch_id: int) -> Iterator[Any]:
    """`rows`, passed through, with the number read so far written for the batch's page now and then."""
    path = progress_path(batch_id)
    read, due = 0, time.monotonic() + PROGRESS_SECONDS
    try:
        for row in rows:
            read += 1
            if time.monotonic() >= due:
                _write(path, read)
                due = time.monotonic() + PROGRESS_SECONDS
            yield row
        _write(path, read)
    finally:
        rows_close = getattr(rows, "close", None)
        if rows_close is not None:
            rows_close()


def _write(path: Path, read: int) -> None:
    partial = path.with_name(path.name + ".new")
    partial.write_text(json.dumps({"read": read}), encoding="utf-8")
    partial.replace(path)


def rows_read(batch_id: int) -> int | None:
    """Rows the running import of `batch_id` has read so far, or None before it has said."""
    try:
        return int(json.loads(progress_path(batch_id).read_text(encoding="utf-8"))["read"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def forget(batch_id: int) -> None:
    path = progress_path(batch_id)
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".new").unlink(missing_ok=True)
