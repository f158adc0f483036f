"""Objections, severity explanations and credit repair for 行政强制 and 刑事 records, through the pages."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cleanrecord.accounts.models import DepartmentClerk, EntityUser, Notification
from cleanrecord.audit.models import AuditEntry
from cleanrecord.entities.models import Entity
from cleanrecord.objections.models import ExplanationRequest, Objection, SeverityExplanation
from cleanrecord.records.models import Compulsion, Judgment, RecordVersion
from cleanrecord.records.services import import_upload
from cleanrecord.reference.models import Department
from cleanrecord.reports.tests.factories import credit_code

pytestmark = [pytest.mark.pdf, pytest.mark.django_db]

COMPANY = credit_code("91620100MA78QA001")
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


class World:
    """One company with a compulsion (from the market regulator) and a judgment (from the intermediate court),
    imported as the departments send them; its owner, both clerks and the office."""

    def __init__(self):
        self.amr = Department.objects.get(code="amr")
        self.court = Department.objects.get(code="court-intermediate")
        self.amr_clerk = self._user("amrclerk")
        DepartmentClerk.objects.create(user=self.amr_clerk, department=self.amr)
        self.court_clerk = self._user("courtclerk")
        DepartmentClerk.objects.create(user=self.court_clerk, department=self.court)
        self.office = self._user("office")
        self.office.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
        self._import("compulsion", self.amr, self.amr_clerk, [
            "行政相对人名称,统一社会信用代码,行政强制决定书文号,强制类别,事由,依据,决定日期,实施机关,实施机关统一社会信用代码",
            f"兰州异议强制示例有限公司,{COMPANY},兰市监强〔2025〕31号,扣押财物,涉嫌销售假冒商品,《商标法》第六十二条,"
            f"2025-04-01,{self.amr.name},{self.amr.credit_code}"])
        self._import("judgment", self.court, self.court_clerk, [
            "被告单位,统一社会信用代码,案号,审理法院,审理法院统一社会信用代码,罪名,判决结果,判决日期,生效日期,罚金(万元)",
            f"兰州异议强制示例有限公司,{COMPANY},（2025）甘01刑初41号,{self.court.name},{self.court.credit_code},"
            "非法经营罪,被告单位犯非法经营罪，判处罚金人民币十万元,2025-05-01,2025-05-16,10"])
        self.compulsion = Compulsion.objects.get()
        self.judgment = Judgment.objects.get()
        self.owner = self._user("owner")
        EntityUser.objects.create(user=self.owner, entity=Entity.objects.get(credit_code=COMPANY),
                                  role=EntityUser.Role.LEGAL_REP)

    @staticmethod
    def _user(name: str) -> User:
        return User.objects.create_user(name, email=f"{name}@example.cn")

    @staticmethod
    def _import(kind, dept, user, lines):
        content = ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")
        batch = import_upload(user=user, upload=SimpleUploadedFile(f"{kind}.csv", content), kind=kind, department=dept,
                              mapping=None, dry_run=False, channel="web")
        assert (batch.rows_created, batch.rows_rejected) == (1, 0), batch.message

    def client(self, user: User) -> Client:
        c = Client()
        c.force_login(user)
        return c

    def file(self, kind: str, record_id: int, **extra) -> Objection:
        data = {"reason": "content_wrong", "statement": "扣押的财物已于六月返还，强制措施已解除",
                "evidence": [SimpleUploadedFile("解除决定书.pdf", PDF, "application/pdf")], **extra}
        response = self.client(self.owner).post(f"/my/entities/{COMPANY}/objections/new/{kind}/{record_id}/", data)
        assert response.status_code == 302, response.content.decode()
        return Objection.objects.get(kind=kind)

    def act(self, user: User, objection: Objection, **data):
        return self.client(user).post(f"/objections/{objection.pk}/", data)


@pytest.fixture
def w(db):
    return World()


def test_the_entity_sees_both_kinds_with_their_objection_and_explanation_links(w):
    page = w.client(w.owner).get(f"/my/entities/{COMPANY}/records/").content.decode()
    rows = page.split('id="records"')[1]
    assert "<td>行政强制</td>" in rows and "兰市监强〔2025〕31号" in rows
    assert "<td>刑事判决</td>" in rows and "（2025）甘01刑初41号" in rows
    assert f"/objections/new/compulsion/{w.compulsion.pk}/" in rows and f"/objections/new/judgment/{w.judgment.pk}/" in rows
    assert rows.count('name="kind" value="compulsion"') == 1 and rows.count('name="kind" value="judgment"') == 1
    form = w.client(w.owner).get(f"/my/entities/{COMPANY}/objections/new/judgment/{w.judgment.pk}/").content.decode()
    assert "刑事判决 （2025）甘01刑初41号" in form and "非法经营罪" in form and "有罪" in form


def test_an_objection_to_a_compulsion_corrected_by_its_authority_becomes_a_new_version(
        w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        o = w.file("compulsion", w.compulsion.pk)
    assert (o.department, o.record_number, o.status) == (w.amr, "兰市监强〔2025〕31号", "submitted")
    w.act(w.office, o, action="accept_forward")
    # Only the record's source department answers: the court may not, though it fed a record of the same entity.
    assert w.act(w.court_clerk, o, action="answer", decision="correct", note="更正",
                 field_lifted_on="2025-06-01").status_code in (403, 404)
    detail = w.client(w.amr_clerk).get(f"/objections/{o.pk}/").content.decode()
    assert 'name="field_lifted_on"' in detail and "扣押财物" in detail
    response = w.act(w.amr_clerk, o, action="answer", decision="correct", note="强制措施已于 6 月 1 日解除，补录解除日期",
                     field_lifted_on="2025-06-01")
    assert response.status_code == 302, response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        w.act(w.office, o, action="close")

    record = Compulsion.objects.get()
    assert (record.lifted_on, record.current_state, record.version) == (dt.date(2025, 6, 1), "已解除", 2)
    version = RecordVersion.objects.get(kind="compulsion", record_id=record.pk, version=2)
    assert version.change == "corrected" and version.user == w.amr_clerk and o.number in version.reason
    assert RecordVersion.objects.get(kind="compulsion", record_id=record.pk, version=1).data["lifted_on"] is None
    o.refresh_from_db()
    assert o.status == "closed" and o.corrected["lifted_on"] == ["", "2025-06-01"]
    assert "处理结果：记录已更正" in Notification.objects.filter(user=w.owner).first().body
    assert AuditEntry.objects.filter(action="records.corrected", target=f"compulsion:{record.pk}").exists()


def test_an_objection_to_a_judgment_revoked_by_the_court(w):
    o = w.file("judgment", w.judgment.pk, reason="should_revoke", statement="该判决已被再审撤销，改判无罪")
    assert o.department == w.court
    w.act(w.office, o, action="accept_forward")
    assert w.act(w.court_clerk, o, action="answer", decision="revoke", note="再审改判，原判决撤销").status_code == 302

    record = Judgment.objects.get()
    assert (record.status, record.version) == ("revoked", 2)
    assert RecordVersion.objects.get(kind="judgment", record_id=record.pk, version=2).change == "revoked"
    # A revoked record leaves the entity's list of its records.
    assert "（2025）甘01刑初41号" not in w.client(w.owner).get(f"/my/entities/{COMPANY}/records/").content.decode()


def test_a_severity_explanation_of_a_compulsion_is_asked_for_and_written_by_its_authority(w):
    owner = w.client(w.owner)
    url = f"/my/entities/{COMPANY}/explanations/new/{w.compulsion.pk}/"
    assert owner.post(url, {"kind": "compulsion", "reason": "申请招投标"}).status_code == 302
    req = ExplanationRequest.objects.get()
    assert (req.kind, req.department, req.record_number) == ("compulsion", w.amr, "兰市监强〔2025〕31号")
    # A listing has no deciding body to explain its severity; a made-up kind is no record either.
    for kind in ("listing", "nonsense"):
        refused = owner.post(url, {"kind": kind, "reason": "x"}, follow=True).content.decode()
        assert "未找到该" in refused and "记录" in refused
    form = {"category": "情节轻微", "text": "扣押财物已依法返还，未造成危害后果。", "signer": w.amr.name,
            "signed_on": timezone.localdate().isoformat()}
    assert w.client(w.court_clerk).post(f"/explanations/{req.pk}/", form).status_code in (403, 404)
    assert w.client(w.amr_clerk).post(f"/explanations/{req.pk}/", form).status_code == 302
    explanation = SeverityExplanation.objects.get()
    assert (explanation.kind, explanation.record_id, explanation.category) == ("compulsion", w.compulsion.pk, "情节轻微")
    # The judgment's explanation goes to its court.
    assert owner.post(f"/my/entities/{COMPANY}/explanations/new/{w.judgment.pk}/",
                      {"kind": "judgment", "reason": "申请上市"}).status_code == 302
    assert ExplanationRequest.objects.get(kind="judgment").department == w.court


def test_a_clerk_marks_a_compulsion_repaired_on_its_page(w):
    url = f"/department/records/compulsion/{w.compulsion.pk}/"
    assert w.client(w.amr_clerk).post(url, {"action": "repair", "decision": "兰信修〔2025〕12号",
                                            "repaired_on": "2025-09-01"}).status_code == 302
    record = Compulsion.objects.get()
    assert (record.repaired_on, record.repair_decision, record.version) == (dt.date(2025, 9, 1), "兰信修〔2025〕12号", 2)
    assert "已修复" in w.client(w.owner).get(f"/my/entities/{COMPANY}/records/").content.decode()
