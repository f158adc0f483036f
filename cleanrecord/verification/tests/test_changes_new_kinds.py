"""What changed since issue, for 行政强制 and 刑事, and reports issued before those were searched."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from cleanrecord.reports.render import render_pdf
from cleanrecord.reports.services import issue_report, snapshot_hash
from cleanrecord.reports.tests.factories import change, compulsion, entity, judgment
from cleanrecord.reports.tests.test_report_kinds import text_of

pytestmark = pytest.mark.pdf  # every test here issues, renders or reads a real PDF

TODAY = timezone.localdate()


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def company(db):
    return entity(name="兰州核验新类别有限公司")


def issue(e, domains=("market-regulation", "taxation")):
    return issue_report(credit_code=e.credit_code, domains=list(domains), purpose="finance")


def changes(client, report) -> tuple[str, list[dict]]:
    html = client.get(f"/verify/{report.verification_code}").content.decode()
    return html, client.get(f"/api/v1/verify/{report.verification_code}").json()["changes"]


@pytest.mark.django_db
def test_a_compulsion_lifted_after_issue_is_reported(client, company):
    c = compulsion(company, ago(60), decision_no="兰市监强〔2026〕11号")
    report = issue(company)
    assert changes(client, report)[1] == []
    change(c, lifted_on=ago(1))
    html, api = changes(client, report)
    assert f"【市场监管】兰市监强〔2026〕11号：该行政强制已于 {ago(1)} 解除" in html
    assert api == [{"domain": "市场监管", "number": "兰市监强〔2026〕11号", "what": f"该行政强制已于 {ago(1)} 解除"}]


@pytest.mark.django_db
def test_a_compulsion_revoked_after_issue_is_reported(client, company):
    c = compulsion(company, ago(60), decision_no="兰市监强〔2026〕12号")
    report = issue(company)
    change(c, status="revoked", revoked_on=ago(1))
    assert "【市场监管】兰市监强〔2026〕12号：该记录已被撤销" in changes(client, report)[0]


@pytest.mark.django_db
def test_a_judgment_set_aside_after_issue_is_reported_and_the_page_lists_the_section(client, company):
    j = judgment(company, ago(90), case_no="（2026）甘01刑初21号")
    report = issue(company)
    html, api = changes(client, report)
    assert api == [] and 'id="judgments"' in html and "（2026）甘01刑初21号" in html and "单位行贿罪" in html
    body = client.get(f"/api/v1/verify/{report.verification_code}").json()
    assert body["judgments"]["found"] == 1 and body["judgments"]["records"][0]["number"] == "（2026）甘01刑初21号"
    change(j, set_aside_on=ago(1))
    html, api = changes(client, report)
    assert f"【刑事】（2026）甘01刑初21号：该判决已于 {ago(1)} 经再审撤销，不再计入" in html
    assert api[0]["domain"] == "刑事"


@pytest.mark.django_db
def test_a_judgment_changed_to_acquittal_after_issue_is_reported(client, company):
    j = judgment(company, ago(90), case_no="（2026）甘01刑初22号")
    report = issue(company)
    change(j, verdict="acquitted")
    assert "（2026）甘01刑初22号：该判决已改判无罪，不再计入" in changes(client, report)[0]


@pytest.mark.django_db
def test_a_new_judgment_and_a_new_compulsion_in_the_period_are_reported(client, company):
    report = issue(company)
    html, _ = changes(client, report)
    assert "未发现刑事判决记录" in html and "报告出具后，平台上相关信息未发生变化" in html
    judgment(company, ago(30), case_no="（2026）甘01刑初23号")
    compulsion(company, ago(30), decision_no="兰市监强〔2026〕13号")
    compulsion(company, ago(30), decision_no="兰市监强〔2026〕14号", domain_id="court-enforcement")  # not searched
    html, api = changes(client, report)
    assert "【刑事】（2026）甘01刑初23号：报告出具后平台新增了查询期内的一条刑事判决记录，报告未包含" in html
    assert "【市场监管】兰市监强〔2026〕13号：报告出具后平台新增了查询期内的一条记录，报告未包含" in html
    assert len(api) == 2


@pytest.mark.django_db
def test_a_report_without_the_judgments_section_is_not_told_of_new_judgments(client, company, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_JUDGMENTS_ON_SINGLE_DOMAIN": False}
    report = issue(company)
    judgment(company, ago(30), case_no="（2026）甘01刑初24号")
    html, api = changes(client, report)
    assert api == [] and "刑事" not in html


def as_issued_before_issue_13(report) -> dict:
    """The report's snapshot as the platform wrote it before 行政强制, 刑事 and the city wording."""
    snapshot = json.loads(json.dumps(report.snapshot))
    for key in ("wording", "judgments"):
        snapshot.pop(key)
    snapshot["rules"].pop("judgments_on_single_domain")
    snapshot["rules"]["nothing_found_text"] = "查询期内，未发现该主体在本领域存在违法违规记录"
    for row in snapshot["summary"]:
        row.pop("kinds")
        if not row["found"]:
            row["statement"] = snapshot["rules"]["nothing_found_text"]
    for block in snapshot["details"]:
        for record in block["records"]:
            for key in ("facts", "basis"):
                record.pop(key)
    snapshot["hash"] = snapshot_hash(snapshot)
    return snapshot


@pytest.mark.django_db
def test_a_report_issued_before_the_new_kinds_verifies_and_renders_as_issued(client, company):
    report = issue(company)
    report.snapshot = as_issued_before_issue_13(report)
    report.snapshot_hash = report.snapshot["hash"]
    report.save()
    judgment(company, ago(30), case_no="（2026）甘01刑初25号")
    compulsion(company, ago(30), decision_no="兰市监强〔2026〕15号")
    html, api = changes(client, report)
    assert 'id="verdict">真实有效<' in html and api == []  # it never searched those kinds
    assert "查询期内，未发现该主体在本领域存在违法违规记录" in html and "刑事" not in html
    report.refresh_from_db()
    assert snapshot_hash(report.snapshot) == report.snapshot_hash
    text = text_of(render_pdf(report.snapshot))
    assert "查询期内，未发现该主体在本领域存在违法违规记录" in text
    assert "、刑事判决" not in text and "—刑事" not in text and "查询范围" not in text
