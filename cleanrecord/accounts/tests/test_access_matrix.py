"""Every URL and every API operation, tried by every actor: who gets in, and everyone else is kept out.

The table below has one row per request. A row names the route it exercises (as the URL resolver spells
it, or "METHOD /api/v1/path" for an API operation), builds the request from the actors' objects, and says
what each actor gets. A route that is in the URLconf or the API but not in the table fails
`test_every_route_is_in_the_matrix`, so a new page cannot ship without deciding who may open it.

Each actor's request runs in a savepoint that is rolled back, so one actor revoking a record does not
change what the next one sees. Objects of others answer 404, not 403, so that their existence does
not leak.
"""

import dataclasses
import re
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLResolver, get_resolver

from cleanrecord.api import api
from cleanrecord.records.tests.uploads import penalty_csv

from .actors import ANONYMOUS, SESSION_ACTORS, TOKEN_ACTORS, Actors, actors  # noqa: F401

ADMIN_PREFIX = "admin/"
API_PREFIX = "api/v1/"


@dataclasses.dataclass(frozen=True)
class Row:
    """One request, and what each actor gets: `default` unless the actor is named in `only`."""

    route: str
    method: str
    url: Callable[[Actors], str]
    default: int
    only: dict[str, int] = dataclasses.field(default_factory=dict)
    data: Callable[[Actors], dict] | None = None
    json: bool = False
    note: str = ""

    @property
    def api(self) -> bool:
        return self.route.split(" ", 1)[-1].startswith("/api/")

    @property
    def id(self) -> str:
        path = self.route if self.api else f"{self.method} /{self.route}"
        return path + (f" [{self.note}]" if self.note else "")

    def expected(self, actor: str) -> int:
        return self.only.get(actor, self.default)


def logged_in(**only: int) -> dict[str, int]:
    """Anonymous visitors are sent to the login page; the named actors get their own status."""
    return {ANONYMOUS: 302, **only}


def api_auth(**only: int) -> dict[str, int]:
    """Without a usable token or session the API answers 401."""
    return {ANONYMOUS: 401, "expired_token": 401, "revoked_token": 401, **only}


def upload(dept_code: str) -> Callable[[Actors], dict]:
    def data(a: Actors) -> dict:
        dept = a.tax if dept_code == "tax" else a.amr
        csv = penalty_csv(dept, {"code": a.entity_b.credit_code, "name": a.entity_b.name})
        return {"kind": "penalty", "department": dept_code, "file": SimpleUploadedFile("p.csv", csv, "text/csv")}
    return data


def staged_by_clerk_tax(a: Actors) -> dict:
    """A file clerk_tax uploaded and is previewing: the token its 确认导入 sends."""
    from cleanrecord.records.profiles import stage_upload

    staged = stage_upload(user=a.users["clerk_tax"], upload=upload("tax")(a)["file"], kind="penalty", department=a.tax,
                          profile=None, dry_run=False)
    return {"token": staged.token}


def tax_profile(a: Actors):
    from cleanrecord.records.models import ImportProfile

    return ImportProfile.objects.get_or_create(department=a.tax, name="税务名单", kind="listing",
                                               defaults={"spec": {"ignore": ["序号"]}})[0]


def staff_of_a(a: Actors):
    """A person entity A's legal representative authorised to act for it."""
    from cleanrecord.signin.models import StaffAuthorisation

    found = StaffAuthorisation.objects.filter(entity=a.entity_a, withdrawn_at__isnull=True).first()
    if found is None:
        found = StaffAuthorisation(entity=a.entity_a, name="李四", authorised_by=a.users["entity_a_user"])
        found.set_id_number("620103199002022344")
        found.save()
    return found


def profile_form(dept_code: str) -> Callable[[Actors], dict]:
    return lambda a: {"department": dept_code, "kind": "listing", "name": "税务名单",
                      "spec": '{"constants": {"列入日期": "2024-01-01"}}'}


def a_matter(a: Actors):
    """A matter of the catalogue (made inside each actor's rolled-back savepoint)."""
    from cleanrecord.matters.models import Matter

    matter, _ = Matter.objects.get_or_create(department=a.amr, name="政府采购投标", defaults={"legal_basis": "采购文件"})
    return matter


def a_refusal(a: Actors):
    """A refusal feedback waiting for the office."""
    from cleanrecord.acceptance.models import Refusal

    return Refusal.objects.create(report_number=a.report_a.number, report=a.report_a, unit="某银行", matter_text="贷款",
                                  description="要求另行开具证明", due_on="2030-01-01")


def refusal_form(a: Actors) -> dict:
    return {"report_number": a.report_a.number, "unit": "某区公共资源交易中心", "matter": a_matter(a).pk,
            "description": "要求另行开具无违法证明"}


def not_a_pdf(a: Actors) -> dict:
    return {"file": SimpleUploadedFile("r.pdf", b"hello", "application/pdf")}


def group_batch_of_a(a: Actors):
    """A group batch entity A applied for, holding entity B's report (B as its subsidiary); rolled back after each
    actor here, kept by the accessibility walk (which opens it for each role: made once). Its token is the batch
    pages' address."""
    from cleanrecord.reports.models import GroupBatch

    kept = GroupBatch.objects.filter(token=f"access-{a.entity_a.pk}").first()
    if kept is not None:
        return kept
    batch = GroupBatch.objects.create(number="LZXY-JT-20260101-ACCESS", token=f"access-{a.entity_a.pk}",
                                      parent=a.entity_a, issued_at=a.report_b.issued_at,
                                      summary_path=a.report_b.pdf_path, summary_sha256=a.report_b.pdf_sha256)
    a.report_b.__class__.objects.filter(pk=a.report_b.pk).update(group_batch=batch)
    return batch


def group_request(a: Actors) -> dict:
    """Entity A authorised by the office for entity B; its request for B's report."""
    from cleanrecord.reports.models import GroupAuthorisation

    today = a.grant.valid_from
    GroupAuthorisation.objects.create(parent=a.entity_a, subsidiary=a.entity_b, valid_from=today,
                                      valid_until=today.replace(year=today.year + 1))
    return {"credit_code": a.entity_a.credit_code, "subsidiaries": "all", "domains": ["taxation"]}


ROWS = [
    # -- public pages ------------------------------------------------------------------------------
    Row("", "GET", lambda a: "/", 200),
    Row("entities/", "GET", lambda a: f"/entities/?q={a.entity_b.name}", 200),
    Row("entities/<str:code>/", "GET", lambda a: f"/entities/{a.entity_b.credit_code}/", 200),
    Row("trust/root.pem", "GET", lambda a: "/trust/root.pem", 200),
    # Help pages: static text, for anyone.
    Row("help/", "GET", lambda a: "/help/", 200),
    Row("help/entities/", "GET", lambda a: "/help/entities/", 200),
    Row("help/verifiers/", "GET", lambda a: "/help/verifiers/", 200),
    Row("help/clerks/", "GET", lambda a: "/help/clerks/", 200),
    Row("help/policy/", "GET", lambda a: "/help/policy/", 200),
    # For the load balancer and the operator: no account, nothing but check names in the answer.
    Row("healthz", "GET", lambda a: "/healthz", 200),
    Row("readyz", "GET", lambda a: "/readyz", 200),
    # The office's monitoring: a signed-in office user here; a token or an address list is tried in
    # cleanrecord/tests/test_metrics.py. Everyone else 403, anonymous visitors too (a scraper is not sent to a login page).
    Row("metrics", "GET", lambda a: "/metrics", 403, {"office": 200}),
    Row("accounts/login/", "GET", lambda a: "/accounts/login/", 200),
    Row("accounts/logout/", "POST", lambda a: "/accounts/logout/", 302),
    # The header's language switch: anyone, back to the page it was on with the language cookie set.
    Row("i18n/setlang/", "POST", lambda a: "/i18n/setlang/", 302, data=lambda a: {"language": "en", "next": "/"}),
    Row("verify", "GET", lambda a: "/verify", 200),
    Row("verify/", "GET", lambda a: "/verify/", 200),
    Row("verify", "GET", lambda a: f"/verify?code={a.report_b.verification_code}", 302, note="typed code"),
    Row("verify/<str:code>", "GET", lambda a: f"/verify/{a.report_b.verification_code}", 200),
    Row("verify/file", "GET", lambda a: "/verify/file", 200),
    Row("verify/file", "POST", lambda a: "/verify/file", 400, data=not_a_pdf),
    # The report page and PDF are reached through the report's unguessable verification code, printed on
    # the report itself: whoever holds the code may see what the verification page shows.
    Row("reports/<str:code>/", "GET", lambda a: f"/reports/{a.report_b.verification_code}/", 200),
    Row("reports/<str:code>/pdf", "GET", lambda a: f"/reports/{a.report_b.verification_code}/pdf", 200),
    # -- entity portal -----------------------------------------------------------------------------
    Row("my/", "GET", lambda a: "/my/", 200, logged_in()),
    Row("entities/<str:code>/report/", "GET", lambda a: f"/entities/{a.entity_a.credit_code}/report/", 403,
        logged_in(entity_a_user=200, office=200)),
    # A group's page: its own users only (without the office's authorisation the page says so, and a request is
    # refused); a batch and its ZIP: the group's users and the office, by the batch's unguessable token.
    Row("my/entities/<str:code>/group/", "GET", lambda a: f"/my/entities/{a.entity_a.credit_code}/group/", 404,
        logged_in(entity_a_user=200)),
    Row("my/entities/<str:code>/group/", "POST", lambda a: f"/my/entities/{a.entity_a.credit_code}/group/", 404,
        logged_in(entity_a_user=400), data=lambda a: {"scope": "all", "purpose": "finance"}, note="unauthorised"),
    Row("my/group-batches/<str:token>/", "GET", lambda a: f"/my/group-batches/{group_batch_of_a(a).token}/", 404,
        logged_in(entity_a_user=200, office=200)),
    Row("my/group-batches/<str:token>/zip", "GET", lambda a: f"/my/group-batches/{group_batch_of_a(a).token}/zip",
        404, logged_in(entity_a_user=200, office=200)),
    Row("my/entities/<str:code>/grants", "POST", lambda a: f"/my/entities/{a.entity_a.credit_code}/grants", 404,
        logged_in(entity_a_user=302),
        data=lambda a: {"organisation": a.grant.organisation_id, "valid_from": a.grant.valid_from.isoformat(),
                        "valid_until": a.grant.valid_until.isoformat()}),
    Row("my/entities/<str:code>/grants", "GET", lambda a: f"/my/entities/{a.entity_a.credit_code}/grants", 405,
        logged_in(), note="POST only"),
    Row("my/entities/<str:code>/grants/<int:grant_id>/revoke", "POST",
        lambda a: f"/my/entities/{a.entity_a.credit_code}/grants/{a.grant.pk}/revoke", 404,
        logged_in(entity_a_user=302)),
    Row("my/entities/<str:code>/grants/<int:grant_id>/revoke", "POST",
        lambda a: f"/my/entities/{a.entity_b.credit_code}/grants/{a.grant.pk}/revoke", 404,
        logged_in(), note="A's grant under B's code"),
    # -- sign-in through the identity service (cleanrecord/signin): off unless CLEANRECORD_OIDC_ISSUER is set, as
    # here; with a provider running the flow is tried in cleanrecord/signin/tests/test_oidc.py.
    Row("accounts/oidc/start/", "GET", lambda a: "/accounts/oidc/start/", 404, note="not configured"),
    Row("accounts/oidc/callback/", "GET", lambda a: "/accounts/oidc/callback/?code=x&state=y", 404,
        note="not configured"),
    # The legal representative's staff authorisations: entity_a_user is A's legal representative; the office,
    # other entities' users and A's own staff are told nothing (404).
    Row("my/entities/<str:code>/staff/", "GET", lambda a: f"/my/entities/{a.entity_a.credit_code}/staff/", 404,
        logged_in(entity_a_user=200)),
    Row("my/entities/<str:code>/staff/", "POST", lambda a: f"/my/entities/{a.entity_a.credit_code}/staff/", 404,
        logged_in(entity_a_user=302), data=lambda a: {"name": "李四", "id_number": "620103199002022344"}),
    Row("my/entities/<str:code>/staff/<int:pk>/withdraw", "POST",
        lambda a: f"/my/entities/{a.entity_a.credit_code}/staff/{staff_of_a(a).pk}/withdraw", 404,
        logged_in(entity_a_user=302)),
    Row("my/entities/<str:code>/staff/<int:pk>/withdraw", "POST",
        lambda a: f"/my/entities/{a.entity_b.credit_code}/staff/{staff_of_a(a).pk}/withdraw", 404,
        logged_in(), note="A's authorisation under B's code"),
    Row("my/entities/<str:code>/staff/<int:pk>/withdraw", "GET",
        lambda a: f"/my/entities/{a.entity_a.credit_code}/staff/{staff_of_a(a).pk}/withdraw", 405,
        logged_in(), note="POST only"),
    # -- department portal -------------------------------------------------------------------------
    Row("imports/", "GET", lambda a: "/imports/", 403, logged_in(clerk_amr=200, clerk_tax=200, office=200)),
    # The upload answers with its preview; only 确认导入 (imports/confirm) writes.
    Row("imports/", "POST", lambda a: "/imports/", 403, logged_in(clerk_tax=200, office=200),
        data=upload("tax"), note="into tax"),
    Row("imports/confirm", "POST", lambda a: "/imports/confirm", 403, logged_in(clerk_amr=404, clerk_tax=302, office=404),
        data=staged_by_clerk_tax, note="clerk_tax's staged upload"),
    Row("imports/confirm", "GET", lambda a: "/imports/confirm", 405, logged_in(), note="POST only"),
    Row("imports/profiles/", "GET", lambda a: "/imports/profiles/", 403,
        logged_in(clerk_amr=200, clerk_tax=200, office=200)),
    Row("imports/profiles/new", "GET", lambda a: "/imports/profiles/new", 403,
        logged_in(clerk_amr=200, clerk_tax=200, office=200)),
    Row("imports/profiles/new", "POST", lambda a: "/imports/profiles/new", 403,
        logged_in(clerk_amr=400, clerk_tax=302, office=302), data=profile_form("tax"), note="for tax"),
    Row("imports/profiles/<int:profile_id>/", "GET", lambda a: f"/imports/profiles/{tax_profile(a).pk}/", 403,
        logged_in(clerk_amr=404, clerk_tax=200, office=200)),
    Row("imports/profiles/<int:profile_id>/", "POST", lambda a: f"/imports/profiles/{tax_profile(a).pk}/", 403,
        logged_in(clerk_amr=404, clerk_tax=302, office=302), data=profile_form("tax"), note="tax's profile"),
    Row("imports/<int:batch_id>/", "GET", lambda a: f"/imports/{a.batch_tax.pk}/", 404,
        logged_in(clerk_tax=200, office=200)),
    Row("imports/<int:batch_id>/errors.csv", "GET", lambda a: f"/imports/{a.batch_tax.pk}/errors.csv", 404,
        logged_in(clerk_tax=200, office=200)),
    Row("imports/<int:batch_id>/rejected.<str:file_format>", "GET", lambda a: f"/imports/{a.batch_tax.pk}/rejected.xlsx",
        404, logged_in(clerk_tax=200, office=200)),
    Row("imports/<int:batch_id>/rejected.<str:file_format>", "GET", lambda a: f"/imports/{a.batch_tax.pk}/rejected.csv",
        404, logged_in(clerk_tax=200, office=200), note="csv"),
    Row("department/records/", "GET", lambda a: "/department/records/", 403,
        logged_in(clerk_amr=200, clerk_tax=200, office=200)),
    Row("department/records/<str:kind>/<int:record_id>/", "GET",
        lambda a: f"/department/records/penalty/{a.penalty_tax.pk}/", 404, logged_in(clerk_tax=200, office=200)),
    Row("department/records/<str:kind>/<int:record_id>/", "POST",
        lambda a: f"/department/records/penalty/{a.penalty_tax.pk}/", 404, logged_in(clerk_tax=302, office=302),
        data=lambda a: {"action": "revoke", "reason": "决定已被复议撤销"}, note="revoke"),
    Row("department/records/<str:kind>/<int:record_id>/", "POST",
        lambda a: f"/department/records/penalty/{a.penalty_tax.pk}/", 404, logged_in(clerk_tax=302, office=302),
        data=lambda a: {"action": "repair", "decision": "兰税修〔2026〕1号", "repaired_on": a.grant.valid_from.isoformat()},
        note="mark repaired"),
    # A 无新增数据确认 speaks for one department: only its clerks file it (the office sees them on its pages).
    Row("department/nothing-new/", "GET", lambda a: "/department/nothing-new/", 403,
        logged_in(clerk_amr=200, clerk_tax=200)),
    Row("department/nothing-new/", "POST", lambda a: "/department/nothing-new/", 403,
        logged_in(clerk_amr=302, clerk_tax=302), data=lambda a: {"as_of": a.grant.valid_from.isoformat(), "kind": ""}),
    # -- credit office and audit -------------------------------------------------------------------
    Row("audit/", "GET", lambda a: "/audit/", 403, logged_in(auditor=200, office=200)),
    # -- data quality and rollout: the office everywhere, a clerk only their own department -----------
    Row("office/dashboard/", "GET", lambda a: "/office/dashboard/", 403, logged_in(office=200)),
    Row("office/dashboard/data.json", "GET", lambda a: "/office/dashboard/data.json", 403, logged_in(office=200)),
    Row("office/dashboard/recompute", "POST", lambda a: "/office/dashboard/recompute", 403, logged_in(office=200)),
    # -- objections, explanations, messages ----------------------------------------------------------
    Row("my/messages/", "GET", lambda a: "/my/messages/", 200, logged_in()),
    Row("my/messages/", "POST", lambda a: "/my/messages/", 302, logged_in(), note="mark all read"),
    Row("my/objections/", "GET", lambda a: "/my/objections/", 200, logged_in()),
    Row("my/entities/<str:code>/records/", "GET", lambda a: f"/my/entities/{a.entity_a.credit_code}/records/", 404,
        logged_in(entity_a_user=200)),
    Row("my/entities/<str:code>/objections/new/<str:kind>/<int:record_id>/", "GET",
        lambda a: f"/my/entities/{a.entity_a.credit_code}/objections/new/penalty/{a.penalty_amr.pk}/", 404,
        logged_in(entity_a_user=200)),
    Row("my/entities/<str:code>/objections/new/<str:kind>/<int:record_id>/", "POST",
        lambda a: f"/my/entities/{a.entity_a.credit_code}/objections/new/penalty/{a.penalty_amr.pk}/", 404,
        logged_in(entity_a_user=400), data=lambda a: {"reason": "other", "statement": "再次提出异议"},
        note="a second objection to the same record is refused"),
    Row("my/entities/<str:code>/objections/new/<str:kind>/<int:record_id>/", "GET",
        lambda a: f"/my/entities/{a.entity_a.credit_code}/objections/new/penalty/{a.penalty_tax.pk}/", 404,
        logged_in(), note="another entity's record"),
    Row("my/entities/<str:code>/explanations/new/<int:record_id>/", "POST",
        lambda a: f"/my/entities/{a.entity_a.credit_code}/explanations/new/{a.penalty_amr.pk}/", 404,
        logged_in(entity_a_user=302), data=lambda a: {"reason": "再次申请"}),
    Row("objections/<int:pk>/", "GET", lambda a: f"/objections/{a.objection.pk}/", 404,
        logged_in(entity_a_user=200, office=200, clerk_amr=200)),
    Row("objections/<int:pk>/", "POST", lambda a: f"/objections/{a.objection.pk}/", 404,
        logged_in(entity_a_user=403, office=403, clerk_amr=302),
        data=lambda a: {"action": "answer", "decision": "uphold", "note": "经核查，记录无误"},
        note="only the source department answers"),
    Row("objections/<int:pk>/evidence/<int:file_id>/", "GET",
        lambda a: f"/objections/{a.objection.pk}/evidence/{a.objection.evidence.get().pk}/", 404,
        logged_in(entity_a_user=200, office=200, clerk_amr=200)),
    Row("explanations/<int:pk>/", "GET", lambda a: f"/explanations/{a.explanation_request.pk}/", 404,
        logged_in(entity_a_user=200, office=200, clerk_amr=200)),
    Row("explanations/<int:pk>/", "POST", lambda a: f"/explanations/{a.explanation_request.pk}/", 404,
        logged_in(entity_a_user=403, office=403, clerk_amr=302),
        data=lambda a: {"category": "情节轻微", "text": "首次违法且及时改正", "signer": "兰州市市场监督管理局",
                        "signed_on": "2026-01-05"}, note="only the deciding department writes"),
    Row("office/objections/", "GET", lambda a: "/office/objections/", 403, logged_in(office=200)),
    # -- the catalogue of matters (应替尽替清单): public to read, the office keeps it --------------------
    Row("matters/", "GET", lambda a: "/matters/?q=采购", 200),
    Row("office/matters/", "GET", lambda a: "/office/matters/", 403, logged_in(office=200)),
    Row("office/matters/new/", "GET", lambda a: "/office/matters/new/", 403, logged_in(office=200)),
    Row("office/matters/new/", "POST", lambda a: "/office/matters/new/", 403, logged_in(office=302),
        data=lambda a: {"department": a.tax.pk, "name": "招标投标", "legal_basis": "通知", "all_domains": "on",
                        "is_active": "on"}),
    Row("office/matters/<int:pk>/", "GET", lambda a: f"/office/matters/{a_matter(a).pk}/", 403, logged_in(office=200)),
    Row("office/matters/<int:pk>/", "POST", lambda a: f"/office/matters/{a_matter(a).pk}/", 403, logged_in(office=302),
        data=lambda a: {"department": a.amr.pk, "name": "政府采购投标", "legal_basis": "采购文件", "all_domains": "on"},
        note="withdrawn from the list"),
    # -- feedback when a unit refuses the report: anyone files it, the office handles it -----------------
    Row("refusals/new/", "GET", lambda a: "/refusals/new/", 200),
    Row("refusals/new/", "POST", lambda a: "/refusals/new/", 200, data=refusal_form),
    Row("office/refusals/", "GET", lambda a: "/office/refusals/", 403, logged_in(office=200)),
    Row("office/refusals/<int:pk>/", "GET", lambda a: f"/office/refusals/{a_refusal(a).pk}/", 403, logged_in(office=200)),
    Row("office/refusals/<int:pk>/", "POST", lambda a: f"/office/refusals/{a_refusal(a).pk}/", 403, logged_in(office=302),
        data=lambda a: {"outcome": "accepted", "note": "已电话沟通，单位接受报告"}),
    Row("department/objections/", "GET", lambda a: "/department/objections/", 403,
        logged_in(clerk_amr=200, clerk_tax=200)),
    Row("office/calendar/", "GET", lambda a: "/office/calendar/", 403, logged_in(office=200)),
    Row("office/jobs/", "GET", lambda a: "/office/jobs/", 403, logged_in(office=200)),
    Row("office/jobs/<str:name>/run", "POST", lambda a: "/office/jobs/import_sweep/run", 403, logged_in(office=302)),
    Row("office/calendar/", "POST", lambda a: "/office/calendar/", 403, logged_in(office=400),
        data=lambda a: {"year": "2027"}, note="no file"),
    Row("office/quality/<slug:code>/scorecard/send", "POST", lambda a: "/office/quality/amr/scorecard/send", 403,
        logged_in(office=302), data=lambda a: {"month": "2026-01"}),
    Row("office/quality/", "GET", lambda a: "/office/quality/", 403, logged_in(office=200)),
    Row("office/quality/sources/", "GET", lambda a: "/office/quality/sources/", 403, logged_in(office=200)),
    Row("office/quality/statistics/", "GET", lambda a: "/office/quality/statistics/", 403, logged_in(office=200)),
    Row("office/quality/statistics.csv", "GET", lambda a: "/office/quality/statistics.csv", 403, logged_in(office=200)),
    Row("office/quality/statistics.xlsx", "GET", lambda a: "/office/quality/statistics.xlsx", 403,
        logged_in(office=200)),
    Row("office/quality/<slug:code>/scorecard.pdf", "GET", lambda a: "/office/quality/tax/scorecard.pdf", 403,
        logged_in(office=200)),
    Row("office/quality/<slug:code>/scorecard.xlsx", "GET", lambda a: "/office/quality/tax/scorecard.xlsx", 403,
        logged_in(office=200)),
    Row("office/quality/<slug:code>/rows/<slug:measure>/", "GET",
        lambda a: "/office/quality/tax/rows/required_filled/", 403, logged_in(office=200)),
    Row("department/quality/", "GET", lambda a: "/department/quality/", 404,
        logged_in(clerk_amr=302, clerk_tax=302, office=302)),
    Row("department/quality/<slug:code>/", "GET", lambda a: "/department/quality/tax/", 404,
        logged_in(clerk_tax=200, office=200)),
    Row("department/quality/<slug:code>/scorecard.pdf", "GET", lambda a: "/department/quality/tax/scorecard.pdf",
        404, logged_in(clerk_tax=200, office=200)),
    Row("department/quality/<slug:code>/scorecard.xlsx", "GET", lambda a: "/department/quality/tax/scorecard.xlsx",
        404, logged_in(clerk_tax=200, office=200)),
    Row("department/quality/<slug:code>/rows/<slug:measure>/", "GET",
        lambda a: "/department/quality/tax/rows/required_filled/", 404, logged_in(clerk_tax=200, office=200)),
    # -- the office's account console: the office only; ordinary accounts only (least privilege) ------
    Row("office/accounts/", "GET", lambda a: "/office/accounts/?q=bank", 403, logged_in(office=200)),
    Row("office/accounts/new", "GET", lambda a: "/office/accounts/new", 403, logged_in(office=200)),
    Row("office/accounts/new", "POST", lambda a: "/office/accounts/new", 403, logged_in(office=200),
        data=lambda a: {"username": "bank-2", "role": "member", "organisation": a.grant.organisation_id},
        note="shows the one-time password"),
    Row("office/accounts/<int:user_id>/", "GET", lambda a: f"/office/accounts/{a.users['outsider'].pk}/", 403,
        logged_in(office=200)),
    Row("office/accounts/<int:user_id>/", "POST", lambda a: f"/office/accounts/{a.users['outsider'].pk}/", 403,
        logged_in(office=302), data=lambda a: {"role": "member", "organisation": a.grant.organisation_id}),
    Row("office/accounts/<int:user_id>/", "POST", lambda a: f"/office/accounts/{a.users['office'].pk}/", 403,
        data=lambda a: {"role": "clerk", "department": a.amr.pk}, only=logged_in(),
        note="a staff account, the office's own: for the administrator only"),
    Row("office/accounts/<int:user_id>/active", "POST", lambda a: f"/office/accounts/{a.users['bank'].pk}/active", 403,
        logged_in(office=302), data=lambda a: {"active": "0"}),
    Row("office/accounts/<int:user_id>/active", "POST", lambda a: f"/office/accounts/{a.users['auditor'].pk}/active",
        403, logged_in(), data=lambda a: {"active": "0"}, note="an account with a permission of its own"),
    Row("office/accounts/<int:user_id>/password", "POST",
        lambda a: f"/office/accounts/{a.users['clerk_amr'].pk}/password", 403, logged_in(office=200)),
    Row("office/accounts/<int:user_id>/password", "POST",
        lambda a: f"/office/accounts/{a.users['office'].pk}/password", 403, logged_in(), note="the office's own"),
    Row("office/accounts/<int:user_id>/", "GET", lambda a: "/office/accounts/999999/", 403, logged_in(office=404),
        note="no such account"),
    Row("office/organisations/", "GET", lambda a: "/office/organisations/", 403, logged_in(office=200)),
    Row("office/organisations/", "POST", lambda a: "/office/organisations/", 403, logged_in(office=302),
        data=lambda a: {"name": "兰州测试审批局", "kind": "agency", "active": "on"}),
    Row("office/organisations/<int:org_id>/", "GET", lambda a: f"/office/organisations/{a.grant.organisation_id}/",
        403, logged_in(office=200)),
    Row("office/organisations/<int:org_id>/", "POST", lambda a: f"/office/organisations/{a.grant.organisation_id}/",
        403, logged_in(office=302), data=lambda a: {"name": "兰州测试银行", "kind": "bank", "active": ""},
        note="deactivate"),
    # -- the API: documentation ----------------------------------------------------------------------
    Row("api/v1/", "GET", lambda a: "/api/v1/", 404),
    Row("api/v1/openapi.json", "GET", lambda a: "/api/v1/openapi.json", 200),
    Row("api/v1/docs", "GET", lambda a: "/api/v1/docs", 200),
    # -- the API: entities (records: office and the entity's users; reports: also grantees) ----------
    Row("GET /api/v1/entities/{code}", "GET", lambda a: f"/api/v1/entities/{a.entity_a.credit_code}", 403,
        api_auth(entity_a_user=200, office=200, office_token=200)),
    Row("GET /api/v1/entities/{code}/records", "GET",
        lambda a: f"/api/v1/entities/{a.entity_a.credit_code}/records", 403,
        api_auth(entity_a_user=200, office=200, office_token=200)),
    Row("GET /api/v1/entities/{code}/reports", "GET",
        lambda a: f"/api/v1/entities/{a.entity_a.credit_code}/reports", 403,
        api_auth(entity_a_user=200, office=200, office_token=200, bank=200)),
    # -- the API: imports (a clerk's own department only; tokens need imports:write) -----------------
    Row("POST /api/v1/imports", "POST", lambda a: "/api/v1/imports", 403, api_auth(clerk_tax=200, office=200),
        data=upload("tax"), note="into tax"),
    Row("POST /api/v1/imports", "POST", lambda a: "/api/v1/imports", 403,
        api_auth(clerk_amr=200, office=200, amr_token=200), data=upload("amr"), note="into amr"),
    Row("GET /api/v1/imports/{batch_id}", "GET", lambda a: f"/api/v1/imports/{a.batch_tax.pk}", 404,
        api_auth(clerk_tax=200, office=200, office_token=403)),
    Row("GET /api/v1/imports/{batch_id}", "GET", lambda a: f"/api/v1/imports/{a.batch_amr.pk}", 404,
        api_auth(clerk_amr=200, amr_token=200, office=200, office_token=403), note="amr's batch"),
    Row("GET /api/v1/imports/{batch_id}/errors", "GET", lambda a: f"/api/v1/imports/{a.batch_tax.pk}/errors", 404,
        api_auth(clerk_tax=200, office=200, office_token=403)),
    Row("GET /api/v1/imports/{batch_id}/rejected", "GET",
        lambda a: f"/api/v1/imports/{a.batch_tax.pk}/rejected?format=xlsx", 404,
        api_auth(clerk_tax=200, office=200, office_token=403)),
    # A 无新增数据确认 is a clerk's, for their own department (tokens need imports:write, as for imports).
    Row("POST /api/v1/nothing-new", "POST", lambda a: "/api/v1/nothing-new", 403,
        api_auth(clerk_amr=201, clerk_tax=201, amr_token=201),
        data=lambda a: {"as_of": a.grant.valid_from.isoformat(), "kind": "penalty"}, json=True),
    # -- the API: reports (by number: others get 404; tokens need reports:read / reports:write) ------
    Row("POST /api/v1/reports", "POST", lambda a: "/api/v1/reports", 403, api_auth(entity_a_user=201, office=201),
        data=lambda a: {"credit_code": a.entity_a.credit_code, "domains": ["market-regulation"]}, json=True),
    # A group batch: the authorised group's users (and their tokens with reports:write) apply; the ZIP is the
    # group's and the office's. The group's users also read the batch's reports by number.
    Row("POST /api/v1/reports/groups", "POST", lambda a: "/api/v1/reports/groups", 403, api_auth(entity_a_user=201),
        data=group_request, json=True),
    Row("GET /api/v1/reports/groups/{token}/zip", "GET",
        lambda a: f"/api/v1/reports/groups/{group_batch_of_a(a).token}/zip", 404,
        api_auth(entity_a_user=200, office=200, office_token=200, amr_token=403)),
    Row("GET /api/v1/reports/{number}", "GET",
        lambda a: f"/api/v1/reports/{a.report_b.number}" if group_batch_of_a(a) else "", 404,
        api_auth(entity_a_user=200, entity_b_user=200, office=200, office_token=200, amr_token=403),
        note="B's report in A's group batch"),
    Row("GET /api/v1/reports/{number}", "GET", lambda a: f"/api/v1/reports/{a.report_a.number}", 404,
        api_auth(entity_a_user=200, bank=200, office=200, office_token=200, amr_token=403)),
    Row("GET /api/v1/reports/{number}/pdf", "GET", lambda a: f"/api/v1/reports/{a.report_a.number}/pdf", 404,
        api_auth(entity_a_user=200, bank=200, office=200, office_token=200, amr_token=403)),
    Row("GET /api/v1/reports/{number}/verifications", "GET",
        lambda a: f"/api/v1/reports/{a.report_a.number}/verifications", 404,
        api_auth(entity_a_user=200, bank=200, office=200, office_token=200, amr_token=403)),
    Row("GET /api/v1/reports/{number}", "GET", lambda a: f"/api/v1/reports/{a.report_b.number}", 404,
        api_auth(entity_b_user=200, office=200, office_token=200, amr_token=403), note="B's report"),
    Row("GET /api/v1/reports/{number}/pdf", "GET", lambda a: f"/api/v1/reports/{a.report_b.number}/pdf", 404,
        api_auth(entity_b_user=200, office=200, office_token=200, amr_token=403), note="B's report"),
    Row("GET /api/v1/reports/{number}/verifications", "GET",
        lambda a: f"/api/v1/reports/{a.report_b.number}/verifications", 404,
        api_auth(entity_b_user=200, office=200, office_token=200, amr_token=403), note="B's report"),
    Row("GET /api/v1/reports/{number}", "GET", lambda a: "/api/v1/reports/NO-SUCH-REPORT", 404,
        api_auth(amr_token=403), note="no such report"),
    Row("POST /api/v1/reports/{number}/revoke", "POST", lambda a: f"/api/v1/reports/{a.report_a.number}/revoke", 403,
        api_auth(office=200), data=lambda a: {"reason": "信息有误"}, json=True),
    # -- the API: verification and the catalogue are public; a bad token there is simply not looked at ---
    Row("GET /api/v1/matters", "GET", lambda a: "/api/v1/matters?q=采购", 200),
    Row("GET /api/v1/matters/{matter_id}", "GET", lambda a: f"/api/v1/matters/{a_matter(a).pk}", 200),
    Row("GET /api/v1/verify/{code}", "GET", lambda a: f"/api/v1/verify/{a.report_a.verification_code}", 200),
    Row("POST /api/v1/verify/file", "POST", lambda a: "/api/v1/verify/file", 400, data=not_a_pdf),
]


def _url_routes(patterns, prefix: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _url_routes(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern)


def api_operations() -> set[str]:
    """Every API operation as "METHOD /api/v1/path", e.g. "GET /api/v1/reports/{number}"."""
    ops: set[str] = set()
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                ops.update(f"{m} /{API_PREFIX}{prefix.strip('/')}{path}".replace("//", "/") for m in op.methods)
    return ops


def url_routes() -> set[str]:
    """Every URL pattern outside the admin, except those that are the paths of API operations."""
    op_paths = {op.split(" ", 1)[1].lstrip("/").replace("{", "<").replace("}", ">") for op in api_operations()}
    return {r for r in _url_routes(get_resolver().url_patterns)
            if not r.startswith(ADMIN_PREFIX) and r not in op_paths}


def test_every_route_is_in_the_matrix():
    covered = {row.route for row in ROWS}
    missing = sorted((url_routes() | api_operations()) - covered)
    assert not missing, f"routes without a row in the access matrix: {missing}"
    stale = sorted(covered - url_routes() - api_operations())
    assert not stale, f"rows for routes that no longer exist: {stale}"


def _request(a: Actors, row: Row, actor: str):
    client = a.client(actor)
    url = row.url(a)
    if row.method == "GET":
        return client.get(url)
    data = row.data(a) if row.data else {}
    if row.json:
        return client.post(url, data, content_type="application/json")
    return client.post(url, data)


# Rows whose requests issue a report or render a scorecard: real PDFs (`make test-quick` leaves them out).
PDF_ROWS = {"POST /api/v1/reports", "POST /api/v1/reports/groups", "GET /office/quality/<slug:code>/scorecard.pdf",
            "GET /department/quality/<slug:code>/scorecard.pdf", "POST /office/quality/<slug:code>/scorecard/send"}
assert {r.id for r in ROWS} >= PDF_ROWS, PDF_ROWS - {r.id for r in ROWS}


@pytest.mark.django_db
@pytest.mark.parametrize("row", [pytest.param(r, id=r.id, marks=[pytest.mark.pdf] if r.id in PDF_ROWS else [])
                                 for r in ROWS])
def test_access(actors, row: Row):  # noqa: F811
    people = SESSION_ACTORS + (TOKEN_ACTORS if row.api else ())
    wrong = []
    for actor in people:
        # Each actor starts from the same data: whatever one of them changed is rolled back.
        with transaction.atomic():
            response = _request(actors, row, actor)
            transaction.set_rollback(True)
        expected = row.expected(actor)
        if response.status_code != expected:
            wrong.append(f"{actor}: expected {expected}, got {response.status_code}")
        elif expected == 302 and actor == ANONYMOUS and row.only.get(ANONYMOUS) == 302 and row.default != 302:
            assert response["Location"].startswith("/accounts/login/"), (actor, response["Location"])
    assert not wrong, f"{row.id}:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_the_admin_is_for_office_staff_only(actors):  # noqa: F811
    """Every admin page sends everyone but staff to the admin login; for the office none of them fails."""
    urls = []
    for r in sorted(r for r in _url_routes(get_resolver().url_patterns) if r.startswith(ADMIN_PREFIX)):
        if r in ("admin/login/", "admin/logout/", "admin/(?P<url>.*)$") or r.startswith("admin/r/"):
            continue  # the login itself, logout (POST), the catch-all redirect and the view-on-site shortcut
        if "(?P<app_label>" in r:  # one index page per app
            apps = re.search(r"\(\?P<app_label>([\w|]+)\)", r).group(1).split("|")
            urls += [f"/admin/{app}/" for app in apps]
            continue
        urls.append("/" + re.sub(r"<[^>]+>", "999999", r))
    assert len(urls) > 20
    outsider, office = actors.client("clerk_amr"), actors.client("office")
    for url in urls:
        response = outsider.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
        assert office.get(url).status_code < 500, url
    assert office.get("/admin/").status_code == 200
    assert office.get("/admin/audit/auditentry/").status_code == 200


# -- what an allowed page shows: one's own objects, never those of others ------------------------------

@pytest.mark.django_db
def test_a_clerk_lists_only_their_own_departments_batches_and_records(actors):  # noqa: F811
    clerk = actors.client("clerk_amr")
    records = clerk.get("/department/records/").content.decode()
    assert actors.penalty_amr.decision_no in records and actors.penalty_tax.decision_no not in records
    found = clerk.get("/department/records/", {"q": actors.penalty_tax.decision_no}).content.decode()
    assert f"/department/records/penalty/{actors.penalty_tax.pk}/" not in found
    imports = clerk.get("/imports/").content.decode()
    assert f"/imports/{actors.batch_amr.pk}/" in imports and f"/imports/{actors.batch_tax.pk}/" not in imports
    office = actors.client("office").get("/department/records/").content.decode()
    assert actors.penalty_amr.decision_no in office and actors.penalty_tax.decision_no in office


@pytest.mark.django_db
def test_a_clerk_cannot_revoke_another_departments_record(actors):  # noqa: F811
    response = actors.client("clerk_amr").post(f"/department/records/penalty/{actors.penalty_tax.pk}/",
                                               {"action": "revoke", "reason": "不是本部门的记录"})
    assert response.status_code == 404
    before = (actors.penalty_tax.status, actors.penalty_tax.version)
    actors.penalty_tax.refresh_from_db()
    assert (actors.penalty_tax.status, actors.penalty_tax.version) == before


@pytest.mark.django_db
def test_a_token_cannot_import_for_another_department(actors):  # noqa: F811
    response = actors.client("amr_token").post("/api/v1/imports", upload("tax")(actors))
    assert response.status_code == 403
    assert not actors.batch_tax.department.importbatch_set.exclude(pk=actors.batch_tax.pk).exists()


@pytest.mark.django_db
def test_the_portal_shows_an_entity_user_only_their_own_reports(actors):  # noqa: F811
    page = actors.client("entity_b_user").get("/my/").content.decode()
    assert actors.report_b.number in page and actors.report_a.number not in page
    bank = actors.client("bank").get("/my/").content.decode()
    assert actors.report_a.number in bank and actors.report_b.number not in bank
    listed = actors.client("office_token").get(f"/api/v1/entities/{actors.entity_b.credit_code}/reports").json()
    assert [r["number"] for r in listed] == [actors.report_b.number]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["expired_token", "revoked_token"])
def test_an_expired_or_revoked_token_is_refused_even_with_a_session(actors, name):  # noqa: F811
    client = actors.client(name)
    client.force_login(actors.users["office"])
    response = client.get(f"/api/v1/reports/{actors.report_a.number}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert response.json() == {"detail": "令牌无效、已过期或已撤销"}


@pytest.mark.django_db
def test_the_api_says_the_same_for_anothers_report_and_for_none(actors):  # noqa: F811
    client = actors.client("entity_a_user")
    theirs = client.get(f"/api/v1/reports/{actors.report_b.number}")
    missing = client.get("/api/v1/reports/LZXY-19990101-000001")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


@pytest.mark.django_db
def test_the_public_entity_page_does_not_tell_which_reports_exist(actors):  # noqa: F811
    page = actors.client(ANONYMOUS).get(f"/entities/{actors.entity_b.credit_code}/").content.decode()
    assert actors.report_b.number not in page
