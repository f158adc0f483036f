"""Sending a file again: unchanged rows stay, changed rows get a new version, and a failed file changes nothing."""

import datetime as dt
import hashlib
import logging
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from cleanrecord.entities.models import Entity
from cleanrecord.records.importing.rows import RowParser
from cleanrecord.records.importing.writer import StagingWriter
from cleanrecord.records.models import ImportBatch, Penalty, RecordVersion
from cleanrecord.records.services import import_file
from cleanrecord.reference.models import Department

from .helpers import counts, penalty, penalty_csv, person_penalty, run_import, today, write_csv

pytestmark = pytest.mark.django_db


def test_importing_the_same_file_again_changes_nothing(tmp_path):
    path = penalty_csv(tmp_path / "a.csv", [penalty(1), penalty(2), person_penalty(3)])
    first = run_import(path)
    before = list(Penalty.objects.order_by("pk").values())

    again = run_import(path)

    assert again.code == 0
    assert counts(again.batch) == {"read": 3, "created": 0, "updated": 0, "unchanged": 3, "duplicate": 0, "rejected": 0}
    assert not RecordVersion.objects.exists()  # version 1 is the record row itself while nothing changed
    assert [[v.change for v in RecordVersion.history(r)] for r in Penalty.objects.all()] == [["created"]] * 3
    assert list(Penalty.objects.order_by("pk").values()) == before
    assert set(Penalty.objects.values_list("version", "batch_id")) == {(1, first.batch.pk)}
    # The file's digest, computed while its rows were read, is kept with each batch.
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert {b.file_sha256 for b in ImportBatch.objects.all()} == {digest}


def test_a_re_export_in_another_order_with_new_timestamps_changes_nothing(tmp_path):
    header = ["序号", *penalty(1), "数据更新时间戳"]
    rows = [{"序号": n, **penalty(n), "数据更新时间戳": "2024-05-01 08:00:00"} for n in (1, 2, 3)]
    run_import(write_csv(tmp_path / "may.csv", header, rows))

    rows = [{**row, "序号": 4 - row["序号"], "数据更新时间戳": "2024-06-01 08:00:00"} for row in reversed(rows)]
    run = run_import(write_csv(tmp_path / "june.csv", header, rows))

    assert counts(run.batch) == {"read": 3, "created": 0, "updated": 0, "unchanged": 3, "duplicate": 0, "rejected": 0}
    assert set(Penalty.objects.values_list("version", flat=True)) == {1}
    assert Penalty.objects.filter(extra={}).count() == 3


def test_a_re_sent_row_with_changes_is_an_update(tmp_path):
    first = run_import(penalty_csv(tmp_path / "a.csv", [penalty(1), penalty(2)]))
    original = Penalty.objects.get(decision_no="兰市监罚〔2024〕1号")

    changed = penalty(1, **{"罚款金额(万元)": "0.8", "处罚内容": "罚款人民币八千元"})
    run = run_import(penalty_csv(tmp_path / "b.csv", [changed, penalty(2)]))

    assert run.code == 0
    assert counts(run.batch) == {"read": 2, "created": 0, "updated": 1, "unchanged": 1, "duplicate": 0, "rejected": 0}
    record = Penalty.objects.get(decision_no="兰市监罚〔2024〕1号")
    assert record.pk == original.pk
    assert (record.fine_wan, record.content, record.version) == (Decimal("0.8"), "罚款人民币八千元", 2)
    assert record.batch_id == run.batch.pk
    assert record.created_at == original.created_at
    assert record.content_hash != original.content_hash
    versions = RecordVersion.objects.filter(kind="penalty", record_id=record.pk).order_by("version")
    assert [(v.version, v.change) for v in versions] == [(1, "created"), (2, "updated")]
    assert Decimal(str(versions[0].state()["fine_wan"])) == Decimal("0.5")
    assert (Decimal(str(versions[1].state()["fine_wan"])), versions[1].state()["content"]) == (Decimal("0.8"), "罚款人民币八千元")
    assert versions[1].batch_id == run.batch.pk
    # Version 1, not stored while the record was unchanged, was stored as it was when version 2 came.
    assert (versions[0].batch_id, versions[0].created_at) == (first.batch.pk, original.created_at)
    assert RecordVersion.history(record) == list(versions)
    assert Penalty.objects.get(decision_no="兰市监罚〔2024〕2号").version == 1


def test_a_re_sent_person_row_matches_by_id_number(tmp_path):
    run_import(penalty_csv(tmp_path / "a.csv", [person_penalty(1)]))

    run = run_import(penalty_csv(tmp_path / "b.csv", [person_penalty(1, **{"违法事实": "更正后的违法事实"})]))

    assert counts(run.batch)["updated"] == 1
    assert Penalty.objects.get().facts == "更正后的违法事实"


def test_a_row_marked_revoked_revokes_the_record(tmp_path):
    run_import(penalty_csv(tmp_path / "a.csv", [penalty(1), penalty(2)]))
    header = [*penalty(1), "当前状态"]
    path = write_csv(tmp_path / "b.csv", header, [{**penalty(1), "当前状态": "撤销"}, {**penalty(2), "当前状态": "正常"}])
    run = run_import(path)

    assert counts(run.batch) == {"read": 2, "created": 0, "updated": 1, "unchanged": 1, "duplicate": 0, "rejected": 0}
    revoked = Penalty.objects.get(decision_no="兰市监罚〔2024〕1号")
    assert (revoked.status, revoked.revoked_on, revoked.version) == ("revoked", today(), 2)
    assert RecordVersion.objects.get(record_id=revoked.pk, version=2).state()["status"] == "revoked"
    assert Penalty.objects.get(decision_no="兰市监罚〔2024〕2号").status == "active"


def test_a_revocation_sent_again_on_a_later_day_is_unchanged(tmp_path, monkeypatch):
    header = [*penalty(1), "当前状态"]
    path = write_csv(tmp_path / "a.csv", header, [{**penalty(1), "当前状态": "撤销"}])
    run_import(path)
    first_day = today()

    monkeypatch.setattr(timezone, "localdate", lambda *args: first_day + dt.timedelta(days=3))
    run = run_import(path)

    assert counts(run.batch)["unchanged"] == 1
    record = Penalty.objects.get()
    assert (record.status, record.revoked_on, record.version) == ("revoked", first_day, 1)


def test_a_revoked_record_stays_revoked_when_an_old_copy_is_sent_again(tmp_path):
    header = [*penalty(1), "当前状态", "撤销日期"]
    run_import(write_csv(tmp_path / "a.csv", header, [{**penalty(1), "当前状态": "1", "撤销日期": "2024-06-01"}]))

    run_import(penalty_csv(tmp_path / "b.csv", [penalty(1, **{"违法事实": "旧文件中的违法事实"})]))

    record = Penalty.objects.get()
    assert (record.status, record.revoked_on) == ("revoked", dt.date(2024, 6, 1))
    assert record.facts == "旧文件中的违法事实"


def test_a_key_repeated_in_one_file_is_a_duplicate_and_the_last_row_wins(tmp_path):
    rows = [penalty(1, **{"违法事实": "第一次填写"}), penalty(2), penalty(1, **{"违法事实": "第二次填写"}),
            penalty(1, **{"违法事实": "最后一次填写"})]

    run = run_import(penalty_csv(tmp_path / "a.csv", rows))

    assert run.code == 0
    assert counts(run.batch) == {"read": 4, "created": 2, "updated": 0, "unchanged": 0, "duplicate": 2, "rejected": 0}
    assert "文件内重复 2" in run.output
    record = Penalty.objects.get(decision_no="兰市监罚〔2024〕1号")
    assert (record.facts, record.version) == ("最后一次填写", 1)
    assert RecordVersion.history(record)[0].state()["facts"] == "最后一次填写"
    assert Entity.objects.count() == 2


def test_the_same_decision_number_for_another_subject_is_another_record(tmp_path):
    other = penalty(2, **{"行政处罚决定书文号": penalty(1)["行政处罚决定书文号"]})

    run = run_import(penalty_csv(tmp_path / "a.csv", [penalty(1), other]))

    assert counts(run.batch)["created"] == 2


def test_a_dry_run_of_a_changed_file_reports_the_update_and_writes_nothing(tmp_path):
    run_import(penalty_csv(tmp_path / "a.csv", [penalty(1)]))
    before = list(Penalty.objects.values())

    run = run_import(penalty_csv(tmp_path / "b.csv", [penalty(1, **{"违法事实": "新事实"}), penalty(2)]), dry_run=True)

    assert run.code == 0
    assert counts(run.batch) == {"read": 2, "created": 1, "updated": 1, "unchanged": 0, "duplicate": 0, "rejected": 0}
    assert list(Penalty.objects.values()) == before
    assert not RecordVersion.objects.exists()
    assert Entity.objects.count() == 1


def _fail_on_third_row(monkeypatch):
    parse = RowParser.parse
    calls = []

    def failing_parse(self, row_no, cells):
        calls.append(row_no)
        if len(calls) == 3:
            raise RuntimeError("模拟故障")
        return parse(self, row_no, cells)

    monkeypatch.setattr(RowParser, "parse", failing_parse)


def test_a_crash_mid_file_writes_nothing(tmp_path, monkeypatch, caplog):
    _fail_on_third_row(monkeypatch)
    path = penalty_csv(tmp_path / "a.csv", [penalty(n) for n in range(1, 6)])

    with caplog.at_level(logging.ERROR, logger="cleanrecord.records"):
        run = run_import(path)

    assert run.code == 2
    batch = run.batch
    assert batch.status == ImportBatch.Status.FAILED
    # The clerk is told what happened and what to do, never the exception; the log has it.
    assert batch.message == f"导入过程中发生错误，本文件的数据均未写入。请联系平台管理员，并告知批次编号 #{batch.pk}"
    assert [(r.getMessage(), str(r.exc_info[1])) for r in caplog.records if r.exc_info] == [
        (f"import batch {batch.pk} failed", "模拟故障")]
    assert "导入失败：导入过程中发生错误，本文件的数据均未写入" in run.errors
    assert (batch.rows_created, batch.rows_updated, batch.rows_unchanged, batch.error_file) == (0, 0, 0, "")
    assert not Penalty.objects.exists()
    assert not Entity.objects.exists()
    assert not RecordVersion.objects.exists()


def test_a_crash_mid_file_leaves_earlier_data_as_it_was(tmp_path, monkeypatch):
    run_import(penalty_csv(tmp_path / "a.csv", [penalty(1), penalty(2)]))
    before = list(Penalty.objects.order_by("pk").values())
    _fail_on_third_row(monkeypatch)

    rows = [penalty(1, **{"违法事实": "改过的"}), penalty(2, **{"违法事实": "也改过"}), penalty(3), penalty(4)]
    run = run_import(penalty_csv(tmp_path / "b.csv", rows))

    assert run.code == 2
    assert list(Penalty.objects.order_by("pk").values()) == before
    assert not RecordVersion.objects.exists()
    assert Entity.objects.count() == 2


def test_a_crash_while_merging_rolls_back_the_records_already_written(tmp_path, monkeypatch):
    def fail(self, now):
        assert Penalty.objects.count() == 3  # the records are in: the failure comes after them
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(StagingWriter, "_add_entities", fail)

    run = run_import(penalty_csv(tmp_path / "a.csv", [penalty(1), penalty(2), penalty(3)]))

    assert run.code == 2
    assert run.batch.message == f"导入过程中发生错误，本文件的数据均未写入。请联系平台管理员，并告知批次编号 #{run.batch.pk}"
    assert not Penalty.objects.exists()
    assert not RecordVersion.objects.exists()


def test_two_imports_can_share_a_transaction(tmp_path):
    """A caller may wrap several imports in one transaction (a web request, a nightly job)."""
    amr = Department.objects.get(code="amr")
    with transaction.atomic():
        first = import_file(path=penalty_csv(tmp_path / "a.csv", [penalty(1)]), kind="penalty", department=amr)
        second = import_file(path=penalty_csv(tmp_path / "b.csv", [penalty(2)]), kind="penalty", department=amr)

    assert (first.exit_code, second.exit_code) == (0, 0), second.batch.message
    assert Penalty.objects.count() == 2
