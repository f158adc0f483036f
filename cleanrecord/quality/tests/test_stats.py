"""Rollout statistics from known reports, verifications and objections, and their CSV and XLSX files."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from openpyxl import load_workbook

from cleanrecord.objections.models import Objection
from cleanrecord.quality import exports, stats
from cleanrecord.reference.models import Domain
from cleanrecord.reports.models import Report
from cleanrecord.testing.regions import PROVINCE, other_region  # noqa: F401
from cleanrecord.verification.models import VerificationLog

from .factories import credit_code, entity, local

pytestmark = pytest.mark.django_db
MARCH = {"start": dt.date(2024, 3, 1), "end": dt.date(2024, 3, 31)}


def report(n: int, e, issued_at: dt.datetime, purpose: str, domains: list[str], all_domains: bool = False) -> Report:
    return Report.objects.create(
        number=f"R-{n}", verification_code=f"V{n}", entity=e, domains=domains, all_domains=all_domains,
        period_start=dt.date(2021, 1, 1), period_end=issued_at.date(), purpose=purpose, snapshot={},
        snapshot_hash="0" * 64, pdf_path="/dev/null", pdf_sha256=f"{n:064d}", issued_at=issued_at,
        valid_until=issued_at.date() + dt.timedelta(days=30))


def verification(channel: str, result: str, at: dt.datetime) -> None:
    log = VerificationLog.objects.create(channel=channel, result=result, client="c")
    VerificationLog.objects.filter(pk=log.pk).update(at=at)


def objection(status: str, opened_at: dt.datetime, days: float | None, decision: str = "") -> None:
    o = Objection.objects.create(kind="penalty", record_id=1, subject_key="k", status=status, decision=decision)
    closed = opened_at + dt.timedelta(days=days) if days is not None else None
    Objection.objects.filter(pk=o.pk).update(opened_at=opened_at, closed_at=closed)


@pytest.fixture
def seeded():
    chengguan = entity(credit_code(1), "兰州甲商贸有限公司")  # region 620102, 城关区
    qilihe = entity(credit_code(2), "兰州乙商贸有限公司")
    qilihe.region_code = "620103"
    qilihe.save()
    elsewhere = entity(credit_code(3), "外地丙商贸有限公司")
    elsewhere.region_code = "999999"
    elsewhere.save()
    report(1, chengguan, local(2024, 3, 1, 10, 0), "finance", ["market-regulation", "taxation"])
    report(2, qilihe, local(2024, 3, 1, 23, 30), "business", ["taxation"])  # still 1 March, local time
    report(3, chengguan, local(2024, 4, 2, 9, 0), "administration", [], all_domains=True)
    report(4, elsewhere, local(2024, 2, 15, 9, 0), "other", ["education"])
    verification("page", "authentic", local(2024, 3, 2, 9, 0))
    verification("page", "authentic", local(2024, 3, 3, 9, 0))
    verification("api", "not_found", local(2024, 3, 4, 9, 0))
    verification("file", "modified", local(2024, 5, 1, 9, 0))
    objection("closed", local(2024, 3, 5, 9, 0), 1, "correct")
    objection("closed", local(2024, 3, 6, 9, 0), 2, "revoke")
    objection("rejected", local(2024, 3, 7, 9, 0), 6)
    objection("submitted", local(2024, 3, 8, 9, 0), None)
    objection("closed", local(2024, 1, 8, 9, 0), 30)  # outside March


def counts(rows: list[dict]) -> dict:
    return {r["key"]: r["count"] for r in rows}


def test_reports_are_counted_per_local_day_and_month(seeded):
    assert counts(stats.reports_per_day()) == {"2024-02-15": 1, "2024-03-01": 2, "2024-04-02": 1}
    assert counts(stats.reports_per_month()) == {"2024-02": 1, "2024-03": 2, "2024-04": 1}
    assert counts(stats.reports_per_day(**MARCH)) == {"2024-03-01": 2}


def test_a_full_report_counts_for_every_domain(seeded):
    per_domain = counts(stats.reports_per_domain())
    assert len(per_domain) == Domain.objects.count() == 38
    assert (per_domain["market-regulation"], per_domain["taxation"], per_domain["education"]) == (2, 3, 2)
    assert per_domain["ecology-environment"] == 1  # only the full report
    assert stats.certificates_replaced() == 2 + 1 + 38 + 1
    assert stats.certificates_replaced(**MARCH) == 3
    assert counts(stats.reports_per_domain(**MARCH))["ecology-environment"] == 0


def test_reports_per_purpose_and_district(seeded):
    assert [(r["label"], r["count"]) for r in stats.reports_per_purpose()] == [
        ("金融", 1), ("商务经营", 1), ("行政管理", 1), ("其他", 1)]
    assert [(r["label"], r["count"]) for r in stats.reports_per_purpose(**MARCH)] == [
        ("金融", 1), ("商务经营", 1), ("行政管理", 0), ("其他", 0)]
    assert [(r["label"], r["count"]) for r in stats.reports_per_district()] == [
        ("城关区", 2), ("七里河区", 1), ("999999", 1)]


def test_verifications_per_channel_and_result(seeded):
    assert [(v["channel"], v["result_label"], v["count"]) for v in stats.verifications()] == [
        ("api", "未找到", 1), ("file", "签名后被修改", 1), ("page", "真实有效", 2)]
    assert counts(stats.verifications_per_channel(**MARCH)) == {"page": 2, "api": 1, "file": 0}


def test_objections_by_outcome_and_time_to_close(seeded):
    found = stats.objections(**MARCH)
    assert counts(found["by_status"]) == {"submitted": 1, "accepted": 0, "rejected": 1, "forwarded": 0,
                                          "answered": 0, "closed": 2, "withdrawn": 0}
    assert counts(found["by_decision"]) == {"uphold": 0, "correct": 1, "revoke": 1}
    assert (found["total"], found["closed"], found["median_days"], found["average_days"]) == (4, 3, 2, 3)
    everything = stats.objections()
    assert (everything["total"], everything["median_days"], everything["average_days"]) == (5, 4, 9.75)


def test_no_data_gives_zeros_not_errors():
    data = stats.rollout()
    assert (data["reports"], data["certificates_replaced"], data["objections"]["median_days"]) == (0, 0, None)


def test_the_csv_holds_every_figure(seeded):
    rows = list(csv.reader(io.StringIO(exports.statistics_csv(stats.rollout(**MARCH)).decode("utf-8-sig"))))
    assert rows[0] == ["统计项", "代码", "名称", "数值"]
    assert ["总计", "reports", "出具报告数", "2"] in rows
    assert ["总计", "certificates_replaced", "替代证明数", "3"] in rows
    assert ["按区县出具报告", "620102", "城关区", "1"] in rows
    assert ["按渠道和结果核验次数", "page/authentic", "网页/真实有效", "2"] in rows
    assert ["异议办理", "median_days", "办结用时中位数（天）", "2.0"] in rows


def test_the_workbook_holds_every_figure(seeded):
    wb = load_workbook(io.BytesIO(exports.statistics_xlsx(stats.rollout())))
    everything = [list(r) for r in wb["全部指标"].iter_rows(values_only=True)]
    assert ["总计", "certificates_replaced", "替代证明数", 42] in everything
    assert ["异议办理", "average_days", "办结平均用时（天）", 9.75] in everything
    assert [list(r) for r in wb["按月出具报告"].iter_rows(values_only=True)] == [
        ["代码", "名称", "数量"], ["2024-02", "2024-02", 1], ["2024-03", "2024-03", 2], ["2024-04", "2024-04", 1]]


def test_a_province_counts_reports_by_city(other_region, client):  # noqa: F811
    other_region(PROVINCE)
    lanzhou = entity(credit_code(1), "兰州甲商贸有限公司")  # 620102: a county of 兰州市
    jiayuguan = entity(credit_code(2), "嘉峪关乙商贸有限公司")
    jiayuguan.region_code = "620200"
    jiayuguan.save()
    provincial = entity(credit_code(3), "甘肃丙商贸有限公司")
    provincial.region_code = "620000"
    provincial.save()
    for n, e in enumerate([lanzhou, lanzhou, jiayuguan, provincial], start=1):  # recent: the dashboard's weeks
        report(n, e, timezone.now() - dt.timedelta(days=n), "finance", ["taxation"])

    assert [(r["key"], r["label"], r["count"]) for r in stats.reports_per_district()] == [
        ("620000", "甘肃省", 1), ("620100", "兰州市", 2), ("620200", "嘉峪关市", 1)]
    client.force_login(User.objects.create_superuser("province-office", password="pw-province-1"))
    districts = client.get("/office/dashboard/data.json").json()["districts"]
    assert [(d["name"], d["reports"]) for d in districts] == [("兰州市", 2), ("嘉峪关市", 1), ("甘肃省（本级）", 1)]
