"""Feedback when a unit refuses the report (issue 18 point 5): the public form and its Chinese messages, the
per-client limit, the office's queue with its deadline in working days, the audited handling, the dashboard."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cleanrecord.acceptance.models import Refusal
from cleanrecord.acceptance.services import acceptance_rows, notify_overdue
from cleanrecord.accounts.models import Notification
from cleanrecord.audit.models import AuditEntry
from cleanrecord.matters.models import Matter
from cleanrecord.reference.models import Department
from cleanrecord.reports.models import Report
from cleanrecord.reports.tests.factories import entity
from cleanrecord.testing.forms import FormPage
from cleanrecord.verification.models import VerificationLog
from cleanrecord.workdays.services import add_working_days, working_days_between

NUMBER = "LZXY-20261126-000123"


@pytest.fixture
def tender(db):
    m = Matter.objects.create(department=Department.objects.get(code="amr"), name="政府采购投标资格审查",
                              legal_basis="《政府采购法》第二十二条")
    m.domains.set(["taxation"])
    return m


def report(number: str = NUMBER, matter=None, code: str = "ABCDEFGHJKMNPQRSTVWX") -> Report:
    first = Report.objects.first()
    company = first.entity if first is not None else entity(name="兰州反馈测试商贸有限公司")
    today = timezone.localdate()
    return Report.objects.create(
        number=number, verification_code=code, entity=company, domains=["taxation"], period_start=today,
        period_end=today, purpose="administration", snapshot={}, snapshot_hash="0" * 64, pdf_path="x.pdf",
        pdf_sha256="0" * 64, issued_at=timezone.now(), valid_until=today + dt.timedelta(days=30), matter=matter)


def form(matter=None, **extra) -> dict:
    return {"report_number": NUMBER, "unit": "兰州市某区公共资源交易中心", "matter": matter.pk if matter else "",
            "description": "要求另行开具无违法违规记录证明", "contact": "", **extra}


@pytest.mark.django_db
def test_the_form_says_what_is_wrong_in_chinese(client, tender):
    response = client.post("/refusals/new/", {"report_number": "不是编号", "unit": "", "matter": "", "matter_text": "",
                                              "description": "不行"})
    assert response.status_code == 400
    page = FormPage(response.content.decode())
    assert page.error_beside("id_report_number") == "报告编号格式不正确，应如 LZXY-20261126-000123（印在报告首页）"
    assert page.error_beside("id_unit") == "请填写不认可报告的单位名称"
    assert page.error_beside("id_matter") == "请从清单中选择办理事项，或填写事项名称"
    assert page.error_beside("id_description") == "至少 5 字（现为 2 字）"
    assert page.summary().startswith("请修改以下 4 处问题后再提交")
    assert page.value("report_number") == "不是编号"
    assert Refusal.objects.count() == 0


@pytest.mark.django_db
def test_no_personal_id_number_is_kept(client, tender):
    response = client.post("/refusals/new/", form(tender, contact="张三 620102199001011234"))
    assert response.status_code == 400
    assert FormPage(response.content.decode()).error_beside("id_contact") == "请勿填写居民身份证号码：反馈不需要个人身份信息"
    assert Refusal.objects.count() == 0


@pytest.mark.django_db
def test_a_refusal_is_filed_with_a_deadline_in_working_days_and_the_office_is_told(client, settings, office_user,
                                                                                  tender):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REFUSAL_HANDLE_DAYS": 3}
    issued = report(matter=tender)
    # Typed loosely (lower case, full-width, no dashes): read as the report's number and linked to it.
    response = client.post("/refusals/new/", form(tender, report_number="lzxy２０２６１１２６０００１２３"))
    assert response.status_code == 200
    refusal = Refusal.objects.get()
    assert refusal.report_number == NUMBER and refusal.report == issued and refusal.matter == tender
    today = timezone.localdate()
    assert refusal.due_on == add_working_days(today, 3) and working_days_between(today, refusal.due_on) == 3
    html = response.content.decode()
    assert "反馈已提交" in html and refusal.number in html and refusal.due_on.isoformat() in html
    entry = AuditEntry.objects.get(action="refusals.file")
    assert entry.after["report_found"] is True and entry.user is None
    told = Notification.objects.get(user=office_user)
    assert refusal.number in told.subject and "兰州市某区公共资源交易中心" in told.body and NUMBER in told.body

    # The office's queue: open, by deadline, with the report linked.
    office = Client()
    office.force_login(office_user)
    queue = office.get("/office/refusals/").content.decode()
    assert refusal.number in queue and "政府采购投标资格审查" in queue and refusal.due_on.isoformat() in queue
    detail = office.get(f"/office/refusals/{refusal.pk}/").content.decode()
    assert f"/reports/{issued.verification_code}/" in detail and "查看报告" in detail


@pytest.mark.django_db
def test_a_matter_outside_the_catalogue_and_an_unknown_report_are_kept_as_typed(client, office_user):
    response = client.post("/refusals/new/", form(matter_text="银行开户"))
    assert response.status_code == 200
    refusal = Refusal.objects.get()
    assert refusal.report is None and refusal.matter is None and refusal.matter_name == "银行开户"
    office = Client()
    office.force_login(office_user)
    assert "平台未找到该编号的报告" in office.get(f"/office/refusals/{refusal.pk}/").content.decode()


@pytest.mark.django_db
def test_filing_is_limited_per_client(settings, tender):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REFUSAL_BUDGET": 2, "REFUSAL_REFILL_SECONDS": 3600}
    one = Client(REMOTE_ADDR="198.51.100.7")
    assert [one.post("/refusals/new/", form(tender)).status_code for _ in range(2)] == [200, 200]
    third = one.post("/refusals/new/", form(tender))
    assert third.status_code == 429
    assert "提交过于频繁，请 60 分钟后再试" in third.content.decode()
    assert Refusal.objects.count() == 2
    # Another client is not held back; and the verification budget of the first is untouched.
    assert Client(REMOTE_ADDR="198.51.100.8").post("/refusals/new/", form(tender)).status_code == 200
    assert one.get("/verify/ABCDEFGHJKMNPQRSTVWX").status_code != 429


@pytest.mark.django_db
def test_the_office_handles_a_refusal_and_it_is_audited_and_the_filer_told(client, office_user, amr_clerk, tender):
    client.force_login(amr_clerk)  # a signed-in filer is told of the outcome
    client.post("/refusals/new/", form(tender))
    refusal = Refusal.objects.get()
    assert refusal.filed_by == amr_clerk
    assert client.post(f"/office/refusals/{refusal.pk}/", {"outcome": "accepted", "note": "已沟通"}).status_code == 403

    office = Client()
    office.force_login(office_user)
    bad = office.post(f"/office/refusals/{refusal.pk}/", {"outcome": "", "note": ""})
    page = FormPage(bad.content.decode())
    assert bad.status_code == 400
    assert "处理结果：请选择处理结果" in page.summary()
    assert page.error_beside("id_note") == "请填写处理情况（与单位沟通的经过）"

    done = office.post(f"/office/refusals/{refusal.pk}/", {"outcome": "accepted", "note": "已电话沟通，单位接受报告"})
    assert done.status_code == 302
    refusal.refresh_from_db()
    assert refusal.status == "handled" and refusal.outcome == "accepted" and refusal.handled_by == office_user
    entry = AuditEntry.objects.get(action="refusals.handle")
    assert entry.user == office_user and entry.after["outcome"] == "accepted" and entry.before["status"] == "submitted"
    told = Notification.objects.get(user=amr_clerk)
    assert "已办结" in told.subject and "已沟通，单位接受报告" in told.body
    page = office.get(f"/office/refusals/{refusal.pk}/").content.decode()
    assert "已办结：已沟通，单位接受报告" in page and "记录处理结果" not in page
    again = office.post(f"/office/refusals/{refusal.pk}/", {"outcome": "unfounded", "note": "再次"}, follow=True)
    assert "该反馈已办结" in again.content.decode()
    assert Refusal.objects.get().outcome == "accepted" and AuditEntry.objects.filter(action="refusals.handle").count() == 1
    assert refusal.number in office.get("/office/refusals/?status=handled").content.decode()
    assert refusal.number not in office.get("/office/refusals/").content.decode()


@pytest.mark.django_db
def test_an_overdue_refusal_is_marked_and_told_once(client, office_user, tender):
    client.post("/refusals/new/", form(tender))
    refusal = Refusal.objects.get()
    Refusal.objects.filter(pk=refusal.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    assert notify_overdue() == 1 and notify_overdue() == 0
    assert Notification.objects.filter(user=office_user, subject__contains="逾期").count() == 1
    office = Client()
    office.force_login(office_user)
    queue = office.get("/office/refusals/").content.decode()
    assert '<strong id="overdue-count">1</strong>' in queue and "逾期" in queue


@pytest.mark.django_db
def test_the_dashboard_counts_acceptance_and_refusals_per_unit_and_matter(client, office_user, tender):
    verified = report(matter=tender)
    other = report("LZXY-20261126-000124", matter=tender, code="BCDEFGHJKMNPQRSTVWXY")
    report("LZXY-20261126-000125", code="CDEFGHJKMNPQRSTVWXYZ")  # asked for no matter: not counted
    for r, result in ((verified, "authentic"), (verified, "authentic"), (other, "authentic"), (other, "revoked")):
        VerificationLog.objects.create(report=r, channel="page", result=result, client="x")
    for outcome in ("accepted", "still_refused"):
        Refusal.objects.create(report_number=NUMBER, unit="某交易中心", matter=tender, description="不认可",
                               due_on=timezone.localdate(), status="handled", outcome=outcome)
    Refusal.objects.create(report_number=NUMBER, unit="某银行", matter_text="开户", description="不认可",
                           due_on=timezone.localdate())
    rows = {(r.unit, r.matter): (r.accepted, r.refused, r.settled) for r in acceptance_rows()}
    assert rows == {("兰州市市场监督管理局", "政府采购投标资格审查"): (2, 2, 1), ("某银行", "开户"): (None, 1, 0)}

    client.force_login(office_user)
    page = client.get("/office/dashboard/").content.decode()
    section = page[page.index('id="acceptance"'):]
    assert "报告接受与不认可（按单位、事项）" in section and "经核验为真实有效的报告数" in section
    assert "<td>兰州市市场监督管理局</td><td>政府采购投标资格审查</td><td>2</td><td>2</td><td>1</td>" in section
    assert "<td>某银行</td><td>开户</td><td>—</td><td>1</td><td>0</td>" in section
