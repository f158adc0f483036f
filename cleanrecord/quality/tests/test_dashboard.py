"""The office dashboard's page and the figures its charts are drawn from."""

import datetime as dt
import itertools
import json

import pytest
from django.conf import settings
from django.utils import timezone

from cleanrecord.entities.models import Entity
from cleanrecord.quality.dashboard import TREND_DAYS
from cleanrecord.quality.models import Measure, QualityScore
from cleanrecord.reference.models import Department, Domain
from cleanrecord.reports.models import Report
from cleanrecord.reports.tests.factories import entity
from cleanrecord.verification.models import VerificationLog

_numbers = itertools.count(1)


def local(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def report(e: Entity, issued_at: dt.datetime, domains: list[str] | None = None) -> Report:
    """A report row as issue_report leaves it, without the PDF: domains=None is a report on all domains."""
    n = next(_numbers)
    return Report.objects.create(
        number=f"DASH{n:06d}", verification_code=f"V{n:09d}", entity=e,
        domains=domains or list(Domain.objects.values_list("code", flat=True)), all_domains=domains is None,
        period_start=issued_at.date() - dt.timedelta(days=3 * 365), period_end=issued_at.date(), purpose="finance",
        snapshot={}, snapshot_hash="", pdf_path="", pdf_sha256="", issued_at=issued_at,
        valid_until=issued_at.date() + dt.timedelta(days=30),
    )


def verification(r: Report | None, at: dt.datetime, channel: str = "page") -> VerificationLog:
    log = VerificationLog.objects.create(report=r, channel=channel, result="authentic" if r else "not_found", client="c")
    VerificationLog.objects.filter(pk=log.pk).update(at=at)  # auto_now_add: set afterwards
    return log


def score(dept: str, measure: str, numerator: int, denominator: int, as_of: dt.date, domain: str | None = None,
          kind: str = "penalty") -> QualityScore:
    return QualityScore.objects.create(
        as_of=as_of, department=Department.objects.get(code=dept), domain_id=domain, kind=kind, measure=measure,
        numerator=numerator, denominator=denominator, value=numerator / denominator if denominator else None,
        computed_at=local(as_of, 2),
    )


@pytest.fixture
def seeded(db):
    """Reports in two districts and one outside the city, verifications, and two days of quality scores."""
    today = timezone.localdate()
    chengguan = entity("91620102MA71DKB00", "兰州城关看板测试有限公司")
    qilihe = entity("91620103MA71DKB01", "兰州七里河看板测试有限公司")
    outside = entity("91110105MA01DKB02", "北京看板测试有限公司")
    first = report(chengguan, local(today))  # all domains
    report(chengguan, local(today, 0, 30), ["market-regulation"])  # just after local midnight: still today
    report(qilihe, local(today - dt.timedelta(days=1)), ["market-regulation", "taxation"])
    report(outside, local(today - dt.timedelta(days=TREND_DAYS - 1)), ["taxation"])  # the first day shown
    report(outside, local(today - dt.timedelta(days=TREND_DAYS)), ["taxation"])  # one day too old: left out
    verification(first, local(today, 11))
    verification(first, local(today, 12), channel="api")
    verification(None, local(today - dt.timedelta(days=2)))
    verification(first, local(today - dt.timedelta(days=TREND_DAYS)))  # too old
    yesterday = today - dt.timedelta(days=1)
    score("amr", Measure.ON_TIME, 1, 10, yesterday)  # replaced by today's figures
    score("amr", Measure.ON_TIME, 6, 10, today, domain="market-regulation")
    score("amr", Measure.ON_TIME, 3, 10, today, domain="market-regulation", kind="licence")
    score("amr", Measure.CODE_INVALID, 1, 20, today, domain="market-regulation")
    score("tax", Measure.CODE_INVALID, 0, 0, yesterday, domain="taxation")  # nothing to measure: no cell
    score("tax", Measure.REQUIRED_FILLED, 45, 50, yesterday, domain="taxation")  # tax's newest day
    return today


def test_it_counts_reports_and_verifications_per_local_day(client, alice, seeded):
    client.force_login(alice)
    data = client.get("/office/dashboard/data.json").json()
    assert len(data["days"]) == TREND_DAYS
    assert data["days"][-1] == seeded.isoformat()
    assert data["days"][0] == (seeded - dt.timedelta(days=TREND_DAYS - 1)).isoformat()
    reports, verifications = data["reports_per_day"], data["verifications_per_day"]
    assert (reports[-1], reports[-2], reports[0], sum(reports)) == (2, 1, 1, 4)
    assert (verifications[-1], verifications[-3], sum(verifications)) == (2, 1, 3)


def test_a_full_report_counts_in_every_domain(client, alice, seeded):
    client.force_login(alice)
    domains = {d["code"]: d["reports"] for d in client.get("/office/dashboard/data.json").json()["domains"]}
    assert len(domains) == Domain.objects.count() == 38
    assert domains["market-regulation"] == 3  # the full report and two naming the domain
    assert domains["taxation"] == 3  # the full report, the Qilihe one and the one on the first day
    assert sum(domains.values()) == 38 + 1 + 2 + 1


def test_it_breaks_reports_down_by_the_entitys_district(client, alice, seeded):
    client.force_login(alice)
    districts = client.get("/office/dashboard/data.json").json()["districts"]
    counts = {d["name"]: d["reports"] for d in districts}
    assert counts["城关区"] == 2
    assert counts["七里河区"] == 1
    assert counts["西固区"] == 0
    assert counts["其他地区"] == 1
    assert [d["name"] for d in districts][:2] == ["城关区", "七里河区"]


def test_the_heat_map_shows_each_departments_current_scores_summed_over_domains_and_kinds(client, alice, seeded):
    client.force_login(alice)
    quality = client.get("/office/dashboard/data.json").json()["quality"]
    assert quality["as_of"] == seeded.isoformat()
    names = [d["code"] for d in quality["departments"]]
    measures = [m["code"] for m in quality["measures"]]
    assert sorted(names) == ["amr", "tax"]
    assert measures == ["required_filled", "code_invalid", "on_time"]  # in the measures' own order
    cells = {(names[y], measures[x]): (score, value, num, den) for x, y, score, value, num, den in quality["cells"]}
    assert cells == {
        ("amr", "on_time"): (45.0, 0.45, 9, 20),  # today's two rows, not yesterday's; a score of 0–100
        ("amr", "code_invalid"): (95.0, 0.05, 1, 20),  # a share of bad rows: the score is 100 × (1 − value)
        ("tax", "required_filled"): (90.0, 0.9, 45, 50),
    }


def test_the_page_loads_its_charts_from_static_files(client, alice):
    client.force_login(alice)
    response = client.get("/office/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "信用办数据看板" in html
    assert "重新计算质量指标" in html
    assert "/static/quality/echarts.min.js" in html and "/static/quality/dashboard.js" in html
    assert "<script>" not in html and "style=" not in html
    for chart in ("chart-trend", "chart-domains", "chart-districts", "chart-quality"):
        assert f'id="{chart}"' in html


def test_recomputing_replaces_todays_scores(client, alice, seeded):
    client.force_login(alice)
    response = client.post("/office/dashboard/recompute")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    steps, done = lines[:-1], lines[-1]
    assert [(s["step"], s["total"]) for s in steps] == [(n, 8) for n in range(1, 9)]
    assert [s["label"] for s in steps] == ["行政处罚", "行政许可", "严重失信主体名单", "行政强制", "刑事判决", "各部门报送情况", "导入拒收率",
                                          "全市层面（无数据领域）"]
    assert done["done"] and done["scores"] == QualityScore.objects.filter(as_of=timezone.localdate()).count() > 0
    assert not QualityScore.objects.filter(as_of=seeded, numerator=6, denominator=10).exists()


def test_recomputing_needs_a_post_with_the_csrf_token(alice, seeded):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get("/office/dashboard/recompute").status_code == 405
    assert client.post("/office/dashboard/recompute").status_code == 403
    assert QualityScore.objects.filter(numerator=6, denominator=10).exists()


@pytest.mark.parametrize("url", ["/office/dashboard/", "/office/dashboard/data.json"])
def test_it_is_for_the_office_only(client, bob, url):
    client.force_login(bob)
    assert client.get(url).status_code == 403
    assert client.post("/office/dashboard/recompute").status_code == 403


@pytest.mark.parametrize("url", ["/office/dashboard/", "/office/dashboard/data.json"])
def test_anonymous_visitors_are_sent_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{settings.LOGIN_URL}?next={url}"


def test_a_recomputation_that_fails_midway_says_so_and_replaces_nothing(client, alice, seeded, monkeypatch):
    from cleanrecord.quality import services

    def failing(ctx, *, platform=False):
        yield "行政处罚", []
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "compute_steps", failing)
    client.force_login(alice)
    response = client.post("/office/dashboard/recompute")
    lines = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert lines[0]["step"] == 1 and lines[-1] == {"error": "计算出错，指标未更新"}
    assert QualityScore.objects.filter(numerator=6, denominator=10).exists()
