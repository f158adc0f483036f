"""Reading department files: CSV in any of the encodings they use, XLSX and XLS.

A reader yields (row_number, cells) one row at a time, with row numbers as a spreadsheet shows
them (the header row is the row it stands on; a quoted multi-line cell is still one row), so an
error message points the clerk at the right row. Rows that are entirely empty are skipped.
"""

import codecs
import contextlib
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 1 << 20
HEADER_SCAN_ROWS = 15
BROKEN_UTF8_BOM = "文件以 UTF-8 标记开头，但其中有无法按 UTF-8 解读的内容：请重新导出为 UTF-8"
csv.field_size_limit(16 * 1024 * 1024)


class UnreadableFile(Exception):
    """The file as a whole cannot be read: nothing of it is imported."""


class PartMismatch(Exception):
    """The first part of a split CSV did not end where the split said: the split was not a record boundary."""


# The line read after the first part of a split file (see open_csv): a record of its own only when the
# part ends on a record boundary; inside an open quoted cell it would join that cell instead.
PART_END = "\ue000cleanrecord: end of part\ue000"


class _Head(io.RawIOBase):
    """The first `end` bytes of a file, then `tail`."""

    def __init__(self, path: Path, end: int, tail: bytes):
        self._file = path.open("rb", buffering=0)
        self._end = end
        self._tail = tail
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            pos += self._pos
        elif whence != io.SEEK_SET:
            raise io.UnsupportedOperation("seek from the start or the current position only")
        self._pos = pos
        return pos

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        if self._pos < self._end:
            self._file.seek(self._pos)
            n = self._file.readinto(view[:min(len(view), self._end - self._pos)]) or 0
            if n == 0:  # the file is shorter than it was: no tail, and PartMismatch follows
                self._end = self._pos
                self._tail = b""
        else:
            data = self._tail[self._pos - self._end:self._pos - self._end + len(view)]
            n = len(data)
            view[:n] = data
        self._pos += n
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


@dataclass
class Table:
    file_format: str  # csv, xlsx, xls
    encoding: str
    header: list[str]
    header_row: int
    rows: Iterator[tuple[int, list]] = field(repr=False)
    closer: object = None
    delimiter: str = ","

    def close(self) -> None:
        if self.closer is not None:
            self.closer.close()


def sniff_format(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"%PDF") or head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff"):
        raise UnreadableFile("文件不是表格：请上传 CSV、XLSX 或 XLS 文件")
    return "csv"


def _decodes_as(path: Path, encoding: str, skip: int) -> bool:
    """Stream the whole file through a strict decoder: true if every byte decodes."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as f:
            f.seek(skip)
            while chunk := f.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> tuple[str, int]:
    """Return (encoding, bytes of BOM to skip). UTF-8 (with or without BOM), UTF-16 with BOM, GB18030.

    A file with a UTF-8 BOM is not read through first: bytes that do not decode are found while the
    rows are read, and refuse the file all the same (BROKEN_UTF8_BOM).
    """
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", 3
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16", 0
    if _decodes_as(path, "utf-8", 0):
        return "utf-8", 0
    # GB18030 is a superset of GBK and GB2312, which is what Excel on Chinese Windows writes.
    if _decodes_as(path, "gb18030", 0):
        return "gb18030", 0
    raise UnreadableFile("无法识别文件编码：请使用 UTF-8 或 GB18030（GBK）编码的 CSV 文件")


def _delimiter(sample: str) -> str:
    """The commonest delimiter of the first line that has one: a title line above the header may have none."""
    for line in sample.splitlines()[:HEADER_SCAN_ROWS]:
        counts = {d: line.count(d) for d in (",", "\t", ";", "|")}
        best = max(counts, key=counts.get)
        if counts[best]:
            return best
    return ","


def _is_blank(cells: list) -> bool:
    first = cells[0] if cells else None
    if first.__class__ is str and first and not first.isspace():  # the common case, answered at once
        return False
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _find_header(rows: Iterator[tuple[int, list]], looks_like_header) -> tuple[int, list[str], Iterator[tuple[int, list]]]:
    """Skip title rows and blank rows above the header: the header is the first row that matches.

    Returns the header's row number, the header, and the data rows after it.
    """
    seen: list[tuple[int, list]] = []
    for row_no, cells in rows:
        if _is_blank(cells):
            continue
        if looks_like_header(cells):
            return row_no, ["" if c is None else str(c) for c in cells], _data_rows(rows, looks_like_header)
        seen.append((row_no, cells))
        if len(seen) >= HEADER_SCAN_ROWS:
            break
    raise UnreadableFile("未找到表头：前几行中没有可识别的列名（如“行政相对人名称”或 CF_XDR_MC），请检查数据类别或提供字段映射文件")


def _data_rows(rows: Iterator[tuple[int, list]], looks_like_header) -> Iterator[tuple[int, list]]:
    """The non-blank rows after the header. National templates often put the column codes (CF_XDR_MC …)
    in a second header row under the Chinese names: that row is not data."""
    for row_no, cells in rows:
        if _is_blank(cells):
            continue
        if not looks_like_header(cells):
            yield row_no, cells
        break
    for row_no, cells in rows:
        if not _is_blank(cells):
            yield row_no, cells


@contextlib.contextmanager
def _decoding(encoding: str) -> Iterator[None]:
    """Bytes that do not decode in a file whose BOM says UTF-8 refuse the file (see detect_encoding)."""
    try:
        yield
    except UnicodeDecodeError as e:
        if encoding == "utf-8-sig":
            raise UnreadableFile(BROKEN_UTF8_BOM) from e
        raise


def _csv_rows(text: io.TextIOWrapper, delimiter: str, part_rows: int | None = None) -> Iterator[tuple[int, list]]:
    reader = csv.reader(text, delimiter=delimiter)
    try:
        with _decoding(text.encoding):
            if part_rows is None:
                yield from enumerate(reader, start=1)
            else:
                yield from _until_part_end(enumerate(reader, start=1), part_rows)
    except csv.Error as e:
        raise UnreadableFile(f"CSV 格式错误（第 {reader.line_num} 行附近）：{e}") from e


def _until_part_end(rows: Iterator[tuple[int, list]], part_rows: int) -> Iterator[tuple[int, list]]:
    """The rows of a file's first part, checked to end with PART_END as a record of its own after
    exactly `part_rows` records: then the next part starts on the record that follows."""
    for row_no, cells in rows:
        if len(cells) == 1 and cells[0] == PART_END:
            if row_no - 1 == part_rows and next(rows, None) is None:
                return
            break
        yield row_no, cells
    raise PartMismatch(f"the first part did not end after row {part_rows}")


def csv_part_rows(path: Path, start: int, first_row: int, delimiter: str) -> Iterator[tuple[int, list]]:
    """The non-blank rows of a UTF-8 CSV from byte `start` (a record boundary) on, numbered from `first_row`.

    Bytes that do not decode and malformed CSV raise UnicodeDecodeError and csv.Error as they are.
    """
    with path.open("rb") as f:
        f.seek(start)
        text = io.TextIOWrapper(f, encoding="utf-8", newline="")
        for row_no, cells in enumerate(csv.reader(text, delimiter=delimiter), start=first_row):
            if not _is_blank(cells):
                yield row_no, cells


def open_csv(path: Path, looks_like_header, *, encoding: str | None = None, end: int | None = None,
             part_rows: int | None = None) -> Table:
    """Open a CSV file. With `end`, only its first `end` bytes, which must hold exactly `part_rows`
    records (PartMismatch otherwise, once they are read): the first part of a file split between
    processes (UTF-8 only)."""
    if encoding is None:
        encoding, _ = detect_encoding(path)
    if end is None:
        raw = path.open("rb")
    else:
        raw = io.BufferedReader(_Head(path, end, f"{PART_END}\r\n".encode()), CHUNK)
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    try:
        with _decoding(encoding):
            sample = text.read(64 * 1024)
        text.seek(0)
        delimiter = _delimiter(sample.lstrip("\ufeff"))
        header_row, header, rows = _find_header(_csv_rows(text, delimiter, part_rows if end is not None else None),
                                                looks_like_header)
    except BaseException:
        text.close()
        raise
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    return Table("csv", encoding, header, header_row, rows, text, delimiter)


def open_workbook(path: Path, file_format: str, looks_like_header) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types for every kind of damage
        raise UnreadableFile(f"无法打开 {file_format.upper()} 文件：文件已损坏或不是 Excel 工作簿（{type(e).__name__}）") from e
    for name in book.sheet_names:
        try:
            sheet = book.get_sheet_by_name(name)
            cells = ((i, list(r)) for i, r in enumerate(sheet.iter_rows(), start=1))
            header_row, header, rows = _find_header(cells, looks_like_header)
        except UnreadableFile:
            continue
        except Exception as e:
            raise UnreadableFile(f"无法读取工作表“{name}”：{e}") from e
        return Table(file_format, "", header, header_row, rows)
    raise UnreadableFile("工作簿中没有可识别表头的工作表：请检查数据类别或提供字段映射文件")


def open_table(path: Path, looks_like_header, encoding: str | None = None) -> Table:
    """Open a department file; `encoding`, when known already, is that of a CSV file."""
    file_format = sniff_format(path)
    if file_format == "csv":
        return open_csv(path, looks_like_header, encoding=encoding)
    return open_workbook(path, file_format, looks_like_header)
