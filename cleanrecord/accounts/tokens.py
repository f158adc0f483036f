"""API tokens: making, revoking and checking them, and the scopes an API operation asks for.

A token is "cr_" + an 8-character prefix + "_" + a 256-bit random secret. The prefix is stored in clear
so that people can tell tokens apart; of the secret only its SHA-256 is stored. With that much
randomness a plain hash is enough: there is nothing to guess, so no slow password hash is needed.
"""

import datetime as dt
import hashlib
import hmac
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from cleanrecord import conf
from cleanrecord.audit.services import record_event
from cleanrecord.lib.refusals import Refused

from .models import ApiToken

# What a token may be allowed to do. A token never does more than its owner may.
SCOPES = {
    "verify": _("核验报告"),
    "reports:read": _("查询经营主体、信用记录和报告"),
    "reports:write": _("出具和撤销报告"),
    "imports:write": _("报送数据并查看导入结果"),
}
PREFIX = "cr_"


def max_days() -> int:
    """The longest a token may live, in days (CLEANRECORD_API_TOKEN_MAX_DAYS, a year unless set)."""
    return conf.get("API_TOKEN_MAX_DAYS")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def clean_scopes(scopes) -> list[str]:
    """The scopes as a sorted list, or Refused naming the first unknown one."""
    if isinstance(scopes, str):
        scopes = [s for s in scopes.replace(" ", "").split(",") if s]
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise Refused(_("未知的权限范围：%(scope)s（可选：%(all)s）") % {"scope": unknown[0], "all": "、".join(SCOPES)})
    if not scopes:
        raise Refused(_("至少选择一项权限范围"))
    return sorted(set(scopes))


@transaction.atomic
def create_token(*, owner, name: str, scopes, days: int | None = None, by=None) -> tuple[ApiToken, str]:
    """Make a token for `owner` and return it with the full token text: the only time that text exists."""
    days = max_days() if days is None else days
    if not 1 <= days <= max_days():
        raise Refused(_("有效期应为 1 至 %(max)s 天") % {"max": max_days()})
    scopes = clean_scopes(scopes)
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():  # 32 bits: rare, but a clash must not fail
        prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(name=name, owner=owner, scopes=scopes, prefix=prefix,
                                    secret_hash=hash_secret(secret), created_at=now,
                                    expires_at=now + dt.timedelta(days=days))
    record_event(user=by, action="accounts.token_create", target=f"api_token:{prefix}",
                 after={"name": name, "owner": owner.get_username(), "scopes": scopes,
                        "expires_at": token.expires_at.isoformat()})
    return token, f"{PREFIX}{prefix}_{secret}"


@transaction.atomic
def revoke_token(token: ApiToken, *, by=None) -> bool:
    """Revoke `token` from now on. False if it was already revoked."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    if updated:
        record_event(user=by, action="accounts.token_revoke", target=f"api_token:{token.prefix}",
                     after={"name": token.name, "owner": token.owner.get_username()})
    return bool(updated)


def find_token(text: str) -> ApiToken | None:
    """The usable token `text` stands for, or None if it is malformed, unknown, expired or revoked."""
    if not text.startswith(PREFIX):
        return None
    prefix, _sep, secret = text[len(PREFIX):].partition("_")
    if len(prefix) != 8 or not secret:
        return None
    token = ApiToken.objects.select_related("owner").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(secret)):
        return None
    return token if token.is_usable() else None


class InvalidToken(AuthenticationError):
    def __init__(self) -> None:
        super().__init__(message=str(_("令牌无效、已过期或已撤销")))


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cr_…`: the request then acts as the token's owner, so every role check applies."""

    openapi_bearerFormat = "cr_<prefix>_<secret>"
    openapi_description = "接口令牌，由信用办创建，仅在创建时显示一次。令牌代表其所属用户，并受权限范围限制。"

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = find_token(token.strip())
        if found is None:
            # A bearer header that does not check out is refused outright, not passed on to the session.
            raise InvalidToken()
        found.mark_used()
        request.user = found.owner
        return found


def require_scope(request: HttpRequest, scope: str) -> None:
    """Refuse a token that was not given `scope`. A browser session is limited by its user's role alone."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    token = getattr(request, "auth", None)
    if isinstance(token, ApiToken) and scope not in token.scopes:
        raise PermissionDenied(_("令牌没有“%(scope)s”权限范围") % {"scope": scope})
