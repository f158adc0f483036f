"""The snapshot's shape (reports/snapshot.py): the example and every issued report hold to it, and a
snapshot issued before a key existed is read with what its absence meant, renders and verifies."""

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone

from cleanrecord.reports.example import example_snapshot, full_example_snapshot
from cleanrecord.reports.render import render_pdf
from cleanrecord.reports.services import issue_report, snapshot_hash
from cleanrecord.reports.snapshot import read_snapshot, shape_errors

from .factories import compulsion, entity, judgment, listing, penalty
from .test_report_kinds import text_of

pytestmark = pytest.mark.pdf  # the tests here issue reports: real PDFs

LEGACY_SNAPSHOT = Path(__file__).parent / "data" / "snapshot-before-issue-13.json"


def legacy() -> dict:
    return json.loads(LEGACY_SNAPSHOT.read_text(encoding="utf-8"))


@pytest.mark.parametrize("make", [example_snapshot, full_example_snapshot])
def test_the_example_holds_to_the_shape(make):
    snapshot = make()
    assert shape_errors(snapshot, as_stored=True) == []
    assert shape_errors(read_snapshot(snapshot)) == []


@pytest.mark.django_db
def test_a_report_issued_now_has_every_key_of_the_shape_with_its_type():
    company = entity(name="兰州快照形状测试有限公司")
    today = timezone.localdate()
    penalty(company, today - dt.timedelta(days=40))
    compulsion(company, today - dt.timedelta(days=30), lifted_on=today - dt.timedelta(days=3))
    listing(company, today - dt.timedelta(days=20))
    judgment(company, today - dt.timedelta(days=10))
    report = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")
    snapshot = report.snapshot
    assert sorted(r["kind"] for block in snapshot["details"] for r in block["records"]) == [
        "compulsion", "listing", "penalty"]
    assert [r["kind"] for r in snapshot["judgments"]["records"]] == ["judgment"]
    assert shape_errors(snapshot) == []  # nothing missing, nothing unknown, every value of its type
    assert read_snapshot(snapshot) == snapshot  # nothing to fill in


def test_a_departure_from_the_shape_is_named_where_it_is():
    snapshot = example_snapshot()
    snapshot["summary"][0]["found"] = "1"
    snapshot["summary"][1]["found"] = True
    del snapshot["entity"]["legal_rep"]
    snapshot["details"][1]["records"][1]["lifted_on"] = None
    snapshot["judgments"]["records"][0]["kind"] = "verdict"
    snapshot["colour"] = "red"
    assert sorted(shape_errors(snapshot, as_stored=True)) == sorted([
        "snapshot.summary[0].found: str, expected int",
        "snapshot.summary[1].found: bool, expected int",
        "snapshot.entity.legal_rep: missing",
        "snapshot.details[1].records[1].lifted_on: NoneType, expected str",
        "snapshot.judgments.records[0].kind: 'verdict', expected one of ('penalty', 'compulsion', 'listing', "
        "'judgment')",
        "snapshot.colour: not in Snapshot",
    ])
    # A key only older snapshots may lack is missing for a report issued now.
    del snapshot["summary"][2]["kinds"]
    assert "snapshot.summary[2].kinds: missing" in shape_errors(snapshot)
    assert "snapshot.summary[2].kinds: missing" not in shape_errors(snapshot, as_stored=True)


def test_a_snapshot_issued_before_issue_13_reads_with_what_the_missing_keys_meant():
    stored = legacy()
    kept = copy.deepcopy(stored)
    assert shape_errors(stored) != [] and shape_errors(stored, as_stored=True) == []
    snapshot = read_snapshot(stored)
    assert shape_errors(snapshot) == []
    assert stored == kept and snapshot_hash(stored) == snapshot_hash(kept)  # what was signed is left alone
    assert (snapshot["wording"], snapshot["judgments"], snapshot["freshness"], snapshot["audit_head"]) == (
        None, None, None, None)
    assert [row["kinds"] for row in snapshot["summary"]] == [["行政处罚", "严重失信"]] * 3
    assert {(row["as_of"], row["silence_note"]) for row in snapshot["summary"]} == {(None, None)}
    penalty_record = snapshot["details"][1]["records"][0]
    assert (penalty_record["id"], penalty_record["violation"], penalty_record["procedure"]) == (None, "", "")
    assert penalty_record["explanation"]["signer"] == "兰州市市场监督管理局"


def test_the_pdf_of_a_snapshot_is_typeset_from_it_as_stored():
    stored = legacy()
    text = text_of(render_pdf(stored))
    # An absent `kinds` prints no 查询范围, where a filled-in one would.
    assert "查询范围" not in text and "兰市监罚〔2025〕17号" in text
    assert "查询范围" in text_of(render_pdf(read_snapshot(stored)))


@pytest.mark.django_db
def test_a_report_issued_before_issue_13_verifies_on_the_page_and_the_api(client):
    company = entity(name="兰州旧快照核验测试有限公司")
    report = issue_report(credit_code=company.credit_code, domains=["market-regulation"], purpose="finance")
    old = legacy()
    old.update(number=report.number, verification_code=report.verification_code,
               verify_url=report.snapshot["verify_url"])
    old["entity"]["credit_code"] = company.credit_code
    old["hash"] = snapshot_hash(old)
    type(report).objects.filter(pk=report.pk).update(snapshot=old, snapshot_hash=old["hash"])

    response = client.get(f"/verify/{report.verification_code}")
    page = response.content.decode()
    assert response.status_code == 200 and 'id="verdict">真实有效<' in page
    assert "查询期内，未发现该主体在本领域存在违法违规记录" in page and "数据截至" not in page
    assert "（2024）甘0102执1234号" in page  # the records it showed are no longer on the platform
    answer = client.get(f"/api/v1/verify/{report.verification_code}").json()
    assert answer["result"] == "authentic" and answer["judgments"] is None
    assert [(d["code"], d["as_of"], d["silence_note"]) for d in answer["domains"]] == [
        ("court-enforcement", None, None), ("market-regulation", None, None), ("taxation", None, None)]
    assert {c["number"] for c in answer["changes"]} == {"（2024）甘0102执1234号", "兰市监罚〔2025〕17号"}
    report.refresh_from_db()
    assert report.snapshot == old and snapshot_hash(report.snapshot) == report.snapshot_hash

    detail = client.get(f"/reports/{report.verification_code}/")
    page = detail.content.decode()
    assert detail.status_code == 200 and "兰市监罚〔2025〕17号" in page and "失信被执行人 （2024）甘0102执1234号" in page
    assert "数据截至" not in page and "judgments-statement" not in page
