import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cleanrecord.lib.refusals import Refused
from cleanrecord.objections.models import Objection
from cleanrecord.reports.services import issue_report, revoke_report
from cleanrecord.reports.tests.factories import change, entity, penalty
from cleanrecord.verification.models import ClientBudget, VerificationLog

pytestmark = pytest.mark.pdf  # every test here issues, renders or reads a real PDF


@pytest.fixture
def issued(db):
    e = entity(name="兰州核验测试有限公司")
    p = penalty(e, timezone.localdate() - dt.timedelta(days=30), decision_no="兰市监罚〔2026〕5号")
    report = issue_report(credit_code=e.credit_code, domains=["market-regulation", "taxation"], purpose="finance")
    return e, p, report


def page(client, code: str) -> tuple[int, str]:
    response = client.get(f"/verify/{code}")
    return response.status_code, response.content.decode()


@pytest.mark.django_db
def test_a_genuine_report_verifies_in_words_with_what_it_says(client, issued):
    e, _, report = issued
    status, html = page(client, report.verification_code)
    assert status == 200
    assert 'id="verdict">真实有效<' in html and "✔" in html
    assert e.name in html and report.number in html and e.credit_code in html
    assert "查询期内，未发现行政处罚、行政强制、严重失信记录" in html  # 税务
    assert "报告出具后，平台上相关信息未发生变化" in html
    log = VerificationLog.objects.get()
    assert (log.report, log.channel, log.result) == (report, "page", "authentic")
    assert len(log.client) == 32 and "127.0.0.1" not in log.client


@pytest.mark.django_db
def test_codes_are_accepted_in_lower_case_with_separators_and_from_the_form(client, issued):
    report = issued[2]
    typed = report.snapshot["verification_code_display"].lower()
    assert page(client, typed)[0] == 200
    response = client.get("/verify", {"code": f" {typed} "})
    assert response.status_code == 302 and response["Location"] == f"/verify/{report.verification_code}"


@pytest.mark.django_db
def test_an_unknown_code_is_not_found(client, issued):
    status, html = page(client, "2345-6789-ABCD-EFGH-JKMN")
    assert status == 404 and 'id="verdict">未找到<' in html


@pytest.mark.django_db
def test_a_revoked_report_says_so_and_why(client, issued):
    report = issued[2]
    revoke_report(report, reason="经营主体申请撤销")
    status, html = page(client, report.verification_code)
    assert 'id="verdict">已撤销<' in html and "经营主体申请撤销" in html
    with pytest.raises(Refused, match="已于"):
        revoke_report(report, reason="again")


@pytest.mark.django_db
def test_an_expired_report_says_so(client, issued, settings):
    report = issued[2]
    report.valid_until = timezone.localdate() - dt.timedelta(days=1)
    report.save()
    assert 'id="verdict">已过期<' in page(client, report.verification_code)[1]


@pytest.mark.django_db
def test_the_page_reports_what_changed_since_issue(client, issued):
    e, p, report = issued
    change(p, repaired_on=timezone.localdate())
    Objection.objects.create(kind="penalty", record_id=p.pk, subject_key=e.credit_code)
    penalty(e, timezone.localdate() - dt.timedelta(days=10), domain="taxation", decision_no="兰税罚〔2026〕9号")
    html = page(client, report.verification_code)[1]
    assert 'id="verdict">真实有效<' in html  # the report itself is still authentic
    assert "报告出具后，平台信息已发生变化" in html
    assert "兰市监罚〔2026〕5号：该记录已于" in html and "完成信用修复" in html
    assert "正在处理中" in html
    assert "【税务】兰税罚〔2026〕9号：报告出具后平台新增了查询期内的一条记录" in html
    assert f'href="/entities/{e.credit_code}/report/"' in html  # a fresh report, one click away


@pytest.mark.django_db
def test_a_record_revoked_after_issue_is_reported(client, issued):
    _, p, report = issued
    change(p, status="revoked")
    assert "该记录已被撤销" in page(client, report.verification_code)[1]


@pytest.mark.django_db
def test_the_api_answers_the_same_as_json(client, issued):
    e, _, report = issued
    body = client.get(f"/api/v1/verify/{report.verification_code.lower()}").json()
    assert (body["result"], body["result_label"], body["number"], body["entity_name"]) == (
        "authentic", "真实有效", report.number, e.name)
    assert [d["code"] for d in body["domains"]] == ["market-regulation", "taxation"]
    assert body["changed_since_issue"] is False
    missing = client.get("/api/v1/verify/AAAA")
    assert missing.status_code == 404 and missing.json()["result"] == "not_found"
    assert "/api/v1/verify/{code}" in client.get("/api/v1/openapi.json").json()["paths"]


@pytest.mark.django_db
def test_a_burst_of_unknown_codes_ends_in_429_while_another_client_still_verifies(issued):
    report = issued[2]
    guesser, bank = Client(REMOTE_ADDR="203.0.113.9"), Client(REMOTE_ADDR="198.51.100.7")
    statuses = [guesser.get(f"/api/v1/verify/ZZZZZZZZZZZZZZZZZZ{i:02d}").status_code for i in range(200)]
    assert statuses[:20] == [404] * 20
    assert set(statuses[20:]) == {429}
    limited = guesser.get(f"/verify/{report.verification_code}")
    assert limited.status_code == 429 and "秒后重试" in limited.content.decode()
    assert int(limited["Retry-After"]) > 0
    assert "请在" in guesser.get("/api/v1/verify/ZZZZ").json()["detail"]
    assert bank.get(f"/api/v1/verify/{report.verification_code}").json()["result"] == "authentic"
    assert ClientBudget.objects.count() == 1


@pytest.mark.django_db
def test_valid_lookups_do_not_spend_the_budget(issued):
    report = issued[2]
    bank = Client(REMOTE_ADDR="198.51.100.7")
    assert all(bank.get(f"/api/v1/verify/{report.verification_code}").status_code == 200 for _ in range(50))
    assert ClientBudget.objects.count() == 0


@pytest.mark.django_db
def test_the_office_revokes_through_the_api_and_reads_the_verification_log(client, issued):
    report = issued[2]
    office = User.objects.create_user("office", password="pw-office-1")
    office.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    client.get(f"/verify/{report.verification_code}")
    client.force_login(office)
    response = client.post(f"/api/v1/reports/{report.number}/revoke", {"reason": "信息有误"},
                           content_type="application/json")
    assert response.status_code == 200 and (response.json()["status"], response.json()["status_label"]) == (
        "revoked", "已撤销")
    log = client.get(f"/api/v1/reports/{report.number}/verifications").json()
    assert [(entry["channel"], entry["result"]) for entry in log] == [("page", "authentic")]


@pytest.mark.django_db
def test_the_revoke_command(issued, capsys):
    report = issued[2]
    call_command("revoke_report", report.number, "--reason", "重复出具")
    report.refresh_from_db()
    assert report.revoke_reason == "重复出具" and report.revoked_at is not None
