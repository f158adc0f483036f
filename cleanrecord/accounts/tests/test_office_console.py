"""The office's account console (issue 18, point 2): accounts for departments, banks and agencies, made, deactivated,
their passwords reset and their roles bound by the office without superuser rights — and never more than that:
it cannot make a superuser, touch one, or raise any account (its own included) above the roles it binds."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from cleanrecord.accounts.models import DepartmentClerk, Organisation, OrganisationMember
from cleanrecord.accounts.tokens import create_token
from cleanrecord.audit.models import AuditEntry
from cleanrecord.testing.actors import make_member, make_user
from cleanrecord.testing.forms import FormPage

OFFICE_PERMS = ["records.add_importbatch", "audit.view_auditentry"]


@pytest.fixture
def office(db) -> Client:
    c = Client()
    c.force_login(make_user("console-office", *OFFICE_PERMS, is_staff=True))
    return c


@pytest.fixture
def bank(db) -> Organisation:
    return Organisation.objects.create(name="兰州控制台测试银行")


def _one_time_password(response) -> str:
    found = re.search(r'<code id="one-time-password">([^<]+)</code>', response.content.decode())
    assert found, response.content.decode()[:2000]
    return found.group(1)


def _can_sign_in(username: str, password: str) -> bool:
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


@pytest.mark.django_db
def test_the_office_creates_a_clerk_account_that_signs_in_with_its_one_time_password(office, amr):
    response = office.post("/office/accounts/new", {"username": "amr-new", "full_name": "李四", "role": "clerk",
                                                    "department": amr.pk})
    assert response.status_code == 200 and "账号已创建" in response.content.decode()
    assert "no-store" in response["Cache-Control"]  # the password is shown once, and kept by no cache
    password = _one_time_password(response)
    user = User.objects.get(username="amr-new")
    assert not (user.is_staff or user.is_superuser) and not user.user_permissions.exists()
    assert DepartmentClerk.objects.get(user=user).department == amr
    assert _can_sign_in("amr-new", password)
    entry = AuditEntry.objects.get(action="accounts.user_create")
    assert entry.after == {"username": "amr-new", "role": "clerk:amr"} and password not in str(entry.after)


@pytest.mark.django_db
def test_the_office_creates_an_organisation_member(office, bank):
    response = office.post("/office/accounts/new", {"username": "teller-new", "role": "member",
                                                    "organisation": bank.pk})
    assert response.status_code == 200
    assert OrganisationMember.objects.get(user__username="teller-new").organisation == bank
    assert "teller-new" in office.get(f"/office/organisations/{bank.pk}/").content.decode()


@pytest.mark.django_db
def test_the_new_account_form_has_no_way_to_make_staff_or_superusers(office):
    page = FormPage(office.get("/office/accounts/new").content.decode())
    names = {i.get("name") for i in page.inputs}
    assert names >= {"username", "role"} and not names & {"is_staff", "is_superuser", "user_permissions", "groups"}
    response = office.post("/office/accounts/new", {"username": "sneaky", "role": "none", "is_superuser": "on",
                                                    "is_staff": "on", "user_permissions": "1", "groups": "1"})
    assert response.status_code == 200
    sneaky = User.objects.get(username="sneaky")
    assert not (sneaky.is_superuser or sneaky.is_staff or sneaky.user_permissions.exists() or sneaky.groups.exists())


@pytest.mark.django_db
def test_a_username_in_use_is_refused_beside_the_field(office, outsider):
    response = office.post("/office/accounts/new", {"username": "DAVE", "role": "none"})
    assert response.status_code == 400
    assert FormPage(response.content.decode()).error_beside("id_username") == "用户名“DAVE”已被使用，请换一个"


@pytest.mark.django_db
def test_a_clerk_needs_a_department_and_a_member_an_organisation(office):
    response = office.post("/office/accounts/new", {"username": "x1", "role": "clerk"})
    assert FormPage(response.content.decode()).error_beside("id_department") == "请选择报送员所属部门"
    response = office.post("/office/accounts/new", {"username": "x1", "role": "member"})
    assert FormPage(response.content.decode()).error_beside("id_organisation") == "请选择所属机构"
    assert not User.objects.filter(username="x1").exists()


@pytest.mark.django_db
def test_deactivating_stops_sign_in_and_api_tokens_and_reactivating_restores_them(office, bank):
    member = make_member("teller-off", bank, password="pw-teller-1")
    _, token = create_token(owner=member, name="银行对接", scopes=["reports:read"])
    assert office.post(f"/office/accounts/{member.pk}/active", {"active": "0"}).status_code == 302
    assert not _can_sign_in("teller-off", "pw-teller-1")
    assert Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/reports/X").status_code == 401
    assert AuditEntry.objects.filter(action="accounts.user_deactivate", target="user:teller-off").exists()
    assert office.post(f"/office/accounts/{member.pk}/active", {"active": "1"}).status_code == 302
    assert _can_sign_in("teller-off", "pw-teller-1")


@pytest.mark.django_db
def test_resetting_a_password_shows_a_new_one_once_and_the_old_one_stops(office, amr_clerk):
    response = office.post(f"/office/accounts/{amr_clerk.pk}/password")
    assert response.status_code == 200 and "密码已重置" in response.content.decode()
    password = _one_time_password(response)
    assert not _can_sign_in("bob", "pw-bob-1") and _can_sign_in("bob", password)
    assert AuditEntry.objects.filter(action="accounts.password_reset", target="user:bob").exists()


@pytest.mark.django_db
def test_binding_a_role_moves_an_account_between_department_and_organisation(office, amr_clerk, bank):
    assert office.post(f"/office/accounts/{amr_clerk.pk}/", {"role": "member", "organisation": bank.pk}).status_code == 302
    assert not DepartmentClerk.objects.filter(user=amr_clerk).exists()
    assert OrganisationMember.objects.get(user=amr_clerk).organisation == bank
    entry = AuditEntry.objects.get(action="accounts.role_bind")
    assert entry.before == {"role": "clerk:amr"} and entry.after == {"role": "member:兰州控制台测试银行"}
    assert office.post(f"/office/accounts/{amr_clerk.pk}/", {"role": "none"}).status_code == 302
    assert not OrganisationMember.objects.filter(user=amr_clerk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["superuser", "staff", "permission", "group", "self"])
def test_the_office_cannot_touch_an_account_with_rights_beyond_the_roles_nor_its_own(office, target, amr):
    from django.contrib.auth.models import Group  # only this test makes a group

    me = User.objects.get(username="console-office")
    account = {
        "superuser": lambda: User.objects.create_superuser("root-x", password="pw-root-x1"),
        "staff": lambda: make_user("staff-x", password="pw-root-x1", is_staff=True),
        "permission": lambda: make_user("perm-x", "audit.view_auditentry", password="pw-root-x1"),
        "group": lambda: make_user("group-x", password="pw-root-x1"),
        "self": lambda: me,
    }[target]()
    if target == "group":
        account.groups.add(Group.objects.create(name="信用办"))
    before = User.objects.filter(pk=account.pk).values().get()
    for url, data in [(f"/office/accounts/{account.pk}/password", {}),
                      (f"/office/accounts/{account.pk}/active", {"active": "0"}),
                      (f"/office/accounts/{account.pk}/", {"role": "clerk", "department": amr.pk})]:
        response = office.post(url, data)
        assert response.status_code == 403, url
        assert ("只能由平台系统管理员修改" in response.content.decode() or "不能" in response.content.decode())
    assert User.objects.filter(pk=account.pk).values().get() == before
    assert not DepartmentClerk.objects.filter(user=account).exists()
    assert not AuditEntry.objects.filter(action__in=["accounts.password_reset", "accounts.user_deactivate",
                                                     "accounts.role_bind"]).exists()
    page = office.get(f"/office/accounts/{account.pk}/").content.decode()
    assert 'id="reset-password"' not in page and 'id="deactivate"' not in page


@pytest.mark.django_db
def test_the_office_cannot_open_the_admins_user_pages(office):
    """Accounts are the console's: the admin's user and group pages stay with superusers."""
    for url in ("/admin/auth/user/", "/admin/auth/user/add/", "/admin/auth/group/add/"):
        assert office.get(url).status_code == 403, url


@pytest.mark.django_db
def test_the_office_keeps_organisations_and_deactivating_one_is_audited(office):
    response = office.post("/office/organisations/", {"name": "兰州测试审批局", "kind": "agency",
                                                      "credit_code": "11620100mb1234567x", "active": "on"})
    assert response.status_code == 302
    org = Organisation.objects.get(name="兰州测试审批局")
    assert org.credit_code == "11620100MB1234567X" and org.active
    assert office.post(f"/office/organisations/{org.pk}/", {"name": "兰州测试审批局", "kind": "agency"}).status_code == 302
    org.refresh_from_db()
    assert not org.active
    entry = AuditEntry.objects.get(action="accounts.organisation_change")
    assert entry.before["active"] is True and entry.after["active"] is False
    clash = office.post("/office/organisations/", {"name": "兰州测试审批局", "kind": "bank", "active": "on"})
    assert clash.status_code == 400
    assert FormPage(clash.content.decode()).error_beside("id_name") == "已有名为“兰州测试审批局”的机构"


@pytest.mark.django_db
def test_the_account_list_finds_by_organisation_name(office, bank):
    make_member("teller-find", bank)
    page = office.get("/office/accounts/", {"q": "控制台测试"}).content.decode()
    assert "teller-find" in page and "兰州控制台测试银行成员" in page


@pytest.mark.django_db
def test_the_admin_carries_the_platforms_name(office):
    page = office.get("/admin/").content.decode()
    assert "信用中国（甘肃兰州）信用信息共享平台" in page and "平台管理" in page
    assert "Django" not in page.split("<body", 1)[1].split("</header>", 1)[0]
    assert "Django 管理" not in page and "Django administration" not in page
