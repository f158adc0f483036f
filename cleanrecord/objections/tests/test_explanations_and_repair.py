"""Severity explanations asked for by the entity and written by the deciding department, and credit repair,
seen where they matter: on new reports and on the verification pages of earlier ones."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from cleanrecord.accounts.models import DepartmentClerk, Notification
from cleanrecord.audit.models import AuditEntry
from cleanrecord.objections.models import ExplanationRequest, SeverityExplanation
from cleanrecord.reference.models import Department
from cleanrecord.reports.models import RuleSettings

from .test_workflow import World, pdf_text  # noqa: F401  (the same people and records)

pytestmark = pytest.mark.pdf  # every test here issues, renders or reads a real PDF


@pytest.fixture
def w(db):
    return World()


def flat(text: str) -> str:
    return text.replace(" ", "")


def test_an_explanation_is_asked_for_written_and_printed_under_the_record(w, django_capture_on_commit_callbacks):
    owner, clerk = w.client(w.owner), w.client(w.clerk)
    asked = owner.post(f"/my/entities/{w.company.credit_code}/explanations/new/{w.penalty.pk}/", {"reason": "申请上市"})
    req = ExplanationRequest.objects.get()
    assert asked.status_code == 302 and asked["Location"] == f"/explanations/{req.pk}/"
    assert req.department == w.amr and req.status == "requested" and req.due_on > timezone.localdate()
    assert w.subjects(w.clerk) == [f"情节严重程度说明申请：{req.number}"]
    again = owner.post(f"/my/entities/{w.company.credit_code}/explanations/new/{w.penalty.pk}/", {"reason": "再次"},
                       follow=True)
    assert "该记录已有待出具的情节说明申请，请勿重复申请" in again.content.decode()
    assert req.number in clerk.get("/department/objections/").content.decode()

    url = f"/explanations/{req.pk}/"
    form = {"category": "情节轻微", "text": "当事人首次违法，及时改正，未造成危害后果。", "signer": "兰州市市场监督管理局",
            "signed_on": timezone.localdate().isoformat()}
    future = clerk.post(url, {**form, "signed_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()})
    assert future.status_code == 400 and "出具日期不能晚于今天" in future.content.decode()
    assert "请选择严重程度认定" in clerk.post(url, {**form, "category": "很轻"}).content.decode()
    assert not SeverityExplanation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert clerk.post(url, form).status_code == 302
    explanation = SeverityExplanation.objects.get()
    assert (explanation.category, explanation.department, explanation.author) == ("情节轻微", w.amr, w.clerk)
    req.refresh_from_db()
    assert req.status == "answered" and req.explanation == explanation
    assert w.subjects(w.owner)[-1] == f"情节严重程度说明已出具：{req.number}"
    assert AuditEntry.objects.filter(action="objections.explanation", target=f"explanation_request:{req.pk}").exists()
    assert "情节轻微" in owner.get(url).content.decode()

    text = flat(w.new_report_text())
    assert flat(f"情节严重程度说明：情节轻微 — 当事人首次违法，及时改正，未造成危害后果。（兰州市市场监督管理局，"
                f"{timezone.localdate().isoformat()}）") in text
    assert "报告出具后，决定机关出具了情节严重程度说明：情节轻微（兰州市市场监督管理局" in w.verification_page()


def test_only_the_deciding_department_writes_an_explanation(w):
    req = ExplanationRequest.objects.get(pk=w.client(w.owner).post(
        f"/my/entities/{w.company.credit_code}/explanations/new/{w.penalty.pk}/").url.split("/")[2])
    form = {"category": "一般", "text": "情节一般，依法处罚", "signer": "某局", "signed_on": "2026-01-05"}
    assert w.client(w.tax_clerk).post(f"/explanations/{req.pk}/", form).status_code == 404
    assert w.client(w.office).post(f"/explanations/{req.pk}/", form).status_code == 403
    assert w.client(w.owner).post(f"/explanations/{req.pk}/", form).status_code == 403
    assert not SeverityExplanation.objects.exists()


def test_a_department_marks_a_record_repaired_and_reports_follow_the_setting(w):
    other_clerk = User.objects.create_user("clerk2")
    DepartmentClerk.objects.create(user=other_clerk, department=Department.objects.get(code="tax"))
    url = f"/department/records/penalty/{w.penalty.pk}/"
    assert w.client(other_clerk).post(url, {"action": "repair", "decision": "兰信修〔2026〕1号",
                                            "repaired_on": "2026-09-01"}).status_code == 404
    assert w.client(w.clerk).post(url, {"action": "repair", "decision": "兰信修〔2026〕1号",
                                        "repaired_on": "2026-09-01"}).status_code == 302
    text = w.new_report_text()
    assert "已修复" in text and "兰市监罚〔2026〕301号" in text
    assert "该记录已于 2026-09-01 完成信用修复" in w.verification_page()
    RuleSettings.objects.create(include_simple_procedure=True, repaired_records="hide",
                                nothing_found_text="查询期内，未发现该主体在本领域存在违法违规记录",
                                default_years=3, max_years=5, valid_days=30)
    from cleanrecord.reports import rules

    rules.forget_office_rules()
    try:
        text = w.new_report_text()
        assert "兰市监罚〔2026〕301号" not in text and "未发现该主体在本领域存在违法违规记录" in text
    finally:
        rules.forget_office_rules()


def test_the_office_may_mark_repaired_too(w):
    response = w.client(w.office).post(f"/department/records/penalty/{w.penalty.pk}/", {
        "action": "repair", "decision": "兰信修〔2026〕2号", "repaired_on": "2026-10-01"})
    assert response.status_code == 302
    assert "已修复" in w.new_report_text()
    assert Notification.objects.count() == 0  # repair is not an objection: no one is waiting on it
