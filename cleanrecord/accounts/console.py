"""The office's account console: accounts for departments, banks and agencies, and the organisations they act for.

Least privilege: the office (OFFICE_PERMISSION) manages only *ordinary* accounts — no superuser, no staff, no
permission or group of their own — and binds them to the roles of this app (a department's clerk, an
organisation's member). Nothing here sets is_staff, is_superuser, a permission or a group, so the office can make
no superuser nor raise any account (its own included) above those roles; accounts with such rights stay with the
platform's administrator. Every change is audited.
"""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from cleanrecord.audit.services import record_event
from cleanrecord.lib.refusals import Refused
from cleanrecord.reference.models import Department

from .models import DepartmentClerk, Organisation, OrganisationMember

CLERK = "clerk"
MEMBER = "member"
NONE = "none"


def privileged(user) -> bool:
    """An account with rights beyond the roles the office binds: superuser, staff, own permissions or groups."""
    return bool(user.is_superuser or user.is_staff or user.user_permissions.exists() or user.groups.exists())


def manageable(user, *, by) -> None:
    """Raise Refused unless the office user `by` may change `user`: an ordinary account, not `by`'s own."""
    if privileged(user):
        raise Refused(_("该账号拥有管理权限，只能由平台系统管理员修改"))
    if user.pk == by.pk:
        raise Refused(_("不能在这里修改自己的账号"))


def one_time_password() -> str:
    """A password the office hands over once; the holder changes it (16 characters, about 96 bits)."""
    return secrets.token_urlsafe(12)


def role_of(user) -> tuple[str, Department | None, Organisation | None]:
    clerk = DepartmentClerk.objects.filter(user=user).select_related("department").first()
    if clerk is not None:
        return CLERK, clerk.department, None
    member = OrganisationMember.objects.filter(user=user).select_related("organisation").first()
    if member is not None:
        return MEMBER, None, member.organisation
    return NONE, None, None


def _describe(role: str, department: Department | None, organisation: Organisation | None) -> str:
    if role == CLERK and department is not None:
        return f"clerk:{department.code}"
    if role == MEMBER and organisation is not None:
        return f"member:{organisation.name}"
    return NONE


def create_account(*, by, username: str, full_name: str = "", email: str = "", role: str = NONE,
                   department: Department | None = None, organisation: Organisation | None = None):
    """Make an ordinary account bound to `role`; return it and its one-time password (shown once, never kept)."""
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise Refused(_("用户名“%(name)s”已被使用，请换一个") % {"name": username}, field="username")
    password = one_time_password()
    with transaction.atomic():
        # create_user: never staff, never superuser, no permission.
        user = User.objects.create_user(username, email=email, password=password, first_name=full_name[:150])
        _bind(user, role, department, organisation)
        record_event(user=by, action="accounts.user_create", target=f"user:{username}",
                     after={"username": username, "role": _describe(role, department, organisation)})
    return user, password


def _bind(user, role: str, department: Department | None, organisation: Organisation | None) -> None:
    if role == CLERK:
        if department is None:
            raise Refused(_("请选择报送员所属部门"), field="department")
        OrganisationMember.objects.filter(user=user).delete()
        DepartmentClerk.objects.update_or_create(user=user, defaults={"department": department})
    elif role == MEMBER:
        if organisation is None:
            raise Refused(_("请选择所属机构"), field="organisation")
        if not organisation.active:
            raise Refused(_("该机构已停用"), field="organisation")
        DepartmentClerk.objects.filter(user=user).delete()
        OrganisationMember.objects.update_or_create(user=user, defaults={"organisation": organisation})
    else:
        DepartmentClerk.objects.filter(user=user).delete()
        OrganisationMember.objects.filter(user=user).delete()


def bind_role(*, by, user, role: str, department: Department | None = None,
              organisation: Organisation | None = None) -> None:
    """Make `user` a department's clerk, an organisation's member, or neither (an account's one role of these)."""
    manageable(user, by=by)
    before = _describe(*role_of(user))
    with transaction.atomic():
        _bind(user, role, department, organisation)
        record_event(user=by, action="accounts.role_bind", target=f"user:{user.get_username()}",
                     before={"role": before}, after={"role": _describe(role, department, organisation)})


def set_active(*, by, user, active: bool) -> None:
    """Deactivate (the account can no longer sign in, its API tokens stop working) or reactivate an account."""
    manageable(user, by=by)
    if user.is_active == active:
        return
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        record_event(user=by, action="accounts.user_activate" if active else "accounts.user_deactivate",
                     target=f"user:{user.get_username()}")


def reset_password(*, by, user) -> str:
    """Give the account a new one-time password, returned to be shown once; the old one and its sessions end."""
    manageable(user, by=by)
    password = one_time_password()
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record_event(user=by, action="accounts.password_reset", target=f"user:{user.get_username()}")
    return password


def save_organisation(*, by, organisation: Organisation | None, name: str, kind: str, credit_code: str = "",
                      active: bool = True) -> Organisation:
    """Create or change an organisation. Deactivated, its members read no granted report, and no grant goes to it."""
    clash = Organisation.objects.filter(name=name)
    if organisation is not None:
        clash = clash.exclude(pk=organisation.pk)
    if clash.exists():
        raise Refused(_("已有名为“%(name)s”的机构") % {"name": name}, field="name")
    before = None
    if organisation is None:
        organisation = Organisation()
    else:
        before = {"name": organisation.name, "kind": organisation.kind, "credit_code": organisation.credit_code,
                  "active": organisation.active}
    organisation.name, organisation.kind, organisation.credit_code, organisation.active = name, kind, credit_code, active
    with transaction.atomic():
        organisation.save()
        record_event(user=by, action="accounts.organisation_change" if before else "accounts.organisation_create",
                     target=f"organisation:{organisation.pk}", before=before,
                     after={"name": name, "kind": kind, "credit_code": credit_code, "active": active})
    return organisation
