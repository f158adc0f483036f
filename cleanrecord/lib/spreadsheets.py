"""Writing CSV and XLSX files that a spreadsheet opens without running anything (OWASP "CSV injection").

Every CSV or XLSX file the platform writes goes through this module (a test greps for writers that do
not). A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is what Excel, LibreOffice
and WPS take for a formula (`=HYPERLINK(...)`, `+cmd|' /C calc'!A0`, `@SUM(...)`, `-2+3`).

- CSV has no types: such a cell gets a leading apostrophe, as OWASP recommends. The spreadsheet then
  shows text; the apostrophe is visible, so the value read back is changed (`unquote` undoes it).
- XLSX has types: the value is kept as it is, written as a string cell (openpyxl would otherwise turn
  a string starting with "=" into a formula), with the "quote prefix" style Excel gives a cell typed
  with a leading apostrophe, so that editing the cell later (F2, Enter) keeps it text too. Numbers,
  dates and booleans stay what they are: a negative number is a number, never a formula.
"""

import csv
import datetime as dt
import decimal
from collections.abc import Iterable

from openpyxl import Workbook as _OpenpyxlWorkbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Values an XLSX cell holds as what they are: never evaluated, whatever their sign.
_TYPED = (bool, int, float, decimal.Decimal, dt.datetime, dt.date, dt.time, dt.timedelta)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    return str(value)


def safe_cell(value) -> str:
    """A value as CSV text that no spreadsheet evaluates: a formula-like start gets a leading apostrophe."""
    text = _text(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def unquote(text: str) -> str:
    """The text `safe_cell` was given (for text it neutralised): to show a value read back from our own file."""
    return text[1:] if text[:1] == "'" and text[1:].startswith(FORMULA_START) else text


class SafeCSVWriter:
    """csv.writer whose rows go through safe_cell."""

    def __init__(self, f, **kwargs):
        self._writer = csv.writer(f, **kwargs)

    def writerow(self, row: Iterable):
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(f, **kwargs) -> SafeCSVWriter:
    return SafeCSVWriter(f, **kwargs)


def xlsx_cell(ws, value):
    """A value for a row of `ws` (write-only or not): text that looks like a formula becomes a string cell,
    quote-prefixed; anything else is passed as it is (a cell object costs time on every one of a million cells)."""
    if isinstance(value, Cell):  # a cell the caller styled (a bold header): kept, its text made safe
        cell = value
    elif value is None or isinstance(value, _TYPED):
        return value
    else:
        text = value if isinstance(value, str) else str(value)
        if not text.startswith(FORMULA_START):
            return text
        cell = WriteOnlyCell(ws, value=text)
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
        cell.data_type = "s"  # openpyxl makes "=..." a formula ("f"); here it stays text
        cell.quotePrefix = True
    return cell


def xlsx_row(ws, values: Iterable) -> list:
    return [xlsx_cell(ws, v) for v in values]


def _guard(ws):
    """Route the sheet's append() through xlsx_row, whatever its caller passes."""
    append = ws.append
    ws.append = lambda values: append(xlsx_row(ws, values))
    return ws


class Workbook(_OpenpyxlWorkbook):
    """openpyxl's Workbook, whose sheets neutralise every row appended to them (write-only or not)."""

    def __init__(self, write_only: bool = False, iso_dates: bool = False):
        super().__init__(write_only=write_only, iso_dates=iso_dates)
        for ws in self._sheets:
            _guard(ws)

    def create_sheet(self, title=None, index=None):
        return _guard(super().create_sheet(title, index))
