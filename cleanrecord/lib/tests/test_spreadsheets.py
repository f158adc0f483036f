"""Every CSV/XLSX the platform writes neutralises formula cells (OWASP CSV injection), through one helper."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook

from cleanrecord.accounts.models import DepartmentClerk
from cleanrecord.lib import spreadsheets
from cleanrecord.lib.spreadsheets import Workbook, csv_writer, safe_cell, unquote

ROOT = Path(__file__).resolve().parents[2]  # the cleanrecord package
HOSTILE = ['=HYPERLINK("http://evil.example","点击")', "+cmd|' /C calc'!A0", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
           "-2+3"]

# Any way of writing a CSV or a workbook without the helper.
WRITERS = re.compile(r"\bcsv\.(writer|DictWriter)\(|from openpyxl import [^\n]*\bWorkbook\b|openpyxl\.Workbook\("
                     r"|\bxlsxwriter\b|\.to_csv\(|\.to_excel\(")
# Modules allowed to write without the helper, and why.
EXEMPT = {
    "lib/spreadsheets.py": "the helper itself",
    "demo/generate.py": "writes sample input files for the importer from generated values (names, codes, dates), "
                        "with a hand-encoded fast path the benchmark measures; no user data and no download",
}
# The modules that write a CSV or XLSX a user gets: each must go through the helper.
KNOWN_WRITERS = ["records/services.py", "records/importing/parallel.py", "records/importing/rejected.py",
                 "quality/exports.py", "reports/render.py"]


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "/tests/" in f"/{rel}" or rel.startswith("testing/") or "/migrations/" in rel:
            continue
        yield rel, path.read_text(encoding="utf-8")


def test_no_module_writes_a_csv_or_workbook_around_the_helper():
    modules = dict(_modules())
    assert all(WRITERS.search(modules[rel]) for rel in EXEMPT)  # the pattern finds writers: the check can fail
    offenders = [rel for rel, text in modules.items() if rel not in EXEMPT and WRITERS.search(text)]
    assert offenders == [], "write CSV/XLSX through cleanrecord.lib.spreadsheets (csv_writer, Workbook)"


@pytest.mark.parametrize("rel", KNOWN_WRITERS)
def test_the_known_writers_use_the_helper(rel):
    text = (ROOT / rel).read_text(encoding="utf-8")
    assert re.search(r"from cleanrecord\.lib(\.spreadsheets)? import|import cleanrecord\.lib\.spreadsheets", text)
    assert re.search(r"\b(csv_writer|spreadsheets\.csv_writer|Workbook|spreadsheets\.Workbook)\(", text), rel


def test_safe_cell_prefixes_formula_starts_and_leaves_the_rest():
    for value in HOSTILE:
        assert safe_cell(value) == "'" + value
        assert unquote(safe_cell(value)) == value
    assert safe_cell("-5") == "'-5"  # text in a CSV: Excel would read "-2+3" as a formula, so every "-"
    assert safe_cell(-5) == "'-5"
    assert [safe_cell(v) for v in ("兰州", "", None, 12, 0.5, "'已引用")] == ["兰州", "", "", "12", "0.5", "'已引用"]
    assert unquote("'已引用") == "'已引用"


def test_csv_writer_neutralises_every_cell():
    out = io.StringIO()
    csv_writer(out).writerows([HOSTILE, ["ok", 1]])
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert rows == [["'" + v for v in HOSTILE], ["ok", "1"]]


@pytest.mark.parametrize("write_only", [False, True])
def test_workbook_sheets_write_formula_text_as_quote_prefixed_strings_and_keep_numbers(write_only):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("x") if write_only else wb.active
    ws.append([*HOSTILE, -5, 0.5, "兰州"])
    cells = _cells_of(wb)
    assert [c.value for c in cells] == [*HOSTILE, -5, 0.5, "兰州"]
    for c in cells[:len(HOSTILE)]:
        assert (c.data_type, c.quotePrefix) == ("s", True)
    assert [c.data_type for c in cells[len(HOSTILE):]] == ["n", "n", "s"]


def _cells_of(wb) -> list:
    out = io.BytesIO()
    wb.save(out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    return [c for row in book.worksheets[0].iter_rows() for c in row]


def _assert_neutral_workbook(content: bytes, hostile: str) -> None:
    book = load_workbook(io.BytesIO(content))
    found = False
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str) and c.value.startswith(spreadsheets.FORMULA_START):
                    assert c.quotePrefix, (ws.title, c.coordinate)
                found |= c.value == hostile
    assert found, "the hostile value is not in the workbook"


# -- each file a user downloads ------------------------------------------------------------------------


@pytest.mark.django_db
def test_statistics_csv_and_xlsx_neutralise_hostile_labels():
    from cleanrecord.quality import exports, stats

    data = stats.rollout()
    section = next(iter(stats.section_titles()))
    data[section] = [*data[section], {"key": HOSTILE[1], "label": HOSTILE[0], "count": 1}]

    rows = list(csv.reader(io.StringIO(exports.statistics_csv(data).decode("utf-8-sig"), newline="")))
    assert [stats.section_titles()[section], "'" + HOSTILE[1], "'" + HOSTILE[0], "1"] in rows
    assert not any(cell.startswith(spreadsheets.FORMULA_START) for row in rows for cell in row)
    _assert_neutral_workbook(exports.statistics_xlsx(data), HOSTILE[0])


@pytest.mark.django_db
def test_the_downloaded_scorecard_neutralises_a_hostile_department_name():
    from cleanrecord.quality.tests.test_supervision_views import bad_amr, client_for
    from cleanrecord.reference.models import Department

    Department.objects.filter(code="amr").update(name=HOSTILE[2])
    bad_amr.__wrapped__()  # the fixture's records and measures
    office = client_for("office-user", office=True)
    response = office.get("/office/quality/amr/scorecard.xlsx")
    assert response.status_code == 200
    _assert_neutral_workbook(response.content, HOSTILE[2])


@pytest.mark.django_db
def test_the_import_error_list_neutralises_hostile_values_and_shows_them_as_sent(tmp_path, client):
    from cleanrecord.records.models import ImportBatch
    from cleanrecord.records.services import ImportResult
    from cleanrecord.records.tests.uploads import penalty_csv
    from cleanrecord.reference.models import Department

    amr = Department.objects.get(code="amr")
    user = User.objects.create_user("clerk-amr", password="pw-clerk-1")
    DepartmentClerk.objects.create(user=user, department=amr)
    client.force_login(user)
    hostile = '=HYPERLINK("http://evil.example")'  # no comma: the test file's cells are not quoted
    from cleanrecord.records.tests.test_imports_pages import upload

    upload(client, penalty_csv(amr, {"date": hostile}))  # the preview, then 确认导入
    batch = ImportBatch.objects.get()
    assert batch.rows_rejected == 1
    body = b"".join(client.get(f"/imports/{batch.pk}/errors.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert ["'" + hostile] == [r[2] for r in rows[1:] if r[1] == "处罚决定日期"]
    assert not any(cell.startswith(spreadsheets.FORMULA_START) for row in rows for cell in row)
    # The page shows the value as it was sent.
    assert [i.value for i in ImportResult(batch).issues() if i.column == "处罚决定日期"] == [hostile]


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("处罚.csv", content)
