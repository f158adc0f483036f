"""Files beyond the limits: refused at once with where, whatever they claim, and nothing written (issue 11)."""

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from cleanrecord.records.models import ImportBatch, Penalty
from cleanrecord.records.services import import_upload

from .helpers import PENALTY_HEADERS, counts, penalty, run_import, write_xlsx
from .hostile import only_cell_at, sheet, text_cell, workbook

pytestmark = pytest.mark.django_db


def limits(**values):
    return override_settings(CLEANRECORD={**settings.CLEANRECORD, **values})


def assert_refused(run, *phrases):
    assert run.code == 2, run.output
    assert run.batch.status == ImportBatch.Status.FAILED
    for phrase in phrases:
        assert phrase in run.batch.message, run.batch.message
    assert f"导入失败：{run.batch.message}" in run.errors
    assert not Penalty.objects.exists()


@pytest.mark.parametrize(("ref", "columns"), [("XFD1048576", 16384), ("ZZ100000", 702)])
def test_a_2kb_workbook_claiming_a_far_cell_is_refused_at_once(tmp_path, ref, columns):
    path = tmp_path / "far.xlsx"
    path.write_bytes(only_cell_at(ref))
    assert path.stat().st_size < 2048

    started = time.monotonic()
    run = run_import(path)

    assert time.monotonic() - started < 2
    assert_refused(run, f"工作表“数据”的数据范围 {ref}", f"有 {columns} 列，超过列数上限 200 列")


def test_a_far_cell_without_a_declared_dimension_is_refused_while_reading(tmp_path):
    path = tmp_path / "undeclared.xlsx"
    path.write_bytes(only_cell_at("XFD1048576", declared=False))

    started = time.monotonic()
    run = run_import(path)

    assert time.monotonic() - started < 2
    assert_refused(run, "工作表“数据”单元格 XFD1048576 超过列数上限 200 列")


def test_a_dimension_that_understates_the_sheet_does_not_let_it_through(tmp_path):
    header = "".join(text_cell(f"{chr(65 + i)}1", h) for i, h in enumerate(PENALTY_HEADERS[:5]))
    path = tmp_path / "lying.xlsx"
    path.write_bytes(workbook(sheet(f'<row r="1">{header}</row><row r="2">{text_cell("KZ2", "x")}</row>', "A1:B2")))

    run = run_import(path)

    assert_refused(run, "单元格 KZ2 超过列数上限 200 列")


def test_rows_and_cells_beyond_the_configured_limits_are_refused(tmp_path):
    rows = [penalty(n) for n in range(1, 6)]
    path = write_xlsx(tmp_path / "five.xlsx", PENALTY_HEADERS, rows)

    with limits(IMPORT_MAX_ROWS=4):
        assert_refused(run_import(path), "工作表“数据”的数据范围 A1:S6", "有 6 行，超过行数上限 4 行")
    with limits(IMPORT_MAX_CELLS=100):
        assert_refused(run_import(path), "共 114 个单元格，超过上限 100 个")
    with limits(IMPORT_MAX_ROWS=4):
        csv_path = tmp_path / "five.csv"
        csv_path.write_text(",".join(PENALTY_HEADERS) + "\n" + "\n".join(
            ",".join(r[h] for h in PENALTY_HEADERS) for r in rows) + "\n", encoding="utf-8")
        assert_refused(run_import(csv_path), "文件超过行数上限：第 5 行，最多 4 行")
    assert counts(run_import(path).batch)["created"] == 5  # within the limits, the same file imports


def test_a_csv_row_wider_than_the_column_limit_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(PENALTY_HEADERS) + "\n" + "," * 5000 + "\n", encoding="utf-8")

    assert_refused(run_import(path), "第 2 行有 5001 列，超过列数上限 200 列")


def test_a_zip_bomb_is_refused_from_its_directory_before_inflating(tmp_path):
    bomb = b"\0" * (20 * 1024 * 1024)  # 20 MB of zeros deflate to about 20 KB
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(workbook(sheet(""), extra=(("xl/media/filler.bin", bomb),)))
    assert path.stat().st_size < 100_000

    with limits(IMPORT_MAX_UNPACKED_BYTES=10 * 1024 * 1024):
        run = run_import(path)

    assert_refused(run, "XLSX 文件解压后共 20.0 MB，超过上限 10.0 MB", "最大的部件 xl/media/filler.bin")


def test_a_workbook_with_too_many_members_is_refused(tmp_path):
    path = tmp_path / "many.xlsx"
    path.write_bytes(workbook(sheet(""), extra=tuple((f"xl/n/{i}.xml", b"") for i in range(1000))))

    assert_refused(run_import(path), "XLSX 文件包含 1005 个部件，超过上限 1000 个")


def test_a_row_of_millions_of_cells_hits_the_memory_ceiling_and_the_batch_fails(tmp_path):
    path = tmp_path / "row.xlsx"
    path.write_bytes(workbook(sheet('<row r="1">' + "<c/>" * 3_000_000 + "</row>")))
    assert path.stat().st_size < 100_000

    with limits(IMPORT_MEMORY_LIMIT_MB=400):
        run = run_import(path)

    assert_refused(run, "读取文件所需内存超过上限 400 MB")


def test_a_hostile_upload_through_the_web_fails_its_batch_and_leaves_no_copy(client, tmp_path):
    from django.contrib.auth.models import User

    from cleanrecord.accounts.models import DepartmentClerk
    from cleanrecord.reference.models import Department

    clerk = User.objects.create_user("clerk")
    DepartmentClerk.objects.create(user=clerk, department=Department.objects.get(code="amr"))
    client.force_login(clerk)
    assert client.get("/imports/").status_code == 200  # a server that has answered before: its first-request work done
    uploads = tmp_path / "tmp"
    with limits(TEMP_DIR=str(uploads)), override_settings(FILE_UPLOAD_TEMP_DIR=str(uploads)):
        started = time.monotonic()
        response = client.post("/imports/", {"kind": "penalty", "file": SimpleUploadedFile("far.xlsx", only_cell_at("XFD1048576"))})
        elapsed = time.monotonic() - started

    assert elapsed < 2
    # Refused by the preview, before any batch: the clerk reads why, and no copy is left.
    assert response.status_code == 400 and not ImportBatch.objects.exists()
    page = response.content.decode()
    assert "XFD1048576" in page and "超过列数上限 200 列" in page
    assert [p for p in uploads.rglob("*") if p.is_file()] == []


def test_a_large_upload_is_read_where_django_put_it_and_deleted_after(tmp_path):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    with limits(TEMP_DIR=str(tmp_path / "tmp")), override_settings(FILE_UPLOAD_TEMP_DIR=str(tmp_path)):
        upload = TemporaryUploadedFile("far.xlsx", "application/octet-stream", 0, None)
        upload.write(only_cell_at("ZZ100000"))
        upload.flush()
        upload.size = upload.tell()
        where = upload.temporary_file_path()
        batch = import_upload(user=None, upload=upload, kind="penalty", department=None, mapping=None, dry_run=False,
                              channel=ImportBatch.Channel.API)

    assert batch.status == ImportBatch.Status.FAILED
    assert "ZZ100000" in batch.message
    assert not Path(where).exists()
