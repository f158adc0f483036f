"""Reading department files: CSV in any of the encodings they use, XLSX and XLS.

A reader yields (row_number, cells) one row at a time, with row numbers as a spreadsheet shows
them (the header row is the row it stands on; a quoted multi-line cell is still one row), so an
error message points the clerk at the right row. Rows that are entirely empty are skipped.

Every file is read within Limits: a workbook's zip directory (members, unpacked size) and each
sheet's declared dimension are checked before a row is read, and rows, columns and cells are
counted while reading, so that a small hostile file is refused at once instead of making the reader
allocate what its cell coordinates claim. XLSX sheets are read streaming (one row in memory at a
time); XLS, a format capped at 65,536 × 256 cells, is read by calamine whole.
"""

import codecs
import contextlib
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

CHUNK = 1 << 20
HEADER_SCAN_ROWS = 15
BROKEN_UTF8_BOM = gettext_noop("文件以 UTF-8 标记开头，但其中有无法按 UTF-8 解读的内容：请重新导出为 UTF-8")
csv.field_size_limit(16 * 1024 * 1024)


class UnreadableFile(Exception):
    """The file as a whole cannot be read: nothing of it is imported.

    The message is Chinese, for the clerk; `detail` (the parser's own error, its class and text) is for
    the log only (services.import_file writes it there)."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


def _detail(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"[:500]


class NoHeader(UnreadableFile):
    """No row of the first few looks like a header: another sheet may have one."""


class TooLarge(UnreadableFile):
    """The file is beyond one of the Limits: refused, with where."""


@dataclass(frozen=True)
class Limits:
    """What one imported file may hold (settings CLEANRECORD_IMPORT_MAX_*, see cleanrecord/conf.py)."""

    rows: int = 2_000_000
    columns: int = 200
    cells: int = 50_000_000
    unpacked_bytes: int = 1 << 30
    zip_members: int = 1000


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


class Closable(Protocol):
    def close(self) -> None: ...


@dataclass
class Table:
    file_format: str  # csv, xlsx, xls
    encoding: str
    header: list[str]
    header_row: int
    rows: Iterator[tuple[int, list]] = field(repr=False)
    closer: Closable | None = None
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
        raise UnreadableFile(_("文件不是表格：请上传 CSV、XLSX 或 XLS 文件"))
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
    raise UnreadableFile(_("无法识别文件编码：请使用 UTF-8 或 GB18030（GBK）编码的 CSV 文件"))


def _delimiter(sample: str) -> str:
    """The commonest delimiter of the first line that has one: a title line above the header may have none."""
    for line in sample.splitlines()[:HEADER_SCAN_ROWS]:
        counts = {d: line.count(d) for d in (",", "\t", ";", "|")}
        best = max(counts, key=counts.__getitem__)
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
    raise NoHeader(_("未找到表头：前几行中没有可识别的列名（如“行政相对人名称”或 CF_XDR_MC），请检查数据类别或提供字段映射文件"))


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
            raise UnreadableFile(_(BROKEN_UTF8_BOM)) from e
        raise


def _csv_rows(text: io.TextIOWrapper, delimiter: str, part_rows: int | None = None,
              limits: Limits | None = None) -> Iterator[tuple[int, list]]:
    reader = csv.reader(text, delimiter=delimiter)
    try:
        with _decoding(text.encoding):
            rows: Iterator[tuple[int, list]] = enumerate(reader, start=1)
            if limits is not None:
                rows = bounded_rows(rows, limits)
            if part_rows is None:
                yield from rows
            else:
                yield from _until_part_end(rows, part_rows)
    except csv.Error as e:
        raise UnreadableFile(_("CSV 格式错误（第 %(row)s 行附近）：%(error)s") % {"row": reader.line_num, "error": e}) from e


def bounded_rows(rows: Iterator[tuple[int, list]], limits: Limits, sheet: str = "") -> Iterator[tuple[int, list]]:
    """`rows` as they are, refused once a row number or a row's width goes beyond `limits`; `sheet` names the
    workbook's sheet they come from, if any."""
    max_rows, max_columns = limits.rows, limits.columns
    for row_no, cells in rows:
        if row_no > max_rows:
            params = {"sheet": sheet, "row": row_no, "most": max_rows}
            raise TooLarge(_("文件工作表“%(sheet)s”超过行数上限：第 %(row)s 行，最多 %(most)s 行") % params if sheet
                           else _("文件超过行数上限：第 %(row)s 行，最多 %(most)s 行") % params)
        if len(cells) > max_columns:
            params = {"sheet": sheet, "row": row_no, "columns": len(cells), "most": max_columns}
            raise TooLarge(_("文件工作表“%(sheet)s”第 %(row)s 行有 %(columns)s 列，超过列数上限 %(most)s 列") % params if sheet
                           else _("文件第 %(row)s 行有 %(columns)s 列，超过列数上限 %(most)s 列") % params)
        yield row_no, cells


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


def csv_part_rows(path: Path, start: int, first_row: int, delimiter: str,
                  limits: Limits | None = None) -> Iterator[tuple[int, list]]:
    """The non-blank rows of a UTF-8 CSV from byte `start` (a record boundary) on, numbered from `first_row`.

    Bytes that do not decode and malformed CSV raise UnicodeDecodeError and csv.Error as they are.
    """
    with path.open("rb") as f:
        f.seek(start)
        text = io.TextIOWrapper(f, encoding="utf-8", newline="")
        rows = enumerate(csv.reader(text, delimiter=delimiter), start=first_row)
        for row_no, cells in rows if limits is None else bounded_rows(rows, limits):
            if not _is_blank(cells):
                yield row_no, cells


def open_csv(path: Path, looks_like_header, *, encoding: str | None = None, end: int | None = None,
             part_rows: int | None = None, limits: Limits | None = None) -> Table:
    """Open a CSV file. With `end`, only its first `end` bytes, which must hold exactly `part_rows`
    records (PartMismatch otherwise, once they are read): the first part of a file split between
    processes (UTF-8 only)."""
    if encoding is None:
        encoding, __ = detect_encoding(path)
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
        header_row, header, rows = _find_header(
            _csv_rows(text, delimiter, part_rows if end is not None else None, limits or Limits()), looks_like_header)
    except BaseException:
        text.close()
        raise
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    return Table("csv", encoding, header, header_row, rows, text, delimiter)


def check_zip(path: Path, limits: Limits) -> None:
    """Refuse a workbook whose zip directory declares more members or more unpacked bytes than `limits`.

    Python's zipfile never inflates a member beyond the size its directory entry declares (it stops
    there and the CRC check fails), so the declared sizes bound what reading the members can cost.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise UnreadableFile(_("无法打开 XLSX 文件：文件已损坏或不是 Excel 工作簿"), _detail(e)) from e
    if len(members) > limits.zip_members:
        raise TooLarge(_("XLSX 文件包含 %(parts)s 个部件，超过上限 %(most)s 个：文件不是正常的 Excel 工作簿")
                       % {"parts": len(members), "most": limits.zip_members})
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.unpacked_bytes:
        largest = max(members, key=lambda m: m.file_size)
        raise TooLarge(_("XLSX 文件解压后共 %(size)s，超过上限 %(most)s（最大的部件 %(part)s 为 %(part_size)s）：请拆分文件或改用 CSV")
                       % {"size": _mb(unpacked), "most": _mb(limits.unpacked_bytes), "part": largest.filename,
                          "part_size": _mb(largest.file_size)})


def _mb(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n < 1 << 30 else f"{n / (1 << 30):.2f} GB"


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _DIMENSION, _SHEET_DATA = (f"{_MAIN_NS}{t}" for t in ("row", "c", "dimension", "sheetData"))
_SI, _T, _RUN, _V, _INLINE = (f"{_MAIN_NS}{t}" for t in ("si", "t", "r", "v", "is"))
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
# The elements read before the sheet's rows that may come before <dimension> (sheetPr, its children):
# looking further for it would be reading the rows.
_DIMENSION_LOOKAHEAD = 64


def _iterparse(source, tag):
    from lxml import etree

    # No entities, no network, and libxml2's own caps on text nodes and depth (huge_tree off).
    return etree.iterparse(source, events=("end",), tag=tag, resolve_entities=False, no_network=True,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def _declared_dimension(archive: zipfile.ZipFile, member: str) -> str | None:
    """The sheet's <dimension ref>, read from the head of its XML, or None when it has none."""
    from lxml import etree

    with archive.open(member) as src:
        events = etree.iterparse(src, events=("start",), resolve_entities=False, no_network=True)
        for seen, (__, element) in enumerate(events):
            if element.tag == _DIMENSION:
                return element.get("ref")
            if element.tag == _SHEET_DATA or seen > _DIMENSION_LOOKAHEAD:
                return None
    return None


def check_dimension(ref: str | None, sheet: str, limits: Limits) -> None:
    """Refuse a sheet whose declared dimension (e.g. A1:XFD1048576) is beyond `limits`, before reading it."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries

    if not ref:
        return
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref.upper())
    except (ValueError, TypeError):
        return  # a damaged dimension says nothing: the rows are counted as they are read
    if max_col is None or max_row is None:
        return
    corner = f"{get_column_letter(max_col)}{max_row}" if max_col <= 18278 else \
        _("第 %(row)s 行第 %(column)s 列") % {"row": max_row, "column": max_col}
    where = {"sheet": sheet, "range": ref, "corner": corner}
    if max_col > limits.columns:
        raise TooLarge(_("工作表“%(sheet)s”的数据范围 %(range)s（到单元格 %(corner)s）有 %(columns)s 列，超过列数上限 %(most)s 列："
                         "请删除多余的列后重新上传") % {**where, "columns": max_col, "most": limits.columns})
    if max_row > limits.rows:
        raise TooLarge(_("工作表“%(sheet)s”的数据范围 %(range)s（到单元格 %(corner)s）有 %(rows)s 行，超过行数上限 %(most)s 行："
                         "请拆分文件后重新上传") % {**where, "rows": max_row, "most": limits.rows})
    cells = (max_col - min_col + 1) * (max_row - min_row + 1)
    if cells > limits.cells:
        raise TooLarge(_("工作表“%(sheet)s”的数据范围 %(range)s（到单元格 %(corner)s）共 %(cells)s 个单元格，超过上限 %(most)s 个："
                         "请拆分文件后重新上传") % {**where, "cells": cells, "most": limits.cells})


def _shared_strings(archive: zipfile.ZipFile, member: str | None, limits: Limits) -> list[str]:
    """The workbook's shared strings: a table no longer than the cells that could use it."""
    strings: list[str] = []
    if member is None:
        return strings
    table = None
    with archive.open(member) as src:
        for __, si in _iterparse(src, _SI):
            if len(si) == 1 and si[0].tag == _T:  # plain text, as most strings are
                text = si[0].text or ""
            else:
                text = si.findtext(_T) or ""
                for run in si.iterfind(_RUN):  # rich text: the runs' text, without phonetic guides (rPh)
                    text += run.findtext(_T) or ""
            if "_x" in text:  # Excel's escape for control characters, e.g. _x000D_
                text = _ESCAPED.sub(lambda m: chr(int(m[1], 16)), text)
            strings.append(text)
            if table is None:
                table = si.getparent()
            if len(strings) % 4096 == 0:  # the strings read leave the tree, a few thousand at a time
                del table[:-1]
            if len(strings) > limits.cells:
                raise TooLarge(_("XLSX 文件的共享字符串超过 %(most)s 个，超过单元格数上限：请拆分文件后重新上传")
                               % {"most": limits.cells})
    return strings


def _coordinate(row: int, column: int) -> str:
    from openpyxl.utils.cell import get_column_letter

    return f"{get_column_letter(column)}{row}" if column <= 18278 else \
        _("第 %(row)s 行第 %(column)s 列") % {"row": row, "column": column}


_DIGITS = "0123456789"
_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    """A column's number from its letters (A → 1, XFD → 16384), remembered: a file repeats the same few."""
    number = _COLUMNS.get(letters)
    if number is None:
        number = 0
        for ch in letters:
            if not "A" <= ch <= "Z":
                raise ValueError(f"invalid cell reference {letters!r}")
            number = number * 26 + ord(ch) - 64
        if len(_COLUMNS) < 4096:
            _COLUMNS[letters] = number
    return number


@dataclass
class _Styles:
    """What a cell's style says about its value: a date (or a duration) stored as a number."""

    dates: frozenset
    durations: frozenset
    epoch: object


def _styles(archive: zipfile.ZipFile, epoch) -> _Styles:
    """Which cell styles (cellXfs) show a number as a date or a duration: all a reader needs of styles.xml.
    Read leniently, unlike openpyxl's full stylesheet, so that a stylesheet it finds odd costs no dates."""
    from lxml import etree
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    try:
        data = archive.read("xl/styles.xml")
    except KeyError:
        return _Styles(frozenset(), frozenset(), epoch)
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    custom = {n.get("numFmtId"): n.get("formatCode") or "" for n in root.iterfind(f"{_MAIN_NS}numFmts/{_MAIN_NS}numFmt")}
    dates, durations = set(), set()
    for index, xf in enumerate(root.iterfind(f"{_MAIN_NS}cellXfs/{_MAIN_NS}xf")):
        number_format = xf.get("numFmtId", "0")
        code = custom.get(number_format)
        if code is None:
            code = BUILTIN_FORMATS.get(int(number_format) if number_format.isdigit() else 0, "General")
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return _Styles(frozenset(dates), frozenset(durations), epoch)


def _cell_value(c, shared: list[str], styles: _Styles):
    """The value of one <c> element, typed as openpyxl types it (numbers, dates, booleans, text)."""
    kind = c.get("t")
    if kind == "inlineStr":
        inline = c.find(_INLINE)
        if inline is None:
            return None
        if len(inline) == 1 and inline[0].tag == _T:  # plain text, as almost every writer puts it
            return inline[0].text or ""
        text = inline.findtext(_T) or ""
        for run in inline.iterfind(_RUN):
            text += run.findtext(_T) or ""
        return text
    if len(c) == 1:  # the value alone, as almost every cell holds it: read without a path search
        only = c[0]
        v = only.text if only.tag == _V else None
    else:
        v = c.findtext(_V)  # behind a formula (<f>), cached by the program that saved the file
    if v is None or v == "":
        return None
    if kind is None or kind == "n":
        number = float(v) if "." in v or "E" in v or "e" in v else int(v)
        style = c.get("s")
        if style is not None and int(style) in styles.dates:
            from openpyxl.utils.datetime import from_excel

            try:
                return from_excel(number, styles.epoch, timedelta=int(style) in styles.durations)
            except (OverflowError, ValueError):
                return number  # marked as a date but out of the dates' range: the number, checked as such later
        return number
    if kind == "s":
        return shared[int(v)]
    if kind == "b":
        return v == "1"
    if kind == "d":
        from openpyxl.utils.datetime import from_ISO8601

        return from_ISO8601(v)
    return v  # "str" (a formula's text) and "e" (an error such as #N/A) are text


def _xlsx_rows(archive: zipfile.ZipFile, member: str, shared: list[str], styles: _Styles, sheet: str,
               limits: Limits) -> Iterator[tuple[int, list]]:
    """The rows of one sheet, streamed: only the row being read is in memory.

    Checked while reading, whatever the sheet declared: row numbers, the cells of one row, the
    columns of cells that hold a value, and the cells of the whole sheet. (A single row with
    millions of cells is built before it can be counted: the memory ceiling of the reading process,
    see sandbox.py, bounds that one.)
    """
    max_rows, max_columns, max_cells = limits.rows, limits.columns, limits.cells
    cells_seen = row_no = 0
    with archive.open(member) as src:
        for __, element in _iterparse(src, _ROW):
            r = element.get("r")
            row_no = int(r) if r and r.isdigit() else row_no + 1
            if row_no > max_rows:
                raise TooLarge(_("工作表“%(sheet)s”第 %(row)s 行超过行数上限 %(most)s 行：请拆分文件后重新上传")
                               % {"sheet": sheet, "row": row_no, "most": max_rows})
            width = len(element)
            cells_seen += width
            if width > max_columns:
                raise TooLarge(_("工作表“%(sheet)s”第 %(row)s 行有 %(cells)s 个单元格，超过列数上限 %(most)s 列")
                               % {"sheet": sheet, "row": row_no, "cells": width, "most": max_columns})
            if cells_seen > max_cells:
                raise TooLarge(_("工作表“%(sheet)s”读到第 %(row)s 行时单元格已超过 %(most)s 个，超过单元格数上限："
                                 "请拆分文件后重新上传") % {"sheet": sheet, "row": row_no, "most": max_cells})
            values: dict[int, object] = {}
            column = 0
            for c in element:
                ref = c.get("r")
                column = _column(ref.rstrip(_DIGITS)) if ref else column + 1
                value = _cell_value(c, shared, styles)
                if value is None:
                    continue
                if column > max_columns:
                    raise TooLarge(_("工作表“%(sheet)s”单元格 %(cell)s 超过列数上限 %(most)s 列：请删除多余的列后重新上传")
                                   % {"sheet": sheet, "cell": _coordinate(row_no, column), "most": max_columns})
                values[column] = value
            element.clear()
            while element.getprevious() is not None:  # the rows already read leave the tree
                del element.getparent()[0]
            if values:
                cells: list[object] = [None] * max(values)
                for column, value in values.items():
                    cells[column - 1] = value
                yield row_no, cells


# The parts read to learn the sheets' names: a dozen KB in any real workbook.
_SMALL_PART = 1024 * 1024


def precheck(path: Path, limits: Limits) -> None:
    """The checks that cost next to nothing whatever the file holds (a workbook's zip directory and the
    declared dimension of each sheet): run before a process is started to read the file."""
    if sniff_format(path) != "xlsx":
        return
    check_zip(path, limits)
    import warnings

    from openpyxl.reader.excel import ExcelReader

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = ExcelReader(str(path), read_only=True, data_only=True)
            try:
                if any(m.file_size > _SMALL_PART for m in reader.archive.infolist()
                       if not m.filename.startswith("xl/worksheets/") and "sharedStrings" not in m.filename
                       and not m.filename.startswith("xl/media/")):
                    return  # left to the reading process and its memory ceiling
                reader.read_manifest()
                reader.read_workbook()
                for name, member in _sheets(reader):
                    check_dimension(_declared_dimension(reader.archive, member), name, limits)
            finally:
                reader.archive.close()
    except UnreadableFile:
        raise
    except Exception:
        return  # damage is told by the reading process, with the words it always used


def _sheets(reader) -> list[tuple[str, str]]:
    """(name, zip member) of each worksheet, in the workbook's order."""
    return [(sheet.name, rel.target) for sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type]


def _open_xlsx(path: Path, looks_like_header, limits: Limits) -> Table:
    import warnings

    from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader

    check_zip(path, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's warnings about styles and names it does not need here
            reader = ExcelReader(str(path), read_only=True, data_only=True)
            reader.read_manifest()
            strings = reader.package.find(SHARED_STRINGS)
            shared = _shared_strings(reader.archive, strings.PartName[1:] if strings is not None else None, limits)
            reader.read_workbook()
            styles = _styles(reader.archive, reader.wb.epoch)
            sheets = _sheets(reader)
    except UnreadableFile:
        raise
    except Exception as e:  # openpyxl and lxml raise their own error types for every kind of damage
        raise UnreadableFile(_("无法打开 XLSX 文件：文件已损坏或不是 Excel 工作簿"), _detail(e)) from e
    archive = reader.archive
    try:
        for name, member in sheets:
            check_dimension(_declared_dimension(archive, member), name, limits)
            try:
                header_row, header, rows = _find_header(
                    _guarded(_xlsx_rows(archive, member, shared, styles, name, limits), name), looks_like_header)
            except NoHeader:
                continue
            return Table("xlsx", "", header, header_row, rows, archive)
    except BaseException:
        archive.close()
        raise
    archive.close()
    raise UnreadableFile(_("工作簿中没有可识别表头的工作表：请检查数据类别或提供字段映射文件"))


def _guarded(rows: Iterator[tuple[int, list]], sheet: str) -> Iterator[tuple[int, list]]:
    """Damage found part-way through a sheet refuses the file, with the sheet's name."""
    try:
        yield from rows
    except UnreadableFile:
        raise
    except MemoryError:
        raise
    except Exception as e:
        if type(e).__name__ == "XMLSyntaxError" and ("memory" in str(e).lower() or "unknown error" in str(e)):
            raise MemoryError from e  # libxml2 could not allocate: it names no other cause
        raise UnreadableFile(_("无法读取工作表“%(sheet)s”：文件已损坏或不是正常的 Excel 工作簿") % {"sheet": sheet},
                             _detail(e)) from e


def _open_xls(path: Path, looks_like_header, limits: Limits) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types for every kind of damage
        raise UnreadableFile(_("无法打开 XLS 文件：文件已损坏或不是 Excel 工作簿"), _detail(e)) from e
    for name in book.sheet_names:
        try:
            sheet = book.get_sheet_by_name(name)
            end = sheet.end
            if end is not None:  # calamine holds the whole sheet already: its size is checked before a row is read
                check_dimension(f"A1:{_coordinate(end[0] + 1, end[1] + 1)}" if end[1] < 18278 else None, name, limits)
            cells = bounded_rows(((i, list(r)) for i, r in enumerate(sheet.iter_rows(), start=1)), limits, name)
            header_row, header, rows = _find_header(cells, looks_like_header)
        except NoHeader:
            continue
        except UnreadableFile:
            raise
        except Exception as e:
            raise UnreadableFile(_("无法读取工作表“%(sheet)s”：文件已损坏或不是正常的 Excel 工作簿") % {"sheet": name},
                                 _detail(e)) from e
        return Table("xls", "", header, header_row, rows, book)
    raise UnreadableFile(_("工作簿中没有可识别表头的工作表：请检查数据类别或提供字段映射文件"))


def open_workbook(path: Path, file_format: str, looks_like_header, limits: Limits | None = None) -> Table:
    limits = limits or Limits()
    if file_format == "xlsx":
        return _open_xlsx(path, looks_like_header, limits)
    return _open_xls(path, looks_like_header, limits)


def open_table(path: Path, looks_like_header, encoding: str | None = None, limits: Limits | None = None) -> Table:
    """Open a department file; `encoding`, when known already, is that of a CSV file."""
    file_format = sniff_format(path)
    if file_format == "csv":
        return open_csv(path, looks_like_header, encoding=encoding, limits=limits)
    return open_workbook(path, file_format, looks_like_header, limits)
