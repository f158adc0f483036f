"""The rejected rows of an import, kept so that a clerk can download them, fix the cells and send them again.

Each rejected row is kept exactly as it was read (every cell, typed as the reader typed it: text from
a CSV; numbers, dates and booleans from a workbook), with its row number and every reason it was
refused. The rows hold personal ID numbers in clear, as sent, while the uploaded file itself is deleted
after the import: so the file at rest is encrypted, one line per row (fieldcrypt, the key of the ID
numbers in the database). The CSV and XLSX a clerk downloads are made from it on request, streamed:
the import pays only for the few rows it refuses, never for a workbook nobody asks for.

The downloaded files have the columns 行号 and 拒收原因 first, then the file's own header, in its order
and spelling, so that a row with more cells than the header still lines up. The importer ignores both
columns (layouts._EXPORT_COLUMNS), so the fixed file goes back in as it is.
"""

import base64
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

import orjson
from django.utils.translation import gettext as _

from cleanrecord.lib import fieldcrypt, spreadsheets

ROW_COLUMN = "行号"
REASON_COLUMN = "拒收原因"
REASON_SEPARATOR = "；"
_TYPES = {"dt": dt.datetime.fromisoformat, "d": dt.date.fromisoformat, "t": dt.time.fromisoformat,
          "td": lambda s: dt.timedelta(seconds=float(s))}


def rejected_rows_path(error_file: str | Path, batch_id: int) -> Path:
    """Where the rejected rows of a batch lie: beside its error file (the list of every issue)."""
    return Path(error_file).with_name(f"batch-{batch_id}-rejected.rows")


def _default(value):
    """Cell values JSON has no type for, tagged so that they come back as they were."""
    if isinstance(value, dt.datetime):
        return {"$": "dt", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$": "d", "v": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$": "t", "v": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$": "td", "v": str(value.total_seconds())}
    return str(value)


def _untag(cell):
    if cell.__class__ is dict and "$" in cell:
        return _TYPES[cell["$"]](cell["v"])
    return cell


def reasons_of(issues) -> str:
    """Every reason a row was refused, each with the column it is about."""
    return REASON_SEPARATOR.join(f"{i.column}：{i.reason}" if i.column else i.reason
                                 for i in issues if i.level == "error")


def _line(item) -> bytes:
    data = orjson.dumps(item, default=_default, option=orjson.OPT_PASSTHROUGH_DATETIME)
    return base64.b64encode(fieldcrypt.encrypt_bytes(data)) + b"\n"


def _open(line: bytes):
    return orjson.loads(fieldcrypt.decrypt_bytes(base64.b64decode(line)))


class RejectedRows:
    """The rejected-rows file being written by one process: the header first (unless `header` is None:
    a second process's part, appended to the first's), then one line per row."""

    def __init__(self, path: Path, header: list | None):
        self.path = path
        self._file = path.open("wb")
        path.chmod(0o600)
        if header is not None:
            self._file.write(_line(["" if h is None else str(h) for h in header]))

    def add(self, row_no: int, cells: list, issues) -> None:
        self._file.write(_line([row_no, reasons_of(issues), list(cells)]))

    def append(self, part: Path) -> None:
        with part.open("rb") as f:
            while chunk := f.read(1 << 20):
                self._file.write(chunk)

    def close(self) -> None:
        self._file.close()


def read(path: Path) -> tuple[list[str], Iterator[tuple[int, str, list]]]:
    """(header, rows): each row as (row number, reasons, cells as read)."""
    f = path.open("rb")
    first = f.readline()
    header = _open(first) if first.strip() else []

    def rows():
        with f:
            for line in f:
                row_no, reasons, cells = _open(line)
                yield row_no, reasons, [_untag(c) for c in cells]

    return header, rows()


def _table(path: Path) -> Iterator[list]:
    header, rows = read(path)
    # A file of ours sent back and refused again: its old 行号 and 拒收原因 are about an older file and
    # give way to the new ones, so that a row fixed over several rounds does not grow a pair of columns each time.
    names = [str(h).strip() for h in header]
    ours = [i for i, h in enumerate(names) if h in (ROW_COLUMN, REASON_COLUMN)] \
        if ROW_COLUMN in names and REASON_COLUMN in names else []
    if ours:
        header = [h for i, h in enumerate(header) if i not in ours]
    yield [ROW_COLUMN, REASON_COLUMN, *header]
    for row_no, reasons, cells in rows:
        if ours:
            cells = [c for i, c in enumerate(cells) if i not in ours]
        yield [row_no, reasons, *cells]


def csv_chunks(path: Path) -> Iterator[bytes]:
    """The rejected rows as CSV (UTF-8 with BOM, as Excel opens Chinese text), a few hundred rows a chunk."""
    out = io.StringIO()
    writer = spreadsheets.csv_writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    for n, row in enumerate(_table(path), 1):
        writer.writerow(row)
        if n % 500 == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def xlsx_file(path: Path, folder: Path):
    """The rejected rows as an XLSX workbook (openpyxl's write-only mode: rows streamed to disk, not held),
    in an anonymous temporary file in `folder`, positioned at its start."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = spreadsheets.Workbook(write_only=True)
    ws = wb.create_sheet(_("拒收数据"))
    rows = _table(path)
    header = next(rows)
    bold = Font(bold=True)
    cells = [WriteOnlyCell(ws, value=v) for v in header]  # neutralised by append, as every cell
    for c in cells[:2]:
        c.font = bold
    ws.freeze_panes = "C2"
    ws.append(cells)
    for row in rows:
        ws.append(row)
    # Closed by the response that streams it (FileResponse), which deletes it.
    out = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
    wb.save(out)
    out.seek(0)
    return out
