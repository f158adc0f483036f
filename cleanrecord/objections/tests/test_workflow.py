"""An objection walked along every path, as its users do it: through the pages.

Each path asserts what the people involved see — the record's versions, the label on a new report's
PDF, what an earlier report's verification page says, the audit trail and the messages sent.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cleanrecord.accounts.models import DepartmentClerk, EntityUser, Notification
from cleanrecord.audit.models import AuditEntry
from cleanrecord.objections.models import Evidence, Objection
from cleanrecord.objections.workflow import evidence_path
from cleanrecord.records.models import Penalty, RecordVersion
from cleanrecord.reference.models import Department
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import entity, penalty
from cleanrecord.reports.tests.test_issue import pdf_text

pytestmark = pytest.mark.pdf  # every test here issues, renders or reads a real PDF

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


class World:
    """An entity with one penalty and a report issued before anyone objected; its owner, the market
    regulator's clerk, a tax clerk and the credit office, each with a logged-in client."""

    def __init__(self):
        self.company = entity(name="兰州异议测试商贸有限公司")
        self.penalty = penalty(self.company, timezone.localdate() - dt.timedelta(days=100),
                               decision_no="兰市监罚〔2026〕301号", content="罚款人民币五万元")
        RecordVersion.objects.create(kind="penalty", record_id=self.penalty.pk, subject_key=self.company.credit_code,
                                     version=self.penalty.version, change="created", created_at=timezone.now())
        self.amr = Department.objects.get(code="amr")
        self.owner = self._user("owner", "owner@example.cn")
        EntityUser.objects.create(user=self.owner, entity=self.company, role=EntityUser.Role.LEGAL_REP)
        self.clerk = self._user("clerk", "clerk@amr.example.cn")
        DepartmentClerk.objects.create(user=self.clerk, department=self.amr)
        self.tax_clerk = self._user("taxclerk", "clerk@tax.example.cn")
        DepartmentClerk.objects.create(user=self.tax_clerk, department=Department.objects.get(code="tax"))
        self.office = self._user("office", "office@credit.example.cn")
        self.office.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
        self.earlier = issue_report(credit_code=self.company.credit_code, domains=["market-regulation"],
                                    purpose="finance")

    @staticmethod
    def _user(name: str, email: str) -> User:
        return User.objects.create_user(name, email=email)

    def client(self, user: User) -> Client:
        c = Client()
        c.force_login(user)
        return c

    def file(self, **extra) -> Objection:
        data = {"reason": "content_wrong", "statement": "罚款金额应为五千元，决定书见附件",
                "evidence": [SimpleUploadedFile("决定书.pdf", PDF, "application/pdf"),
                             SimpleUploadedFile("现场.png", PNG, "image/png")], **extra}
        response = self.client(self.owner).post(self.new_url, data)
        assert response.status_code == 302, response.content.decode()
        return Objection.objects.get()

    @property
    def new_url(self) -> str:
        return f"/my/entities/{self.company.credit_code}/objections/new/penalty/{self.penalty.pk}/"

    def act(self, user: User, objection: Objection, **data):
        return self.client(user).post(f"/objections/{objection.pk}/", data)

    def new_report_text(self) -> str:
        report = issue_report(credit_code=self.company.credit_code, domains=["market-regulation"], purpose="finance")
        return pdf_text(report.pdf_bytes())

    def labelled(self, text: str) -> bool:
        """Whether a report's text carries the 异议处理中 label: more often than the notes, which explain it, say it."""
        return text.count("异议处理中") > pdf_text(self.earlier.pdf_bytes()).count("异议处理中")

    def verification_page(self) -> str:
        return Client().get(f"/verify/{self.earlier.verification_code}").content.decode()

    def subjects(self, user: User) -> list[str]:
        return list(Notification.objects.filter(user=user).order_by("id").values_list("subject", flat=True))


@pytest.fixture
def w(db):
    return World()


def test_filing_labels_the_record_at_once_and_tells_the_office(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        o = w.file()
    assert o.status == "submitted" and o.department == w.amr and o.record_number == "兰市监罚〔2026〕301号"
    assert [e.name for e in o.evidence.all()] == ["决定书.pdf", "现场.png"]
    stored = evidence_path(o.evidence.first())
    assert "media" not in str(stored) and "static" not in str(stored)
    assert b"%PDF" not in stored.read_bytes() and len(stored.read_bytes()) > len(PDF)  # encrypted at rest
    download = w.client(w.owner).get(f"/objections/{o.pk}/evidence/{o.evidence.first().pk}/")
    assert download.content == PDF and download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert w.labelled(w.new_report_text())
    assert "该记录在报告出具后被提出异议，正在处理中" in w.verification_page()
    assert AuditEntry.objects.filter(action="objections.file", target=f"objection:{o.pk}").exists()
    assert w.subjects(w.office) == [f"新的异议待受理：{o.number}"]
    assert w.subjects(w.owner) == [f"异议已提交：{o.number}"]
    assert {m.to[0] for m in mail.outbox} == {"office@credit.example.cn", "owner@example.cn"}
    assert any("兰市监罚〔2026〕301号" in m.body and f"/objections/{o.pk}/" in m.body for m in mail.outbox)
    # The office's list shows it waiting, with its deadline.
    page = w.client(w.office).get("/office/objections/").content.decode()
    assert o.number in page and str(o.due_on) in page


def test_rejected_for_incompleteness(w, django_capture_on_commit_callbacks):
    o = w.file()
    with django_capture_on_commit_callbacks(execute=True):
        response = w.act(w.office, o, action="reject", note="未提供处罚决定书，请补充后重新提出")
    assert response.status_code == 302
    o.refresh_from_db()
    assert o.status == "rejected" and o.closed_at is not None and o.due_on is None
    assert w.subjects(w.owner)[-1] == f"异议不予受理：{o.number}"
    assert "未提供处罚决定书" in Notification.objects.filter(user=w.owner).first().body
    assert mail.outbox[-1].to == ["owner@example.cn"]
    assert w.penalty.version == Penalty.objects.get(pk=w.penalty.pk).version  # the record is as it was
    assert not w.labelled(w.new_report_text())
    assert w.subjects(w.clerk) == []  # never forwarded: the department was not troubled
    assert "被提出异议，正在处理中" not in w.verification_page() and "异议已办结" not in w.verification_page()
    assert list(AuditEntry.objects.filter(target=f"objection:{o.pk}").order_by("id").values_list("action", flat=True)) == [
        "objections.file", "objections.reject"]
    # The entity may object again, with the missing paper.
    assert w.client(w.owner).post(w.new_url, {"reason": "content_wrong", "statement": "补充决定书后重新提出"}).status_code == 302


def test_upheld(w, django_capture_on_commit_callbacks):
    o = w.file()
    with django_capture_on_commit_callbacks(execute=True):
        assert w.act(w.office, o, action="accept_forward", note="材料齐全").status_code == 302
    o.refresh_from_db()
    assert o.status == "forwarded"
    assert w.subjects(w.clerk) == [f"异议待答复：{o.number}"]
    assert "clerk@amr.example.cn" in [m.to[0] for m in mail.outbox]
    assert o.number in w.client(w.clerk).get("/department/objections/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert w.act(w.clerk, o, action="answer", decision="uphold", note="经核查，罚款金额与决定书一致").status_code == 302
    assert w.subjects(w.office)[-1] == f"部门已答复异议：{o.number}"
    with django_capture_on_commit_callbacks(execute=True):
        assert w.act(w.office, o, action="close", note="维持").status_code == 302
    o.refresh_from_db()
    assert (o.status, o.decision) == ("closed", "uphold")
    assert w.subjects(w.owner)[-1] == f"异议已办结：{o.number}"
    assert "处理结果：维持原记录" in Notification.objects.filter(user=w.owner).first().body
    assert Penalty.objects.get(pk=w.penalty.pk).version == w.penalty.version
    assert not RecordVersion.objects.filter(record_id=w.penalty.pk, change="corrected").exists()
    text = w.new_report_text()
    assert "罚款人民币五万元" in text and not w.labelled(text)
    assert "该记录的异议已办结" not in w.verification_page()  # the earlier report never showed the label
    assert [a for a in AuditEntry.objects.filter(target=f"objection:{o.pk}").order_by("id")
            .values_list("action", flat=True)] == ["objections.file", "objections.accept", "objections.forward",
                                                   "objections.answer", "objections.close"]
    assert [e.action_label for e in o.events.all()] == ["提出异议", "受理", "转办", "部门答复", "审核办结"]


def test_corrected(w, django_capture_on_commit_callbacks):
    o = w.file()
    labelled = issue_report(credit_code=w.company.credit_code, domains=["market-regulation"], purpose="finance")
    w.act(w.office, o, action="accept_forward")
    response = w.act(w.clerk, o, action="answer", decision="correct", note="决定书金额录入错误，已更正",
                     field_content="罚款人民币五千元", field_fine_wan="0.5")
    assert response.status_code == 302, response.content.decode()
    record = Penalty.objects.get(pk=w.penalty.pk)
    assert record.content == "罚款人民币五千元" and str(record.fine_wan.normalize()) == "0.5"
    assert record.version == w.penalty.version + 1
    version = RecordVersion.objects.get(record_id=record.pk, version=record.version)
    assert version.change == "corrected" and version.user == w.clerk and o.number in version.reason
    assert RecordVersion.objects.get(record_id=record.pk, version=w.penalty.version).data["content"] == "罚款人民币五万元"
    o.refresh_from_db()
    assert o.corrected["content"] == ["罚款人民币五万元", "罚款人民币五千元"]
    assert w.labelled(w.new_report_text())  # answered, not yet closed by the office
    with django_capture_on_commit_callbacks(execute=True):
        w.act(w.office, o, action="close")
    assert "处理结果：记录已更正" in Notification.objects.filter(user=w.owner).first().body
    text = w.new_report_text()
    assert "罚款人民币五千元" in text and "罚款人民币五万元" not in text and not w.labelled(text)
    page = w.verification_page()
    assert "该记录内容在报告出具后已更正" in page
    labelled_page = Client().get(f"/verify/{labelled.verification_code}").content.decode()
    assert "该记录的异议已办结" in labelled_page and "该记录内容在报告出具后已更正" in labelled_page
    assert AuditEntry.objects.filter(action="records.corrected", target=f"penalty:{record.pk}").exists()


def test_revoked(w, django_capture_on_commit_callbacks):
    o = w.file(reason="should_revoke", statement="该处罚决定已被行政复议撤销，复议决定书附后")
    w.act(w.office, o, action="accept_forward")
    w.act(w.clerk, o, action="answer", decision="revoke", note="经复议撤销")
    with django_capture_on_commit_callbacks(execute=True):
        w.act(w.office, o, action="close")
    record = Penalty.objects.get(pk=w.penalty.pk)
    assert record.status == "revoked" and o.number in record.revoke_reason
    assert RecordVersion.objects.get(record_id=record.pk, version=record.version).change == "revoked"
    assert "处理结果：记录已撤销" in Notification.objects.filter(user=w.owner).first().body
    text = w.new_report_text()
    assert "兰市监罚〔2026〕301号" not in text and "未发现行政处罚、行政强制、严重失信记录" in text
    assert "该记录已被撤销" in w.verification_page()
    answer = AuditEntry.objects.get(action="objections.answer", target=f"objection:{o.pk}")
    assert answer.after["decision"] == "revoke" and answer.user == w.clerk
    assert AuditEntry.objects.filter(action="records.revoked", target=f"penalty:{record.pk}").exists()
    assert w.subjects(w.office)[-1] == f"部门已答复异议：{o.number}"


def test_withdrawn_by_the_entity(w):
    o = w.file()
    w.act(w.office, o, action="accept_forward")
    assert w.act(w.owner, o, action="withdraw", note="已与部门沟通").status_code == 302
    o.refresh_from_db()
    assert o.status == "withdrawn"
    assert w.subjects(w.clerk)[-1] == f"异议已撤回：{o.number}"
    assert not w.labelled(w.new_report_text())


def test_steps_out_of_turn_are_refused_and_change_nothing(w):
    o = w.file()
    refused = w.act(w.office, o, action="close")
    assert refused.status_code == 400 and "异议当前状态为“已提交，待信用办受理”，不能审核办结" in refused.content.decode()
    assert w.act(w.clerk, o, action="answer", decision="uphold", note="无误").status_code == 404  # not forwarded yet
    assert w.act(w.owner, o, action="accept").status_code == 403
    w.act(w.office, o, action="accept_forward")
    assert w.act(w.office, o, action="answer", decision="uphold", note="无误").status_code == 403  # office ≠ department
    assert w.act(w.tax_clerk, o, action="answer", decision="uphold", note="无误").status_code == 404
    assert w.act(w.office, o, action="forward").status_code == 400
    missing = w.act(w.clerk, o, action="answer", decision="correct", note="更正")
    assert "答复“更正”时请填写更正后的内容" in missing.content.decode()
    bad = w.act(w.clerk, o, action="answer", decision="correct", note="更正", field_decided_on="2026-13-01")
    assert bad.status_code == 400 and "处罚决定日期：日期格式应为 YYYY-MM-DD" in bad.content.decode()
    o.refresh_from_db()
    assert o.status == "forwarded" and Penalty.objects.get(pk=w.penalty.pk).version == w.penalty.version
    other = entity("91620102MA71QTH00", "兰州他人商贸有限公司")
    stranger = User.objects.create_user("stranger")
    EntityUser.objects.create(user=stranger, entity=other)
    assert w.client(stranger).get(f"/objections/{o.pk}/").status_code == 404
    assert w.client(stranger).get(w.new_url).status_code == 404
    assert w.client(stranger).post(f"/my/entities/{other.credit_code}/objections/new/penalty/{w.penalty.pk}/",
                                   {"reason": "other", "statement": "不是我们的记录"}).status_code == 404


def test_a_second_objection_to_the_same_record_is_refused(w):
    o = w.file()
    again = w.client(w.owner).post(w.new_url, {"reason": "other", "statement": "再次提出异议"})
    assert again.status_code == 400 and f"该记录已有正在处理的异议（{o.number}）" in again.content.decode()
    assert Objection.objects.count() == 1


@pytest.mark.parametrize(("files", "message"), [
    ([("说明.pdf", b"MZ\x90\x00 this is a program")], "文件“说明.pdf”不是 PDF、JPG 或 PNG 文件（按文件内容检查）"),
    ([("空.png", b"")], "文件“空.png”是空文件"),
    ([("big.pdf", b"%PDF-" + b"0" * 2048)], "文件“big.pdf”大小为 0.0 MB，超过 0 MB 的上限"),
    ([(f"{i}.pdf", PDF) for i in range(6)], "证明材料最多 5 个文件，本次选择了 6 个"),
])
def test_evidence_of_the_wrong_type_or_size_is_refused(w, settings, files, message):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "OBJECTION_EVIDENCE_MAX_BYTES": 1024}
    response = w.client(w.owner).post(w.new_url, {
        "reason": "content_wrong", "statement": "金额有误，见附件",
        "evidence": [SimpleUploadedFile(n, data) for n, data in files]})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Objection.objects.exists() and not Evidence.objects.exists()
    assert not w.labelled(w.new_report_text())


def test_a_jpeg_named_pdf_is_kept_as_what_it_is(w):
    o = w.file(evidence=[SimpleUploadedFile("照片.pdf", b"\xff\xd8\xff\xe0" + b"\0" * 32, "application/pdf")])
    e = o.evidence.get()
    assert (e.name, e.content_type) == ("照片.jpg", "image/jpeg")
    response = w.client(w.office).get(f"/objections/{o.pk}/evidence/{e.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_deadlines_are_working_days_across_the_spring_festival(w, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 2, 12))  # Thursday before the holiday
    o = w.file()
    assert o.due_on == dt.date(2026, 2, 14)       # Friday 13th, then the make-up Saturday
    assert o.hard_due_on == dt.date(2026, 3, 11)  # 15 working days: 13, 14, 24–28 Feb, 2–6, 9–11 Mar
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 2, 14))
    w.act(w.office, o, action="accept_forward")
    o.refresh_from_db()
    assert o.due_on == dt.date(2026, 2, 28)       # five working days: 24, 25, 26, 27 Feb and Saturday 28th


def test_overdue_objections_are_flagged_once_to_the_office_and_the_department(w):
    from cleanrecord.objections.workflow import notify_overdue

    o = w.file()
    w.act(w.office, o, action="accept_forward")
    Objection.objects.filter(pk=o.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    assert notify_overdue() == 1
    assert w.subjects(w.office)[-1] == f"异议逾期：{o.number}" and w.subjects(w.clerk)[-1] == f"异议逾期：{o.number}"
    assert notify_overdue() == 0  # told once per step
    page = w.client(w.office).get("/office/objections/?status=overdue").content.decode()
    assert o.number in page and "逾期" in page
    assert "本异议已超过办理期限" in w.client(w.clerk).get(f"/objections/{o.pk}/").content.decode()


def test_objecting_from_a_record_on_the_report(w):
    page = w.client(w.owner).get(f"/reports/{w.earlier.verification_code}/").content.decode()
    link = f"{w.new_url}?report={w.earlier.number}"
    assert link in page
    assert link not in Client().get(f"/reports/{w.earlier.verification_code}/").content.decode()  # only its own users
    form = w.client(w.owner).get(link).content.decode()
    assert f'name="report_number" value="{w.earlier.number}"' in form
    o = w.file(report_number=w.earlier.number)
    assert o.report_number == w.earlier.number
    assert w.earlier.number in w.client(w.office).get(f"/objections/{o.pk}/").content.decode()


def test_an_unchanged_multiline_field_sent_back_with_crlf_is_not_a_correction(w):
    Penalty.objects.filter(pk=w.penalty.pk).update(facts="第一行\n第二行")
    o = w.file()
    w.act(w.office, o, action="accept_forward")
    response = w.act(w.clerk, o, action="answer", decision="correct", note="只更正处罚内容",
                     field_facts="第一行\r\n第二行", field_content="罚款人民币五千元")
    assert response.status_code == 302
    o.refresh_from_db()
    assert set(o.corrected) == {"content"}
    assert Penalty.objects.get(pk=w.penalty.pk).facts == "第一行\n第二行"


def test_a_tampered_evidence_file_is_not_served(w):
    o = w.file()
    e = o.evidence.first()
    path = evidence_path(e)
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 1
    path.write_bytes(bytes(blob))
    assert w.client(w.office).get(f"/objections/{o.pk}/evidence/{e.pk}/").status_code == 404
