"""Binding a person who signed in at the identity service to the entity their claims name, and the legal
representative's authorisations of staff. Every binding, authorisation and withdrawal is audited."""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cleanrecord import conf
from cleanrecord.accounts.models import EntityUser
from cleanrecord.audit.services import record_event
from cleanrecord.entities.models import Entity
from cleanrecord.lib import fieldcrypt
from cleanrecord.lib.identifiers import is_valid_id_number, mask_id_number
from cleanrecord.lib.refusals import Refused

from .models import Identity, StaffAuthorisation


class SignInRefused(Refused):
    status = 403


@dataclass(frozen=True)
class Claims:
    """What the identity service says about the person, under the names the settings give."""

    issuer: str
    subject: str
    credit_code: str
    legal_rep: bool
    id_number: str
    name: str

    @classmethod
    def read(cls, issuer: str, raw: dict[str, Any]) -> "Claims":
        def claim(setting: str) -> str:
            value = raw.get(conf.get(setting))
            return str(value).strip() if value is not None else ""

        role = claim("OIDC_ROLE_CLAIM")
        return cls(issuer=issuer, subject=str(raw.get("sub") or ""), credit_code=claim("OIDC_CREDIT_CODE_CLAIM").upper(),
                   legal_rep=role in conf.get("OIDC_LEGAL_REP_ROLES"), id_number=claim("OIDC_ID_NUMBER_CLAIM").upper(),
                   name=claim("OIDC_NAME_CLAIM")[:150])


def _username(claims: Claims) -> str:
    # Never the ID number or a name: a username shows in pages and the audit trail.
    return "eid-" + hashlib.sha256(f"{claims.issuer}\n{claims.subject}".encode()).hexdigest()[:20]


@transaction.atomic
def bind(claims: Claims) -> Any:
    """The account of the person the claims describe, bound to the entity they name, made on first sign-in.

    Refused (and nothing written) when the claims name no entity, one not in the register, or staff whom
    the legal representative has not authorised.
    """
    if not claims.subject:
        raise SignInRefused(_("身份认证服务未返回用户标识，无法登录。"))
    if not claims.credit_code:
        raise SignInRefused(_("身份认证服务未提供统一社会信用代码，无法确定您代表的经营主体。"
                              "请使用电子营业执照登录，或联系信用办。"))
    entity = Entity.objects.filter(credit_code=claims.credit_code).first()
    if entity is None:
        raise SignInRefused(_("统一社会信用代码 %(code)s 不在本平台的经营主体名录中，暂时无法办理。"
                              "请核对所登录的营业执照；如登记信息有误，请联系信用办（%(contact)s）。")
                            % {"code": claims.credit_code, "contact": conf.get("CONTACT")})
    authorisation = None
    if not claims.legal_rep:
        authorisation = (StaffAuthorisation.objects.active().select_for_update()
                         .filter(entity=entity, id_number_index=fieldcrypt.blind_index(claims.id_number)).first()
                         if claims.id_number else None)
        if authorisation is None:
            raise SignInRefused(_("您尚未获得%(entity)s法定代表人的授权，无法代表该主体办理。"
                                  "请法定代表人登录本平台，在“经办人员授权”页面为您授权后再登录。")
                                % {"entity": entity.name})

    user = _user_for(claims)
    role = EntityUser.Role.LEGAL_REP if claims.legal_rep else EntityUser.Role.AGENT
    binding = EntityUser.objects.filter(user=user, entity=entity).first()
    if binding is None:
        EntityUser.objects.create(user=user, entity=entity, role=role)
        record_event(user=user, action="signin.bound", target=f"entity:{entity.credit_code}",
                     after={"user": user.get_username(), "role": role, "via": claims.issuer,
                            "authorisation": authorisation.pk if authorisation else None})
    elif binding.role != role:
        before = binding.role
        binding.role = role
        binding.save(update_fields=["role"])
        record_event(user=user, action="signin.role_changed", target=f"entity:{entity.credit_code}",
                     before={"role": before}, after={"role": role, "user": user.get_username()})
    if authorisation is not None and authorisation.user_id != user.pk:
        authorisation.user = user
        authorisation.save(update_fields=["user"])
    return user


def _user_for(claims: Claims) -> Any:
    identity = (Identity.objects.select_for_update().select_related("user")
                .filter(issuer=claims.issuer, subject=claims.subject).first())
    if identity is not None:
        identity.last_seen_at = timezone.now()
        identity.save(update_fields=["last_seen_at"])
        return identity.user
    user = get_user_model().objects.create_user(_username(claims), first_name=claims.name[:150])
    Identity.objects.create(issuer=claims.issuer, subject=claims.subject, user=user)
    record_event(user=user, action="signin.account_created", target=f"user:{user.get_username()}",
                 after={"via": claims.issuer})
    return user


def is_legal_rep(user: Any, entity: Entity) -> bool:
    return (user.is_authenticated and user.is_active
            and EntityUser.objects.filter(user=user, entity=entity, role=EntityUser.Role.LEGAL_REP).exists())


@transaction.atomic
def authorise_staff(*, entity: Entity, name: str, id_number: str, user: Any) -> StaffAuthorisation:
    """The legal representative authorises a person to act for the entity as staff."""
    if not is_legal_rep(user, entity):
        raise Refused(_("只有该主体的法定代表人可以授权经办人员。"))
    number = id_number.strip().upper()
    if not is_valid_id_number(number):
        raise Refused(_("请填写正确的 18 位居民身份证号码。"), field="id_number")
    index = fieldcrypt.blind_index(number)
    if StaffAuthorisation.objects.active().filter(entity=entity, id_number_index=index).exists():
        raise Refused(_("该人员已获授权。"), field="id_number")
    authorisation = StaffAuthorisation(entity=entity, name=name.strip(), authorised_by=user)
    authorisation.set_id_number(number)
    authorisation.save()
    record_event(user=user, action="signin.staff_authorised", target=f"entity:{entity.credit_code}",
                 after={"authorisation": authorisation.pk, "name": authorisation.name,
                        "id_number": mask_id_number(number)})
    return authorisation


@transaction.atomic
def withdraw_staff(*, authorisation: StaffAuthorisation, user: Any) -> None:
    """The legal representative withdraws an authorisation: the person's binding to the entity goes at once."""
    authorisation = StaffAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
    if not is_legal_rep(user, authorisation.entity):
        raise Refused(_("只有该主体的法定代表人可以撤回授权。"))
    if authorisation.withdrawn_at is not None:
        raise Refused(_("该授权已撤回。"))
    authorisation.withdrawn_at = timezone.now()
    authorisation.withdrawn_by = user
    authorisation.save(update_fields=["withdrawn_at", "withdrawn_by"])
    unbound = 0
    if authorisation.user_id is not None:
        unbound, _deleted = EntityUser.objects.filter(user_id=authorisation.user_id, entity=authorisation.entity,
                                                      role=EntityUser.Role.AGENT).delete()
    record_event(user=user, action="signin.staff_withdrawn", target=f"entity:{authorisation.entity_id}",
                 before={"authorisation": authorisation.pk, "name": authorisation.name,
                         "id_number": authorisation.id_number_masked},
                 after={"unbound_accounts": unbound})
