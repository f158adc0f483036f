"""A large CSV loaded by two processes (importing/parallel.py) gives what one process gives: the same counts,
the same rejected rows under the same row numbers, the same winner among in-file duplicates, the same
records, versions and new entities. PostgreSQL only: elsewhere the file is always loaded in one process.

The tests lower the size from which a file is split, so that small files take the two-process path.
"""

import csv
import io
import logging
import os

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction

from cleanrecord.entities.models import Entity
from cleanrecord.records.importing import parallel
from cleanrecord.records.importing.readers import BROKEN_UTF8_BOM
from cleanrecord.records.models import ImportBatch, Penalty, RecordVersion

from .helpers import PENALTY_HEADERS, bad_checksum, counts, credit_code, penalty, run_import

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                       reason="files are split between processes on PostgreSQL only"),
]

TITLE = ["兰州市市场监督管理局行政处罚信息公示"]
SHARED_CODE = credit_code("91620100MA71B0TH1")
# Lifted out of every record before comparing: ids, batches and times differ between two runs by nature,
# and an ID number is sealed with a fresh nonce each time.
VOLATILE = {"id", "batch_id", "created_at", "updated_at", "legal_rep_id_encrypted", "subject_id_encrypted"}


@pytest.fixture
def split_files(monkeypatch):
    """Every CSV is split (as if it were large); returns the second parts the second process handed back."""
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "CHUNK", 4096)  # the pass that finds the cut reads many chunks
    parts = []
    result = parallel.SecondPart.result

    def spy(self):
        part = result(self)
        parts.append(part)
        return part

    monkeypatch.setattr(parallel.SecondPart, "result", spy)
    yield parts
    # Each test's transaction is rolled back, and with it the import's DROP of the staging table that
    # another connection made: drop them for good.
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as conn:
        conn.execute("SET lock_timeout = '10s'")
        for (name,) in conn.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'import_stage_%%'").fetchall():
            conn.execute(f"DROP TABLE IF EXISTS {name}")


def csv_bytes(lines: list) -> bytes:
    """A UTF-8 CSV with BOM and CRLF: lists are rows, None a blank line, bytes written as they are."""
    out = io.BytesIO()
    out.write(b"\xef\xbb\xbf")
    for line in lines:
        if line is None:
            out.write(b"\r\n")
        elif isinstance(line, bytes):
            out.write(line)
        else:
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\r\n").writerow([line.get(h, "") for h in PENALTY_HEADERS]
                                                            if isinstance(line, dict) else line)
            out.write(buf.getvalue().encode())
    return out.getvalue()


MULTI_LINE_FACTS = "\r\n".join(f"第{i}项：当事人于2024年在经营场所销售超过保质期的食品，货值金额{i}00元。" for i in range(1, 80))


def big_file_lines(*, first=(), second=()) -> list:
    """A title row, the header, then 120 rows, one row whose 违法事实 runs over 79 lines, and 120 rows more,
    so that the middle of the file falls inside the multi-line cell. `first` and `second` are extra lines
    put at the start of each half."""
    before = [*first, *(penalty(n) for n in range(1, 121))]
    after = [*second, *(penalty(n) for n in range(201, 321))]
    middle = penalty(500, **{"违法事实": MULTI_LINE_FACTS})
    return [TITLE, PENALTY_HEADERS, *before, middle, *after]


def rows_with_everything() -> tuple[list, list]:
    """Extra lines for each half: rejected rows, warnings, blank lines, in-file duplicates within and across
    the halves, and one entity named in both halves under two names."""
    first = [
        penalty(1001, **{"行政相对人代码_1(统一社会信用代码)": "123"}),  # rejected: not a credit code
        None,
        penalty(1002, **{"违法事实": ""}),  # rejected: required
        penalty(1003, **{"行政相对人代码_1(统一社会信用代码)": bad_checksum(credit_code("91620100MA7101003"))}),  # warning
        penalty(1004, **{"行政相对人代码_1(统一社会信用代码)": SHARED_CODE, "行政相对人名称": "兰州甲商贸有限公司"}),
        penalty(1005),  # superseded by the same key in the second half
        penalty(1006, **{"处罚类别": "罚款；警示教育"}),  # warning: unknown category, kept
        None,
        None,
    ]
    second = [
        None,
        penalty(2001, **{"处罚决定日期": "2024-02-30"}),  # rejected: no such date
        penalty(1005, **{"处罚内容": "罚款人民币六千元", "罚款金额(万元)": "0.6"}),  # wins over the first half's
        penalty(2002, **{"行政相对人代码_1(统一社会信用代码)": SHARED_CODE, "行政相对人名称": "兰州乙商贸有限公司"}),
        penalty(2003),
        None,
        penalty(2003, **{"违法行为类型": "虚假宣传"}),  # wins over the row before
        penalty(2004, **{"行政处罚决定书文号": ""}),  # rejected: required
    ]
    return first, second


def stage_left(batch: ImportBatch) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [parallel.stage_name(batch.pk)])
        return cur.fetchone()[0]


def outcome(path, monkeypatch, *, split: bool, dry_run: bool = False) -> dict:
    """Import `path` in one process or two, note everything it did, and undo it."""
    if not split:
        monkeypatch.setattr(parallel, "MIN_BYTES", 1 << 60)
    try:
        with transaction.atomic():
            run = run_import(path, dry_run=dry_run)
            b = run.batch
            keys = dict(Penalty.objects.values_list("id", "decision_no"))
            result = {
                "code": run.code, "status": b.status, "message": b.message, "counts": counts(b), "warned": b.rows_warned,
                "format": (b.file_format, b.encoding),
                "issues": run.issues(),
                "records": sorted(sorted((k, str(v)) for k, v in row.items() if k not in VOLATILE)
                                  for row in Penalty.objects.values()),
                "versions": sorted((v.kind, v.subject_key, keys.get(v.record_id), v.version, v.change, str(v.data))
                                   for v in RecordVersion.objects.all()),
                "entities": sorted(Entity.objects.values_list("credit_code", "name", "kind", "checksum_warning",
                                                              "from_register")),
                "stage_left": stage_left(b),
            }
            transaction.set_rollback(True)
    finally:
        monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    return result


def test_the_cut_falls_after_a_multi_line_cell_that_straddles_the_middle(tmp_path, split_files):
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(big_file_lines()))
    data = path.read_bytes()
    middle = 3 + (len(data) - 3) // 2
    cell_start = data.index("第1项".encode())
    cell_end = data.index("第79项".encode())
    assert cell_start < middle < cell_end
    assert b"\r\n" in data[middle:cell_end]  # a cut at the next line end would fall inside the cell

    encoding, split = parallel.plan(path, "penalty")

    assert encoding == "utf-8-sig"
    row_end = data.index(b"\r\n", cell_end) + 2
    # title, header, 120 rows and the multi-line one: its 79 lines are one row
    assert (split.offset, split.rows) == (row_end, 123)


def test_two_processes_give_what_one_gives(tmp_path, monkeypatch, split_files):
    first, second = rows_with_everything()
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(big_file_lines(first=first, second=second)))

    one = outcome(path, monkeypatch, split=False)
    assert split_files == []
    two = outcome(path, monkeypatch, split=True)

    assert two == one
    assert len(split_files) == 1 and split_files[0].read == 6 + 120  # the second half, blank lines left out
    assert not two["stage_left"]
    assert two["counts"] == {"read": 253, "created": 247, "updated": 0, "unchanged": 0, "duplicate": 2, "rejected": 4}
    # Row numbers count the title row, the header and blank lines, and the multi-line row once: the first
    # half's extra lines are rows 3-11, its 120 rows 12-131, the multi-line row 132, the second half's 133-140.
    assert {int(r[0]) for r in two["issues"] if r[3] == "拒收"} == {3, 5, 134, 140}
    assert {int(r[0]) for r in two["issues"] if r[3] == "提示"} == {6, 9}
    kept = [dict(r) for r in two["records"] if dict(r)["decision_no"] == "兰市监罚〔2024〕1005号"]
    assert [r["content"] for r in kept] == ["罚款人民币六千元"]  # the later row of the file wins
    kept = [dict(r) for r in two["records"] if dict(r)["decision_no"] == "兰市监罚〔2024〕2003号"]
    assert [r["violation_type"] for r in kept] == ["虚假宣传"]
    assert [e[1] for e in two["entities"] if e[0] == SHARED_CODE] == ["兰州乙商贸有限公司"]  # made from the last row


def test_updates_and_versions_are_the_same(tmp_path, monkeypatch, split_files):
    monkeypatch.setattr(parallel, "MIN_BYTES", 1 << 60)
    base = tmp_path / "base.csv"
    base.write_bytes(csv_bytes([PENALTY_HEADERS, *(penalty(n) for n in range(1, 60)), *(penalty(n) for n in range(280, 300))]))
    assert run_import(base).code == 0
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    changed = [penalty(5, **{"违法事实": "另查明的事实。"}),  # its first row is in the first half
               *(penalty(n, **{"罚款金额(万元)": "0.7", "处罚内容": "罚款人民币七千元"}) for n in (290, 291))]
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(big_file_lines() + changed))

    one = outcome(path, monkeypatch, split=False)
    two = outcome(path, monkeypatch, split=True)

    assert len(split_files) == 1
    assert two == one
    assert two["counts"] == {"read": 244, "created": 241 - 59 - 20, "updated": 3, "unchanged": 59 + 20 - 3,
                             "duplicate": 3, "rejected": 0}
    assert {v[4] for v in two["versions"]} == {"created", "updated"}


def test_a_dry_run_is_the_same_and_leaves_nothing(tmp_path, monkeypatch, split_files):
    first, second = rows_with_everything()
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(big_file_lines(first=first, second=second)))

    one = outcome(path, monkeypatch, split=False, dry_run=True)
    two = outcome(path, monkeypatch, split=True, dry_run=True)

    assert len(split_files) == 1
    assert two == one
    assert two["records"] == [] and not two["stage_left"]
    assert two["status"] == ImportBatch.Status.DRY_RUN


def test_stray_quotes_that_mislead_the_cut_fall_back_to_one_process(tmp_path, monkeypatch, split_files, caplog):
    # A quote inside an unquoted cell is a character to the CSV reader, but the pass that finds the cut
    # counts it as opening a quoted cell: between two of them it misses line ends, so the first part does
    # not end after as many records as it expected.
    stray = [
        csv_bytes([penalty(900, **{"违法事实": "当事人销售标称STRAY的显示器"})])[3:].replace(b"STRAY", b'5"'),
        *(penalty(n) for n in range(901, 911)),
        csv_bytes([penalty(911, **{"违法事实": "当事人销售标称STRAY的显示器"})])[3:].replace(b"STRAY", b'7"'),
    ]
    path = tmp_path / "stray.csv"
    path.write_bytes(csv_bytes(big_file_lines(first=stray)))
    assert path.read_bytes().count(b'"') % 2 == 0

    one = outcome(path, monkeypatch, split=False)
    with caplog.at_level(logging.INFO, logger="cleanrecord.records"):
        two = outcome(path, monkeypatch, split=True)

    assert two == one
    assert two["counts"]["created"] == 120 + 12 + 1 + 120
    assert "not loaded in two processes after all" in caplog.text


def test_bytes_that_do_not_decode_in_the_second_part_refuse_the_file_as_before(tmp_path, monkeypatch, split_files):
    path = tmp_path / "broken.csv"
    path.write_bytes(csv_bytes(big_file_lines(second=[csv_bytes([penalty(2001)])[3:].replace("兰州".encode(), b"\xff\xfe", 1)])))

    one = outcome(path, monkeypatch, split=False)
    two = outcome(path, monkeypatch, split=True)

    assert two == one
    assert two["status"] == ImportBatch.Status.FAILED and two["message"] == BROKEN_UTF8_BOM
    assert two["records"] == [] and not two["stage_left"]


def test_other_encodings_and_small_files_stay_in_one_process(tmp_path, monkeypatch):
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(csv_bytes(big_file_lines())[3:].decode().encode("gb18030"))
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    assert parallel.plan(gbk, "penalty") == ("gb18030", None)
    assert parallel.plan(gbk, "register") == (None, None)
    monkeypatch.setattr(parallel, "MIN_BYTES", 20 * 1024 * 1024)
    utf8 = tmp_path / "small.csv"
    utf8.write_bytes(csv_bytes(big_file_lines()))
    assert parallel.plan(utf8, "penalty") == (None, None)


@pytest.mark.parametrize("failure", ["raises", "dies"])
def test_when_the_second_process_fails_one_process_loads_the_file(tmp_path, monkeypatch, split_files, caplog, failure):
    first, second = rows_with_everything()
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(big_file_lines(first=first, second=second)))
    one = outcome(path, monkeypatch, split=False)

    def broken(*args):  # runs in the forked process
        if failure == "dies":
            os._exit(3)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(parallel, "csv_part_rows", broken)
    with caplog.at_level(logging.INFO, logger="cleanrecord.records"):
        two = outcome(path, monkeypatch, split=True)

    assert two == one
    assert split_files == []
    assert "not loaded in two processes after all" in caplog.text
