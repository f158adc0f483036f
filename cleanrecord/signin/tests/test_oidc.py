"""Signing in through a real OpenID Connect provider started by the test (cleanrecord/testing/oidc.py)."""

import datetime as dt
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client
from stdnum.cn import ric

from cleanrecord.accounts.models import EntityUser
from cleanrecord.audit.models import AuditEntry
from cleanrecord.reports.tests.factories import entity
from cleanrecord.signin.models import Identity, StaffAuthorisation
from cleanrecord.testing.oidc import Provider, query_of, start_provider

pytestmark = pytest.mark.django_db


def id_number(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 characters


REP_ID = id_number("62010219800101123")
STAFF_ID = id_number("62010319900202234")


def legal_rep(code: str) -> dict:
    return {"credit_code": code, "role": "legal_rep", "name": "王五", "id_number": REP_ID}


def staff(code: str) -> dict:
    return {"credit_code": code, "role": "staff", "name": "李四", "id_number": STAFF_ID}


def sign_in(client: Client, provider: Provider, sub: str, claims: dict, *, nonce: str | None = None,
            state: str | None = None):
    """What a browser does: start here, sign in at the provider as `sub`, come back with its code."""
    start = client.get("/accounts/oidc/start/")
    assert start.status_code == 302, start.content
    url = start["Location"]
    assert url.startswith(provider.issuer + "/oauth2/authorize?")
    if nonce is not None:
        url = url.split("?")[0] + "?" + urlencode({**query_of(url), "nonce": nonce})
    provider.set_claims(sub, claims)
    back = provider.authorize(url, sub)
    assert back.startswith("http://testserver/accounts/oidc/callback/?")
    query = query_of(back)
    if state is not None:
        query["state"] = state
    return client.get(urlsplit(back).path, query)


def refusal(response) -> str:
    return response.content.decode()


def test_the_first_sign_in_binds_the_legal_representative_and_later_ones_find_the_same_account(oidc_provider):
    e = entity()
    client = Client()
    response = sign_in(client, oidc_provider, "person-1", legal_rep(e.credit_code))
    assert response.status_code == 302 and response["Location"] == "/my/"
    page = client.get("/my/").content.decode()
    assert e.name in page and "经办人员授权" in page
    binding = EntityUser.objects.get(entity=e)
    assert binding.role == EntityUser.Role.LEGAL_REP
    assert binding.user.first_name == "王五" and REP_ID not in binding.user.username
    assert not binding.user.has_usable_password()
    bound = AuditEntry.objects.get(action="signin.bound")
    assert bound.target == f"entity:{e.credit_code}" and bound.after["role"] == "legal_rep"

    again = Client()
    assert sign_in(again, oidc_provider, "person-1", legal_rep(e.credit_code)).status_code == 302
    assert User.objects.filter(oidc_identity__subject="person-1").count() == 1
    assert EntityUser.objects.filter(entity=e).count() == 1
    assert AuditEntry.objects.filter(action="signin.bound").count() == 1


def test_an_entity_not_in_the_register_is_told_so_and_nothing_is_left_behind(oidc_provider):
    users = User.objects.count()
    client = Client()
    response = sign_in(client, oidc_provider, "person-2", legal_rep("91620102MA71ZZZZ0X"))
    assert response.status_code == 403
    assert "统一社会信用代码 91620102MA71ZZZZ0X 不在本平台的经营主体名录中" in refusal(response)
    assert User.objects.count() == users and not Identity.objects.exists() and not EntityUser.objects.exists()
    assert client.get("/my/").status_code == 302  # not signed in


def test_staff_sign_in_only_while_the_legal_representative_authorises_them(oidc_provider):
    e = entity()
    rep = Client()
    sign_in(rep, oidc_provider, "rep", legal_rep(e.credit_code))

    clerk = Client()
    refused = sign_in(clerk, oidc_provider, "clerk", staff(e.credit_code))
    assert refused.status_code == 403 and "尚未获得兰州报告测试有限公司法定代表人的授权" in refusal(refused)
    assert not Identity.objects.filter(subject="clerk").exists()

    # The legal representative authorises the person by ID number; the page shows it masked only.
    wrong = rep.post(f"/my/entities/{e.credit_code}/staff/", {"name": "李四", "id_number": "620103"})
    assert wrong.status_code == 400 and "请填写正确的 18 位居民身份证号码" in wrong.content.decode()
    response = rep.post(f"/my/entities/{e.credit_code}/staff/", {"name": "李四", "id_number": STAFF_ID})
    assert response.status_code == 302
    page = rep.get(f"/my/entities/{e.credit_code}/staff/").content.decode()
    assert "李四" in page and "6201**********" + STAFF_ID[-4:] in page and STAFF_ID not in page
    authorisation = StaffAuthorisation.objects.get(entity=e)
    assert STAFF_ID not in authorisation.id_number_encrypted

    assert sign_in(clerk, oidc_provider, "clerk", staff(e.credit_code)).status_code == 302
    assert EntityUser.objects.get(entity=e, user__oidc_identity__subject="clerk").role == EntityUser.Role.AGENT
    assert clerk.get(f"/entities/{e.credit_code}/report/").status_code == 200
    # Staff do not authorise staff.
    assert clerk.get(f"/my/entities/{e.credit_code}/staff/").status_code == 404

    # Withdrawn: the signed-in clerk loses the entity at once, and cannot sign in for it again.
    assert rep.post(f"/my/entities/{e.credit_code}/staff/{authorisation.pk}/withdraw").status_code == 302
    assert clerk.get(f"/entities/{e.credit_code}/report/").status_code == 403
    assert e.name not in clerk.get("/my/").content.decode()
    again = sign_in(Client(), oidc_provider, "clerk", staff(e.credit_code))
    assert again.status_code == 403 and "尚未获得" in refusal(again)
    actions = list(AuditEntry.objects.filter(action__startswith="signin.").values_list("action", flat=True))
    assert actions.count("signin.bound") == 2
    assert "signin.staff_authorised" in actions and "signin.staff_withdrawn" in actions
    withdrawn = AuditEntry.objects.get(action="signin.staff_withdrawn")
    assert withdrawn.after == {"unbound_accounts": 1} and STAFF_ID not in str(withdrawn.before)


def test_a_tampered_id_token_is_refused(oidc_provider):
    e = entity()
    oidc_provider.tamper_next_token = True
    client = Client()
    response = sign_in(client, oidc_provider, "person-3", legal_rep(e.credit_code))
    assert response.status_code == 400 and "身份认证结果无法核实" in refusal(response)
    assert not EntityUser.objects.exists() and not Identity.objects.exists()
    assert client.get("/my/").status_code == 302


def test_a_wrong_state_is_refused(oidc_provider):
    e = entity()
    client = Client()
    response = sign_in(client, oidc_provider, "person-4", legal_rep(e.credit_code), state="not-the-state-we-sent")
    assert response.status_code == 400 and "身份认证结果无法核实" in refusal(response)
    assert not EntityUser.objects.exists()
    # A code that comes back to a browser that never started a sign-in is refused too.
    stranger = Client()
    start = Client().get("/accounts/oidc/start/")["Location"]
    back = oidc_provider.authorize(start, "person-4")
    response = stranger.get(urlsplit(back).path, query_of(back))
    assert response.status_code == 400 and not EntityUser.objects.exists()


def test_a_token_issued_for_another_nonce_is_refused(oidc_provider):
    e = entity()
    client = Client()
    response = sign_in(client, oidc_provider, "person-5", legal_rep(e.credit_code), nonce="someone-elses-nonce")
    assert response.status_code == 400 and "身份认证结果无法核实" in refusal(response)
    assert not EntityUser.objects.exists() and not Identity.objects.exists()


def test_an_expired_id_token_is_refused(settings):
    e = entity()
    with start_provider(token_max_age=dt.timedelta(hours=-1)) as provider:
        settings.CLEANRECORD = {**settings.CLEANRECORD, **provider.settings()}
        client = Client()
        response = sign_in(client, provider, "person-6", legal_rep(e.credit_code))
    assert response.status_code == 400 and "身份认证凭证已过期，请重新登录" in refusal(response)
    assert not EntityUser.objects.exists() and not Identity.objects.exists()


def test_the_button_shows_only_when_configured_and_password_sign_in_stays(settings, oidc_provider):
    assert "电子营业执照/统一身份认证登录" in Client().get("/accounts/login/").content.decode()
    User.objects.create_user("clerk", password="a-long-password-1")
    password = Client()
    response = password.post("/accounts/login/", {"username": "clerk", "password": "a-long-password-1"})
    assert response.status_code == 302 and password.get("/my/messages/").status_code == 200
    settings.CLEANRECORD = {**settings.CLEANRECORD, "OIDC_ISSUER": ""}
    assert "电子营业执照/统一身份认证登录" not in Client().get("/accounts/login/").content.decode()
    assert Client().get("/accounts/oidc/start/").status_code == 404
    assert Client().get("/accounts/oidc/callback/", {"code": "x", "state": "y"}).status_code == 404


def test_a_person_who_declines_at_the_provider_is_told_so(oidc_provider):
    client = Client()
    url = client.get("/accounts/oidc/start/")["Location"]
    back = requests.post(url, data={"action": "deny"}, allow_redirects=False, timeout=10).headers["Location"]
    assert query_of(back)["error"] == "access_denied"
    response = client.get(urlsplit(back).path, query_of(back))
    assert response.status_code == 400 and "您已在身份认证服务取消登录" in refusal(response)
    assert client.get("/my/").status_code == 302


def test_a_staff_member_who_becomes_legal_representative_keeps_one_binding_with_the_new_role(oidc_provider):
    e = entity()
    client = Client()
    authorisation = StaffAuthorisation(entity=e, name="李四")
    authorisation.set_id_number(STAFF_ID)
    authorisation.save()
    assert sign_in(client, oidc_provider, "li-si", staff(e.credit_code)).status_code == 302
    assert sign_in(client, oidc_provider, "li-si", {**staff(e.credit_code), "role": "法定代表人"}).status_code == 302
    binding = EntityUser.objects.get(entity=e)
    assert binding.role == EntityUser.Role.LEGAL_REP
    changed = AuditEntry.objects.get(action="signin.role_changed")
    assert changed.before == {"role": "agent"} and changed.after["role"] == "legal_rep"


def test_the_entities_help_page_tells_how_to_sign_in_when_configured(settings, oidc_provider):
    assert "无需申请账号" in Client().get("/help/entities/").content.decode()
    settings.CLEANRECORD = {**settings.CLEANRECORD, "OIDC_ISSUER": ""}
    page = Client().get("/help/entities/").content.decode()
    assert "无需申请账号" not in page and "向信用办申请开通账号并绑定本主体" in page


def test_an_unreachable_service_is_said_so_and_password_sign_in_is_unaffected(settings):
    with start_provider() as provider:
        gone = provider.settings()  # a port that was a provider's a moment ago, and is closed now
    settings.CLEANRECORD = {**settings.CLEANRECORD, **gone}
    response = Client().get("/accounts/oidc/start/")
    assert response.status_code == 503 and "身份认证服务暂时无法访问" in response.content.decode()
    User.objects.create_user("clerk", password="a-long-password-1")
    response = Client().post("/accounts/login/", {"username": "clerk", "password": "a-long-password-1"})
    assert response.status_code == 302
