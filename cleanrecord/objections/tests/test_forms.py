"""The objection, the department's answer and the severity explanation as forms (issue 17, point 3): a submission
with several bad fields shows every error at once beside its field and in the summary, keeps what was typed and
writes nothing; a refusal of the workflow lands beside the field it is about."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cleanrecord.objections import workflow
from cleanrecord.objections.models import Evidence, ExplanationRequest, Objection, SeverityExplanation
from cleanrecord.records.models import Penalty, RecordVersion
from cleanrecord.reports.tests.factories import entity, penalty
from cleanrecord.testing.actors import make_clerk, make_entity_user, make_user
from cleanrecord.testing.forms import FormPage

DATE_FORMAT = "日期格式应为 YYYY-MM-DD（如 2024-03-01）"


@pytest.fixture
def world(db):
    company = entity(name="兰州表单异议测试有限公司")
    record = penalty(company, timezone.localdate() - dt.timedelta(days=100), decision_no="兰市监罚〔2026〕701号",
                     content="罚款人民币五万元")
    owner = make_entity_user("objector", company)
    clerk = make_clerk("answerer", "amr")
    office = make_user("credit-office", "add_importbatch")
    return company, record, owner, clerk, office


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _forwarded(world) -> Objection:
    company, record, owner, _, office = world
    o = workflow.file_objection(user=owner, kind="penalty", subject_key=company.credit_code, record_id=record.pk,
                                reason="content_wrong", statement="罚款金额应为五千元")
    o = workflow.step(o, "accept", user=office)
    return workflow.step(o, "forward", user=office)


def test_an_objection_with_several_bad_fields_shows_them_all_and_files_nothing(world):
    company, record, owner, _, _ = world
    url = f"/my/entities/{company.credit_code}/objections/new/penalty/{record.pk}/"
    response = _client(owner).post(url, {"reason": "bored", "statement": "错了"})
    assert response.status_code == 400
    page = FormPage(response.content.decode())
    assert page.error_beside("id_reason") == "请选择异议类型"
    assert page.error_beside("id_statement") == "至少 5 字（现为 2 字）"
    assert page.summary().startswith("请修改以下 2 处问题后再提交")
    assert "异议类型：请选择异议类型" in page.summary()
    assert page.value("statement") == "错了"
    assert page.label_of("id_statement").endswith("*") and page.label_of("id_evidence") == "证明材料"
    assert Objection.objects.count() == 0 and Evidence.objects.count() == 0


def test_evidence_the_workflow_refuses_is_named_beside_the_file_input_with_the_text_kept(world):
    company, record, owner, _, _ = world
    url = f"/my/entities/{company.credit_code}/objections/new/penalty/{record.pk}/"
    statement = "罚款金额应为五千元，见附件"
    response = _client(owner).post(url, {"reason": "content_wrong", "statement": statement,
                                         "evidence": [SimpleUploadedFile("说明.exe", b"MZ\x90\x00 program")]})
    assert response.status_code == 400
    page = FormPage(response.content.decode())
    assert page.error_beside("id_evidence").startswith("文件“说明.exe”不是 PDF、JPG 或 PNG 文件")
    assert page.value("statement") == statement and page.value("reason") == "content_wrong"
    assert Objection.objects.count() == 0


def test_an_answer_with_several_bad_fields_shows_them_all_and_changes_nothing(world):
    _, record, _, clerk, _ = world
    o = _forwarded(world)
    versions = RecordVersion.objects.count()
    response = _client(clerk).post(f"/objections/{o.pk}/", {
        "action": "answer", "decision": "correct", "note": "改", "field_decided_on": "2026-13-01",
        "field_fine_wan": "五千", "field_content": "罚款人民币五万元", "repair_decision": "兰信修〔2026〕9号",
        "repaired_on": ""})
    assert response.status_code == 400
    page = FormPage(response.content.decode())
    assert page.error_beside("id_note") == "至少 2 字（现为 1 字）"
    assert "日期" in page.error_beside("id_field_decided_on")
    assert page.error_beside("id_field_fine_wan")
    assert page.error_beside("id_repaired_on") == "填写了信用修复决定文书号时，请填写修复日期"
    assert page.summary().startswith("请修改以下 4 处问题后再提交")
    assert page.value("field_fine_wan") == "五千" and page.value("note") == "改"
    assert page.value("decision") == ["correct"] and page.value("repair_decision") == "兰信修〔2026〕9号"
    o.refresh_from_db()
    assert o.status == Objection.Status.FORWARDED and o.decision == ""
    assert Penalty.objects.get(pk=record.pk).version == record.version and RecordVersion.objects.count() == versions


def test_an_answer_without_a_decision_or_note_names_both(world):
    _, _, _, clerk, _ = world
    o = _forwarded(world)
    response = _client(clerk).post(f"/objections/{o.pk}/", {"action": "answer"})
    assert response.status_code == 400
    page = FormPage(response.content.decode())
    assert page.texts["id_decision_error"].strip() == "请选择答复结论：维持、更正或撤销"
    assert page.error_beside("id_note") == "请填写答复意见"
    o.refresh_from_db()
    assert o.status == Objection.Status.FORWARDED


def test_an_explanation_with_several_bad_fields_shows_them_all_and_writes_nothing(world):
    company, record, owner, clerk, _ = world
    req = workflow.request_explanation(user=owner, subject_key=company.credit_code, record_id=record.pk,
                                       reason="申请上市")
    response = _client(clerk).post(f"/explanations/{req.pk}/", {"category": "很轻", "text": "轻微",
                                                                "signer": "", "signed_on": "2026-02-30"})
    assert response.status_code == 400
    page = FormPage(response.content.decode())
    assert page.error_beside("id_category") == "请选择严重程度认定"
    assert page.error_beside("id_text") == "至少 5 字（现为 2 字）"
    assert page.error_beside("id_signer") == "请填写出具单位"
    assert page.error_beside("id_signed_on") == DATE_FORMAT
    assert page.summary().startswith("请修改以下 4 处问题后再提交")
    assert page.value("text") == "轻微" and page.value("signed_on") == "2026-02-30"
    assert SeverityExplanation.objects.count() == 0
    assert ExplanationRequest.objects.get().status == ExplanationRequest.Status.REQUESTED


def test_a_rejection_without_a_reason_is_named_beside_its_note_and_the_objection_stays(world):
    company, record, owner, _, office = world
    o = workflow.file_objection(user=owner, kind="penalty", subject_key=company.credit_code, record_id=record.pk,
                                reason="content_wrong", statement="罚款金额应为五千元")
    response = _client(office).post(f"/objections/{o.pk}/", {"action": "reject", "note": ""})
    assert response.status_code == 400
    page = FormPage(response.content.decode())
    assert page.error_beside("reject-note") == "请填写不予受理的理由"
    assert page.label_of("reject-note") == "不予受理理由*" and page.label_of("accept-note") == "受理意见（可选）"
    o.refresh_from_db()
    assert o.status == Objection.Status.SUBMITTED


def test_a_step_no_longer_open_is_refused_at_the_top_of_the_page(world):
    _, _, _, _, office = world
    o = _forwarded(world)
    response = _client(office).post(f"/objections/{o.pk}/", {"action": "close", "note": "办结"})
    assert response.status_code == 400
    assert "异议当前状态为“已转办，待部门答复”，不能审核办结" in response.content.decode()
    o.refresh_from_db()
    assert o.status == Objection.Status.FORWARDED
