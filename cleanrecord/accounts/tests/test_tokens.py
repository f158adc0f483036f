"""API tokens: they act for their owner, within their scopes, until they expire or are revoked."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from cleanrecord.accounts.models import ApiToken
from cleanrecord.accounts.tokens import create_token, revoke_token
from cleanrecord.audit.models import AuditEntry
from cleanrecord.records.models import ImportBatch, Penalty
from cleanrecord.records.tests.uploads import COMPANY, penalty_csv
from cleanrecord.reports.models import Report
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import entity, penalty

INVALID = "令牌无效、已过期或已撤销"


def bearer(user, scopes: str, **kwargs) -> dict:
    _token, text = create_token(owner=user, name="对接系统", scopes=scopes, **kwargs)
    return {"Authorization": f"Bearer {text}"}


def post_import(client, headers: dict, content: bytes, **fields):
    return client.post("/api/v1/imports", {"kind": "penalty", "file": SimpleUploadedFile("p.csv", content), **fields},
                       headers=headers)


@pytest.fixture
def company(db):
    e = entity(name="兰州令牌测试有限公司")
    penalty(e, timezone.localdate() - dt.timedelta(days=30), decision_no="兰市监罚〔2026〕9号")
    return e


@pytest.mark.django_db
def test_a_clerk_token_imports_into_its_own_department_only(client, bob, amr, tax):
    headers = bearer(bob, "imports:write,reports:read")
    response = post_import(client, headers, penalty_csv(amr, {}))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["department"], body["rows_created"]) == ("amr", 1)
    batch = ImportBatch.objects.get()
    assert (batch.user, batch.channel) == (bob, "api")
    assert client.get(f"/api/v1/imports/{body['id']}", headers=headers).json()["rows_created"] == 1

    response = post_import(client, headers, penalty_csv(tax, {"no": "兰税罚〔2025〕1号"}), department="tax")
    assert response.status_code == 403
    assert response.json()["detail"] == "无权为该部门导入数据"
    assert Penalty.objects.count() == 1
    # reports:read does not make a clerk the credit office
    assert client.get(f"/api/v1/entities/{COMPANY}", headers=headers).status_code == 403


@pytest.mark.django_db
def test_a_token_without_imports_write_cannot_import_or_read_batches(client, bob, amr):
    client.force_login(bob)
    batch_id = post_import(client, {}, penalty_csv(amr, {})).json()["id"]
    client.logout()
    headers = bearer(bob, "reports:read")
    response = post_import(client, headers, penalty_csv(amr, {"no": "兰市监罚〔2025〕2号"}))
    assert response.status_code == 403
    assert "imports:write" in response.json()["detail"]
    assert client.get(f"/api/v1/imports/{batch_id}", headers=headers).status_code == 403
    assert client.get(f"/api/v1/imports/{batch_id}/errors", headers=headers).status_code == 403
    assert Penalty.objects.count() == 1


@pytest.mark.pdf
@pytest.mark.django_db
def test_an_office_token_reads_entities_and_reports_but_cannot_issue_or_revoke(client, alice, company):
    report = issue_report(credit_code=company.credit_code, domains=["market-regulation"], purpose="finance")
    headers = bearer(alice, "reports:read")
    code = company.credit_code
    assert client.get(f"/api/v1/entities/{code}", headers=headers).json()["name"] == "兰州令牌测试有限公司"
    records = client.get(f"/api/v1/entities/{code}/records", headers=headers).json()["records"]
    assert records["penalty"][0]["decision_no"] == "兰市监罚〔2026〕9号"
    assert [r["number"] for r in client.get(f"/api/v1/entities/{code}/reports", headers=headers).json()] == [
        report.number]
    answer = client.get(f"/api/v1/reports/{report.number}", headers=headers).json()
    assert (answer["status"], answer["status_label"]) == ("valid", "有效") == (report.status, report.get_status_display())
    assert client.get(f"/api/v1/reports/{report.number}/pdf", headers=headers).status_code == 200
    assert client.get(f"/api/v1/reports/{report.number}/verifications", headers=headers).status_code == 200

    response = client.post("/api/v1/reports", {"credit_code": code}, content_type="application/json", headers=headers)
    assert response.status_code == 403
    assert "reports:write" in response.json()["detail"]
    response = client.post(f"/api/v1/reports/{report.number}/revoke", {"reason": "测试"},
                           content_type="application/json", headers=headers)
    assert response.status_code == 403
    report.refresh_from_db()
    assert Report.objects.count() == 1 and not report.revoke_reason


@pytest.mark.pdf
@pytest.mark.django_db
def test_a_reports_write_token_issues_a_report_for_the_office(client, alice, bob, company):
    response = client.post("/api/v1/reports", {"credit_code": company.credit_code, "domains": ["market-regulation"]},
                           content_type="application/json", headers=bearer(alice, "reports:write"))
    assert response.status_code == 201, response.content
    assert Report.objects.get().number == response.json()["number"]
    # the scope does not lift a clerk's role
    response = client.post("/api/v1/reports", {"credit_code": company.credit_code},
                           content_type="application/json", headers=bearer(bob, "reports:write"))
    assert response.status_code == 403


@pytest.mark.django_db
def test_expired_revoked_and_deactivated_tokens_get_401(client, alice, company):
    url = f"/api/v1/entities/{company.credit_code}"
    expired, text = create_token(owner=alice, name="过期", scopes=["reports:read"], days=1)
    assert client.get(url, headers={"Authorization": f"Bearer {text}"}).status_code == 200
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(url, headers={"Authorization": f"Bearer {text}"})
    assert response.status_code == 401
    assert response.json()["detail"] == INVALID
    assert response["WWW-Authenticate"].startswith("Bearer")

    revoked, text = create_token(owner=alice, name="撤销", scopes=["reports:read"])
    revoke_token(revoked, by=None)
    assert client.get(url, headers={"Authorization": f"Bearer {text}"}).json()["detail"] == INVALID

    headers = bearer(alice, "reports:read")
    alice.is_active = False
    alice.save()
    assert client.get(url, headers=headers).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("value", [
    "Bearer", "Bearer ", "Bearer cr_", "Bearer cr_12345678_", "Bearer cr_1234_abc", "Bearer not-a-token",
    "Basic YWxpY2U6cHctYWxpY2UtMQ==", "cr_12345678_abc", "Bearer {token}x", "Bearer {prefix}_{token}",
])
def test_a_wrong_or_garbled_header_gets_401(client, alice, company, value):
    _token, text = create_token(owner=alice, name="对接系统", scopes=["reports:read"])
    value = value.format(token=text, prefix=text.split("_")[1])
    response = client.get(f"/api/v1/entities/{company.credit_code}", headers={"Authorization": value})
    assert response.status_code == 401
    assert response.json()["detail"] in (INVALID, "请先登录")


@pytest.mark.django_db
def test_a_bad_token_is_refused_even_with_a_session(client, alice, company):
    client.force_login(alice)
    assert client.get(f"/api/v1/entities/{company.credit_code}").status_code == 200  # the session alone works
    response = client.get(f"/api/v1/entities/{company.credit_code}", headers={"Authorization": "Bearer cr_x"})
    assert response.status_code == 401 and response.json()["detail"] == INVALID


@pytest.mark.django_db
def test_only_a_hash_of_the_secret_is_stored(alice):
    token, text = create_token(owner=alice, name="对接系统", scopes=["verify"])
    prefix, secret = text.removeprefix("cr_").split("_", 1)
    assert text.startswith("cr_") and prefix == token.prefix and len(prefix) == 8 and len(secret) >= 43
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(v) for v in row.values())
    assert not any(secret in str(e.after) for e in AuditEntry.objects.all())
    assert secret not in str(token) and prefix in str(token)


@pytest.mark.django_db
def test_last_used_at_is_written_at_most_once_a_minute(client, alice, company):
    token, text = create_token(owner=alice, name="对接系统", scopes=["reports:read"])
    headers = {"Authorization": f"Bearer {text}"}
    assert token.last_used_at is None
    client.get(f"/api/v1/entities/{company.credit_code}", headers=headers)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get(f"/api/v1/entities/{company.credit_code}", headers=headers)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    client.get(f"/api/v1/entities/{company.credit_code}", headers=headers)
    token.refresh_from_db()
    assert token.last_used_at > first


@pytest.mark.django_db
def test_creating_and_revoking_a_token_are_audited(alice, office_admin):
    token, _text = create_token(owner=alice, name="银行对接", scopes="reports:read", days=30, by=office_admin)
    assert revoke_token(token, by=office_admin) is True
    assert revoke_token(token, by=office_admin) is False  # once is enough
    entries = list(AuditEntry.objects.filter(target=f"api_token:{token.prefix}").order_by("id"))
    assert [(e.action, e.actor) for e in entries] == [("accounts.token_create", "office"),
                                                      ("accounts.token_revoke", "office")]
    assert entries[0].after["scopes"] == ["reports:read"] and entries[0].after["owner"] == "alice"


@pytest.mark.django_db
def test_a_token_cannot_outlive_the_longest_lifetime_or_have_unknown_scopes(alice, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "API_TOKEN_MAX_DAYS": 90}
    with pytest.raises(ValueError, match="1 至 90 天"):
        create_token(owner=alice, name="x", scopes=["verify"], days=91)
    with pytest.raises(ValueError, match="未知的权限范围：admin"):
        create_token(owner=alice, name="x", scopes=["verify", "admin"])
    with pytest.raises(ValueError, match="至少选择一项权限范围"):
        create_token(owner=alice, name="x", scopes=[])
    token, _text = create_token(owner=alice, name="x", scopes=["verify"])
    assert token.expires_at - token.created_at == dt.timedelta(days=90)
    assert ApiToken.objects.count() == 1


@pytest.mark.django_db
def test_verification_needs_no_token_at_all(client):
    response = client.get("/api/v1/verify/ABCD-EFGH-JKLM-NPQR-STUV")
    assert response.status_code == 404 and response.json()["result"] == "not_found"
    response = client.get("/api/v1/verify/ABCD-EFGH-JKLM-NPQR-STUV", headers={"Authorization": "Bearer cr_junk"})
    assert response.status_code == 404  # public operations do not look at credentials
    response = client.post("/api/v1/verify/file")
    assert response.status_code == 400 and response.json()["result"] == "bad_file"


@pytest.mark.django_db
def test_openapi_documents_the_bearer_scheme(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["components"]["securitySchemes"]["TokenAuth"]["type"] == "http"
    assert doc["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    assert {"TokenAuth": []} in doc["paths"]["/api/v1/imports"]["post"]["security"]
    assert "security" not in doc["paths"]["/api/v1/verify/{code}"]["get"]
    assert "reports:write" in doc["info"]["description"]


@pytest.mark.django_db
def test_the_command_prints_a_working_token_once(client, bob, amr):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", "bob", "--name", "市场监管局对接", "--scopes", "imports:write,reports:read",
                 "--days", "90", stdout=out, stderr=err)
    text = out.getvalue().strip()
    assert text.startswith("cr_") and text not in err.getvalue()
    token = ApiToken.objects.get()
    assert (token.owner, token.scopes) == (bob, ["imports:write", "reports:read"])
    assert dt.timedelta(days=89) < token.expires_at - timezone.now() <= dt.timedelta(days=90)
    assert post_import(client, {"Authorization": f"Bearer {text}"}, penalty_csv(amr, {})).status_code == 200
    with pytest.raises(CommandError, match="用户不存在"):
        call_command("create_api_token", "nobody", "--name", "x", "--scopes", "verify", stdout=out, stderr=err)
    with pytest.raises(CommandError, match="未知的权限范围"):
        call_command("create_api_token", "bob", "--name", "x", "--scopes", "imports:delete", stdout=out, stderr=err)


@pytest.mark.django_db
def test_the_admin_shows_a_new_token_once_and_revokes_tokens(client, office_admin, bob):
    client.force_login(office_admin)
    response = client.post("/admin/accounts/apitoken/add/", {
        "name": "市场监管局对接", "owner": bob.pk, "scopes": ["imports:write"], "days": "30",
    }, follow=True)
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"] if "<code>" in str(m)]
    assert len(shown) == 1 and "只显示这一次" in shown[0]
    text = shown[0].split("<code>")[1].split("</code>")[0]
    assert text.startswith(f"cr_{token.prefix}_") and response.content.decode().count(text) == 1
    assert hashlib.sha256(text.split("_", 2)[2].encode()).hexdigest() == token.secret_hash
    assert text not in client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert text not in client.get("/admin/accounts/apitoken/").content.decode()
    assert AuditEntry.objects.filter(action="accounts.token_create", actor="office").count() == 1

    response = client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]},
                           follow=True)
    assert "已撤销 1 个令牌" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None and token.status_label() == "已撤销"
    assert AuditEntry.objects.filter(action="accounts.token_revoke").count() == 1
    assert client.post(f"/admin/accounts/apitoken/{token.pk}/delete/").status_code == 403
    too_long = client.post("/admin/accounts/apitoken/add/", {
        "name": "x", "owner": bob.pk, "scopes": ["verify"], "days": "366"})
    assert too_long.status_code == 200 and ApiToken.objects.count() == 1
