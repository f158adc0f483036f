"""Every POST form and API body, sent hostile values by the actor it is meant for (issue 11, point 6).

NUL and other control characters, NaN, Infinity, 1e30, 10,000-character strings, impossible dates and
negative amounts, one field at a time in an otherwise valid submission: the answer is never a 500,
and the data is exactly as before. Each form's valid submission is sent too, and must change the
data, so that the fingerprint below is known to see a change.
"""

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from cleanrecord.records.models import Penalty
from cleanrecord.records.tests.uploads import penalty_csv
from cleanrecord.reports.tests.factories import penalty

from .actors import Actors, actors  # noqa: F401

LONG = "长" * 10_000
TEXT = {"NUL": "异议\x00理由内容", "ESC": "异议\x1b理由内容", "10000 chars": LONG, "only NUL": "\x00"}
NUMBER = {"NaN": "NaN", "Infinity": "Infinity", "-Infinity": "-Infinity", "1e30": "1e30", "negative": "-5",
          "NUL": "0.3\x00", "10000 digits": "9" * 10_000}
DATE = {"NaN": "NaN", "Infinity": "Infinity", "1e30": "1e30", "30 February": "2025-02-30", "year 0": "0000-01-01",
        "year 99999": "99999-01-01", "NUL": "2025-01-01\x00", "10000 chars": "2" * 10_000, "negative": "-2025-01-01"}
CHOICE = {**TEXT, "NaN": "NaN", "1e30": "1e30", "unknown": "no-such-choice"}
KINDS = {"text": TEXT, "number": NUMBER, "date": DATE, "choice": CHOICE}

# The tables a form may change. Audit entries are left out: a refused login is rightly audited.
TABLES = ("records.Penalty", "records.RecordVersion", "records.ImportBatch", "records.ImportProfile", "objections.Objection",
          "objections.ObjectionEvent", "objections.Evidence", "objections.ExplanationRequest",
          "objections.SeverityExplanation", "accounts.ReportGrant", "accounts.ApiToken", "accounts.Notification",
          "accounts.Organisation", "accounts.OrganisationMember", "accounts.DepartmentClerk",
          "reports.Report", "workdays.CalendarYear", "workdays.CalendarDay")


def fingerprint() -> dict:
    return {label: list(apps.get_model(label).objects.order_by("pk").values_list()) for label in TABLES}


@dataclasses.dataclass
class World:
    a: Actors
    fresh: Penalty  # a penalty of entity A with no objection or explanation request yet
    admin: User


@dataclasses.dataclass(frozen=True)
class Form:
    name: str
    actor: str
    url: Callable[[World], str]
    valid: Callable[[World], dict]
    fields: dict[str, str]  # field → kind of hostile values
    files: Callable[[World], dict] | None = None  # multipart with these files
    json: bool = False
    changes: bool = True  # whether the valid submission changes data (a failed login changes none)


def _pdf(w: World) -> dict:
    return {"evidence": SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                                           "application/pdf")}


def _calendar(w: World) -> dict:
    return {"file": SimpleUploadedFile("2027.csv", "日期,类型,节日\n2027-01-01,放假,元旦\n".encode(), "text/csv")}


def _upload(w: World) -> dict:
    csv = penalty_csv(w.a.tax, {"code": w.a.entity_b.credit_code, "name": w.a.entity_b.name, "no": "兰税罚〔2026〕99号"})
    return {"file": SimpleUploadedFile("p.csv", csv, "text/csv")}


TODAY = timezone.localdate


FORMS = [
    # The upload answers with a preview and writes nothing; 确认导入 is a token only.
    Form("import upload", "clerk_tax", lambda w: "/imports/", lambda w: {"kind": "penalty", "department": "tax"},
         {"kind": "choice", "department": "text", "profile": "text"}, files=_upload, changes=False),
    Form("import profile", "clerk_tax", lambda w: "/imports/profiles/new",
         lambda w: {"department": "tax", "kind": "listing", "name": "税务名单",
                    "spec": '{"constants": {"列入日期": "2024-01-01"}}'},
         {"department": "choice", "kind": "choice", "name": "text", "spec": "text"}),
    Form("record revoke", "clerk_tax", lambda w: f"/department/records/penalty/{w.a.penalty_tax.pk}/",
         lambda w: {"action": "revoke", "reason": "行政复议撤销"}, {"reason": "text", "action": "choice"}),
    Form("record correct amount", "clerk_tax", lambda w: f"/department/records/penalty/{w.a.penalty_tax.pk}/",
         lambda w: {"action": "correct", "field": "fine_wan", "value": "0.3", "reason": "金额有误"},
         {"value": "number", "field": "choice", "reason": "text"}),
    Form("record correct date", "clerk_tax", lambda w: f"/department/records/penalty/{w.a.penalty_tax.pk}/",
         lambda w: {"action": "correct", "field": "decided_on", "value": (TODAY() - dt.timedelta(days=3)).isoformat(),
                    "reason": "日期有误"}, {"value": "date"}),
    Form("record correct text", "clerk_tax", lambda w: f"/department/records/penalty/{w.a.penalty_tax.pk}/",
         lambda w: {"action": "correct", "field": "violation_type", "value": "未按规定申报", "reason": "类型有误"},
         {"value": "text"}),
    Form("record repair", "clerk_tax", lambda w: f"/department/records/penalty/{w.a.penalty_tax.pk}/",
         lambda w: {"action": "repair", "decision": "兰税修〔2026〕1号", "repaired_on": TODAY().isoformat()},
         {"decision": "text", "repaired_on": "date"}),
    Form("report grant", "entity_a_user", lambda w: f"/my/entities/{w.a.entity_a.credit_code}/grants",
         lambda w: {"organisation": str(w.a.grant.organisation_id), "valid_from": TODAY().isoformat(),
                    "valid_until": (TODAY() + dt.timedelta(days=30)).isoformat()},
         {"organisation": "choice", "valid_from": "date", "valid_until": "date"}),
    Form("office: new account", "office", lambda w: "/office/accounts/new",
         lambda w: {"username": "new-bank-member", "full_name": "张三", "email": "z@example.org", "role": "member",
                    "organisation": str(w.a.grant.organisation_id)},
         {"username": "text", "full_name": "text", "email": "text", "role": "choice", "department": "choice",
          "organisation": "choice"}),
    Form("office: bind role", "office", lambda w: f"/office/accounts/{w.a.users['outsider'].pk}/",
         lambda w: {"role": "clerk", "department": str(w.a.amr.pk)},
         {"role": "choice", "department": "choice", "organisation": "choice"}),
    Form("office: new organisation", "office", lambda w: "/office/organisations/",
         lambda w: {"name": "兰州测试审批局", "kind": "agency", "credit_code": "11620100MB1234567X", "active": "on"},
         {"name": "text", "kind": "choice", "credit_code": "text"}),  # active: a checkbox, any value ticks it
    Form("office: organisation", "office", lambda w: f"/office/organisations/{w.a.grant.organisation_id}/",
         lambda w: {"name": "兰州测试银行（改名）", "kind": "bank", "credit_code": "", "active": "on"},
         {"name": "text", "kind": "choice", "credit_code": "text"}),
    Form("objection", "entity_a_user",
         lambda w: f"/my/entities/{w.a.entity_a.credit_code}/objections/new/penalty/{w.fresh.pk}/",
         lambda w: {"reason": "other", "statement": "该处罚决定已被复议撤销", "report_number": w.a.report_a.number},
         {"reason": "choice", "statement": "text", "report_number": "text"}, files=_pdf),
    Form("explanation request", "entity_a_user",
         lambda w: f"/my/entities/{w.a.entity_a.credit_code}/explanations/new/{w.fresh.pk}/",
         lambda w: {"reason": "投标需要"}, {"reason": "text"}),
    Form("objection answer", "clerk_amr", lambda w: f"/objections/{w.a.objection.pk}/",
         lambda w: {"action": "answer", "decision": "correct", "note": "经核查，罚款金额更正", "field_fine_wan": "0.3"},
         {"note": "text", "decision": "choice", "action": "choice", "field_fine_wan": "number",
          "field_decided_on": "date", "field_violation_type": "text", "repair_decision": "text"}),
    Form("objection answer with repair", "clerk_amr", lambda w: f"/objections/{w.a.objection.pk}/",
         lambda w: {"action": "answer", "decision": "correct", "note": "已信用修复", "repair_decision": "兰市监修〔2026〕1号",
                    "repaired_on": TODAY().isoformat()}, {"repaired_on": "date"}),
    Form("explanation", "clerk_amr", lambda w: f"/explanations/{w.a.explanation_request.pk}/",
         lambda w: {"category": "情节轻微", "text": "首次违法且及时改正", "signer": "兰州市市场监督管理局",
                    "signed_on": TODAY().isoformat()},
         {"category": "choice", "text": "text", "signer": "text", "signed_on": "date"}),
    Form("calendar upload", "office", lambda w: "/office/calendar/", lambda w: {"year": "2027", "note": "国务院通知"},
         {"year": "number", "note": "text"}, files=_calendar),
    Form("report request", "entity_a_user", lambda w: f"/entities/{w.a.entity_a.credit_code}/report/",
         lambda w: {"scope": "some", "domains": "market-regulation", "start": (TODAY() - dt.timedelta(days=365)).isoformat(),
                    "end": TODAY().isoformat(), "purpose": "finance", "purpose_text": "银行贷款"},
         {"start": "date", "end": "date", "purpose": "choice", "purpose_text": "text", "domains": "choice"}),
    Form("scorecard send", "office", lambda w: "/office/quality/amr/scorecard/send", lambda w: {"month": "2026-01"},
         {"month": "date"}, changes=False),
    Form("login", "anonymous", lambda w: "/accounts/login/", lambda w: {"username": "outsider", "password": "x"},
         {"username": "text", "password": "text"}, changes=False),
    Form("API token (admin)", "admin", lambda w: "/admin/accounts/apitoken/add/",
         lambda w: {"name": "对接令牌", "owner": str(w.a.users["clerk_amr"].pk), "scopes": "imports:write", "days": "30"},
         {"name": "text", "owner": "number", "scopes": "choice", "days": "number"}),
    Form("API report", "entity_a_user", lambda w: "/api/v1/reports",
         lambda w: {"credit_code": w.a.entity_a.credit_code, "domains": ["market-regulation"], "purpose": "finance",
                    "purpose_text": "银行贷款"},
         {"credit_code": "text", "domains": "choice", "start": "date", "end": "date", "purpose": "choice",
          "purpose_text": "text"}, json=True),
    Form("API report revoke", "office", lambda w: f"/api/v1/reports/{w.a.report_a.number}/revoke",
         lambda w: {"reason": "信息有误"}, {"reason": "text"}, json=True),
    Form("API import", "clerk_tax", lambda w: "/api/v1/imports", lambda w: {"kind": "penalty", "department": "tax"},
         {"kind": "choice", "department": "text"}, files=_upload),
]


def _client(w: World, actor: str) -> Client:
    if actor == "admin":
        client = Client()
        client.force_login(w.admin)
    else:
        client = w.a.client(actor)
    client.raise_request_exception = False  # a crash is a 500 to look at, not an exception here
    return client


def _post(w: World, form: Form, data: dict):
    client = _client(w, form.actor)
    url = form.url(w)
    if form.json:
        return client.post(url, json.dumps(data, ensure_ascii=False), content_type="application/json")
    if form.files is not None:
        return client.post(url, {**data, **form.files(w)})  # multipart, as the page's form sends it
    return client.post(url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")


@pytest.fixture
def world(actors):  # noqa: F811
    fresh = penalty(actors.entity_a, TODAY() - dt.timedelta(days=30), decision_no="兰市监罚〔2026〕敌意测试1号")
    admin = User.objects.create_superuser("hostile-admin", "admin@example.org", None)
    return World(actors, fresh, admin)


def _json_value(kind: str, value: str):
    """The JSON value to send: numbers as numbers where JSON has them, NaN and Infinity as the bare words
    Python's parser accepts."""
    if kind in ("number", "date") and value in ("NaN", "Infinity", "-Infinity", "1e30", "-5"):
        return float(value)
    return value


# Forms whose accepted values issue a report or render a scorecard: real PDFs (`make test-quick` leaves them out).
PDF_FORMS = {"report request", "scorecard send", "API report"}
assert {f.name for f in FORMS} >= PDF_FORMS, PDF_FORMS - {f.name for f in FORMS}


@pytest.mark.django_db
@pytest.mark.parametrize("form", [pytest.param(f, id=f.name, marks=[pytest.mark.pdf] if f.name in PDF_FORMS else [])
                                  for f in FORMS])
def test_hostile_values_are_refused_without_a_500_and_change_nothing(world, form):
    w = world
    before = fingerprint()
    with transaction.atomic():
        response = _post(w, form, form.valid(w))
        assert response.status_code < 400, (response.status_code, response.content.decode()[:2000])
        if form.changes:
            assert fingerprint() != before, "the valid submission changed nothing: the check below would see nothing"
        transaction.set_rollback(True)

    wrong = []
    for field, kind in form.fields.items():
        for label, value in KINDS[kind].items():
            data = {**form.valid(w), field: _json_value(kind, value) if form.json else value}
            with transaction.atomic():
                response = _post(w, form, data)
                status = response.status_code
                changed = status < 500 and fingerprint() != before
                transaction.set_rollback(True)
            if status >= 500 or changed or (status >= 400 and not _chinese(response)):
                wrong.append(f"{field}={label}: {status}{' data changed' if changed else ''} "
                             f"{response.content.decode(errors='replace')[:300]!r}")
    assert not wrong, f"{form.name}:\n" + "\n".join(wrong)


def _chinese(response) -> bool:
    """A refusal says what is wrong in Chinese (HTML pages and JSON alike)."""
    text = response.content.decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        text = json.dumps(response.json(), ensure_ascii=False)
    return any("\u4e00" <= c <= "\u9fff" for c in text)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/entities/%00/", "/entities/?q=%00", "/verify?code=%00", "/verify/%00",
                                  "/reports/%00/", "/department/records/?q=a%00b", "/api/v1/verify/%00",
                                  "/api/v1/entities/%00", "/entities/?q=%1b", "/office/quality/?month=%00"])
def test_a_nul_in_a_path_or_query_is_a_400_with_a_chinese_message(world, path):
    response = _client(world, "office").get(path)
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


@pytest.mark.django_db
def test_a_nul_in_a_cookie_is_a_400(world):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/").status_code == 400


@pytest.mark.django_db
def test_a_correction_refused_says_why_next_to_the_field_and_keeps_the_record(world):
    a = world.a
    url = f"/department/records/penalty/{a.penalty_tax.pk}/"
    client = _client(world, "clerk_tax")
    for value, reason in (("NaN", "金额应为数字"), ("1e30", "金额应为数字"), ("-5", "金额不能为负数"),
                          ("99999999999999", "金额过大"), ("2000000", "金额超出合理范围")):
        response = client.post(url, {"action": "correct", "field": "fine_wan", "value": value, "reason": "更正"})
        html = response.content.decode()
        assert response.status_code == 400 and reason in html, value
        # The message sits next to the field it is about: after the value's input, before the reason's.
        assert html.index('name="value"') < html.index('id="correct-value_error"') < html.index('name="reason"')
    response = client.post(url, {"action": "correct", "field": "violation_type", "value": "长" * 501, "reason": "更正"})
    assert response.status_code == 400 and "内容过长（501 字，最多 500 字）" in response.content.decode()
    response = client.post(url, {"action": "correct", "field": "decided_on", "value": "2025-02-30", "reason": "更正"})
    assert response.status_code == 400 and "日期格式应为 YYYY-MM-DD" in response.content.decode()
    a.penalty_tax.refresh_from_db()
    assert (a.penalty_tax.version, a.penalty_tax.fine_wan) == (1, None)


@pytest.mark.django_db
def test_the_api_says_in_chinese_which_field_is_wrong(world):
    client = _client(world, "entity_a_user")
    body = {"credit_code": world.a.entity_a.credit_code, "start": "2025-02-30", "purpose_text": "长" * 201}
    response = client.post("/api/v1/reports", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "start应为日期（YYYY-MM-DD）" in detail and "purpose_text过长（最多 200）" in detail
    response = client.post("/api/v1/reports", '{"credit_code": "x\\u0000y"}', content_type="application/json")
    assert response.status_code == 400 and "控制字符" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("route", ["/imports/", "/api/v1/imports"])
def test_an_upload_named_with_a_nul_or_10000_characters_is_refused_or_named_safely(world, route):
    for name in ("p\x00.csv", "长" * 10_000 + ".csv"):
        upload = _upload(world)["file"]
        upload.name = name
        response = _client(world, "clerk_tax").post(route, {"kind": "penalty", "department": "tax", "file": upload})
        assert response.status_code < 500, (name[:10], response.status_code)
        if response.status_code < 400:  # taken: under a name the database and the pages can hold
            batch = apps.get_model("records.ImportBatch").objects.latest("pk")
            assert "\x00" not in batch.file_name and len(batch.file_name) <= 255


@pytest.mark.django_db
def test_json_nested_thousands_deep_is_a_400_not_a_500(world):
    body = "[" * 100_000 + "]" * 100_000
    response = _client(world, "entity_a_user").post("/api/v1/reports", body, content_type="application/json")
    assert 400 <= response.status_code < 500
