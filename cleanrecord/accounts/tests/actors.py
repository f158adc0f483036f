"""Named actors for access tests, and the objects each one owns.

Two entities (A and B) with one user and one report each; a market-regulation clerk (clerk_amr) and a
tax clerk (clerk_tax) with one import batch and one penalty record each; the credit office; an auditor
who only reads the audit trail; an outsider with an account and no role; a bank that entity A let
read its reports (a member of the organisation 兰州测试银行, which entity A granted); and API tokens: clerk_amr's feed (imports:write), the office's reader
(reports:read), and an expired and a revoked one.

The users are made with the shared helpers of cleanrecord/testing/actors.py. Use the `actors` fixture:
`actors.client("clerk_amr")` is a logged-in test client, `actors.token("office_token")` the bearer text of a token.
"""

import dataclasses
import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cleanrecord.accounts.models import ApiToken, DepartmentClerk, EntityUser, ReportGrant
from cleanrecord.accounts.tokens import create_token, revoke_token
from cleanrecord.entities.models import Entity
from cleanrecord.objections import workflow
from cleanrecord.objections.models import ExplanationRequest, Objection
from cleanrecord.records.importing.rejected import RejectedRows, rejected_rows_path
from cleanrecord.records.importing.rows import Issue
from cleanrecord.records.models import ImportBatch, Penalty
from cleanrecord.reference.models import Department
from cleanrecord.reports.models import Report, ReportSequence
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import entity, penalty
from cleanrecord.testing.actors import BANK, make_member, make_user

# People who log in with a session, and anonymous visitors.
ANONYMOUS = "anonymous"
SESSION_ACTORS = (ANONYMOUS, "entity_a_user", "entity_b_user", "clerk_amr", "clerk_tax", "office", "auditor",
                  "outsider", "bank")
# Other systems calling the API with a bearer token.
TOKEN_ACTORS = ("amr_token", "office_token", "expired_token", "revoked_token")


@dataclasses.dataclass
class Actors:
    users: dict[str, User]
    tokens: dict[str, str]
    entity_a: Entity
    entity_b: Entity
    report_a: Report
    report_b: Report
    amr: Department
    tax: Department
    batch_amr: ImportBatch
    batch_tax: ImportBatch
    penalty_amr: Penalty
    penalty_tax: Penalty
    grant: ReportGrant
    objection: "Objection"  # entity A's, on penalty_amr, forwarded to the market regulator, with one evidence file
    explanation_request: "ExplanationRequest"  # entity A's, on penalty_amr, waiting for the market regulator

    def client(self, name: str) -> Client:
        """A test client acting as `name`: logged in, anonymous, or sending that actor's bearer token."""
        if name in self.tokens:
            return Client(headers={"Authorization": f"Bearer {self.tokens[name]}"})
        c = Client()
        if name != ANONYMOUS:
            c.force_login(self.users[name])
        return c

    def token(self, name: str) -> str:
        return self.tokens[name]


def _batch(dept: Department, user: User) -> ImportBatch:
    """A finished import with one rejected row and its error file."""
    folder = settings.DATA_DIR / "access-errors"
    folder.mkdir(parents=True, exist_ok=True)
    error_file = folder / f"{uuid.uuid4().hex}.csv"
    error_file.write_text("行号,字段,值,级别,原因\r\n2,处罚决定日期,x,error,日期格式不正确\r\n", encoding="utf-8-sig")
    batch = ImportBatch.objects.create(kind="penalty", department=dept, user=user, file_name=f"{dept.code}.csv",
                                       status=ImportBatch.Status.DONE, rows_read=2, rows_created=1, rows_rejected=1,
                                       error_file=str(error_file))
    rows = RejectedRows(rejected_rows_path(error_file, batch.pk), ["处罚决定日期"])
    rows.add(2, ["x"], [Issue(2, "处罚决定日期", "x", "日期格式不正确")])
    rows.close()
    return batch


# Reports issued by the first test that builds the actors, as field values: rendering and signing a PDF
# takes a good part of a second, so later tests insert the same rows again (the PDFs stay on disk).
_issued: dict[str, dict] = {}


def _report(e: Entity, domain: str) -> Report:
    if e.credit_code in _issued:
        fields = _issued[e.credit_code]
        # The day's numbering was rolled back with the last test: take this report's number again.
        ReportSequence.objects.update_or_create(day=timezone.localdate(fields["issued_at"]),
                                                defaults={"last": int(fields["number"].rsplit("-", 1)[1])})
        return Report.objects.create(**fields)
    report = issue_report(credit_code=e.credit_code, domains=[domain], purpose="finance")
    _issued[e.credit_code] = {f.attname: getattr(report, f.attname) for f in Report._meta.concrete_fields
                              if f.attname != "id"}
    return report


def build_actors() -> Actors:
    entity_a = entity("91620102MA71ACA00", "兰州甲方商贸有限公司")
    entity_b = entity("91620103MA71ACB00", "兰州乙方商贸有限公司")
    amr, tax = Department.objects.get(code="amr"), Department.objects.get(code="tax")
    office_perms = ["records.add_importbatch", "audit.view_auditentry"] + [
        f"reports.{p.codename}" for p in Permission.objects.filter(content_type__app_label="reports")]
    users = {
        "entity_a_user": make_user("entity_a_user"),
        "entity_b_user": make_user("entity_b_user"),
        "clerk_amr": make_user("clerk_amr"),
        "clerk_tax": make_user("clerk_tax"),
        "office": make_user("office", *office_perms, is_staff=True),
        "auditor": make_user("auditor", "audit.view_auditentry"),
        "outsider": make_user("outsider"),
        "bank": make_member("bank", BANK),
    }
    EntityUser.objects.create(user=users["entity_a_user"], entity=entity_a, role=EntityUser.Role.LEGAL_REP)
    EntityUser.objects.create(user=users["entity_b_user"], entity=entity_b, role=EntityUser.Role.LEGAL_REP)
    DepartmentClerk.objects.create(user=users["clerk_amr"], department=amr)
    DepartmentClerk.objects.create(user=users["clerk_tax"], department=tax)
    today = timezone.localdate()
    grant = ReportGrant.objects.create(entity=entity_a, organisation=users["bank"].membership.organisation,
                                       valid_from=today,
                                       valid_until=today + dt.timedelta(days=30), created_by=users["entity_a_user"])

    decided = today - dt.timedelta(days=60)
    penalty_amr = penalty(entity_a, decided)
    penalty_tax = penalty(entity_b, decided, domain="taxation", department=tax, source_name=tax.name,
                          source_code=tax.credit_code, authority_name=tax.name, authority_code=tax.credit_code,
                          decision_no="兰税罚〔2026〕7号")
    report_a = _report(entity_a, "market-regulation")
    report_b = _report(entity_b, "taxation")

    tokens = {}
    _, tokens["amr_token"] = create_token(owner=users["clerk_amr"], name="市场监管局对接", scopes=["imports:write"])
    _, tokens["office_token"] = create_token(owner=users["office"], name="信用办查询", scopes=["reports:read"])
    expired, tokens["expired_token"] = create_token(owner=users["office"], name="过期令牌",
                                                    scopes=["reports:read", "reports:write", "imports:write"])
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    revoked, tokens["revoked_token"] = create_token(owner=users["office"], name="撤销令牌",
                                                    scopes=["reports:read", "reports:write", "imports:write"])
    revoke_token(revoked)

    objection = workflow.file_objection(
        user=users["entity_a_user"], kind="penalty", subject_key=entity_a.credit_code, record_id=penalty_amr.pk,
        reason="content_wrong", statement="罚款金额与决定书不一致",
        files=[SimpleUploadedFile("决定书.pdf", b"%PDF-1.4\n%test\n", "application/pdf")])
    workflow.step(objection, "accept", user=users["office"])
    objection = workflow.step(objection, "forward", user=users["office"])
    explanation_request = workflow.request_explanation(user=users["entity_a_user"], subject_key=entity_a.credit_code,
                                                       record_id=penalty_amr.pk, reason="用于上市申报")

    return Actors(users=users, tokens=tokens, entity_a=entity_a, entity_b=entity_b, report_a=report_a,
                  report_b=report_b, amr=amr, tax=tax, batch_amr=_batch(amr, users["clerk_amr"]),
                  batch_tax=_batch(tax, users["clerk_tax"]), penalty_amr=penalty_amr, penalty_tax=penalty_tax,
                  grant=grant, objection=objection, explanation_request=explanation_request)


@pytest.fixture
def actors(db) -> Actors:
    return build_actors()
