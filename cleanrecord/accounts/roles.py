"""The one word that says what kind of user made a request, for the request log.

Never a username, a name or an ID number: a username may be a person's ID number. The word is the
first that applies, in the order below. It is kept per process for a minute, so a request's log line
costs no query for a user seen lately (a changed role shows within a minute).
"""

import time
from typing import Any

from .models import EntityUser, OrganisationMember, is_office

ANONYMOUS = "anonymous"
OFFICE = "office"
AUDITOR = "auditor"
CLERK = "clerk"
ENTITY_USER = "entity_user"
GRANTEE = "grantee"  # a member of an organisation (a bank, an agency) entities may let read their reports
USER = "user"  # signed in, with none of the roles above
ROLES = (ANONYMOUS, OFFICE, AUDITOR, CLERK, ENTITY_USER, GRANTEE, USER)

CACHE_SECONDS = 60.0
_cache: dict[Any, tuple[float, str]] = {}


def role_of(user: Any) -> str:
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    now = time.monotonic()
    key = (user.pk, user.date_joined)  # a new user under an old id (SQLite reuses them) is not taken for the old one
    cached = _cache.get(key)
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    role = _role(user)
    if len(_cache) > 10_000:
        _cache.clear()
    _cache[key] = (now, role)
    return role


def forget() -> None:
    _cache.clear()


def _role(user: Any) -> str:
    if is_office(user):
        return OFFICE
    if user.has_perm("audit.view_auditentry"):
        return AUDITOR
    if hasattr(user, "clerk"):
        return CLERK
    if EntityUser.objects.filter(user=user).exists():
        return ENTITY_USER
    if OrganisationMember.objects.filter(user=user).exists():
        return GRANTEE
    return USER


# Where each role lands after signing in without a `next`: the page it comes to the platform for. A bank or
# agency (a member of an organisation, or an account with no role yet) lands on the reports entities let it read.
LANDING = {
    OFFICE: "office-objections",
    AUDITOR: "audit-list",
    CLERK: "imports",
    ENTITY_USER: "portal",
    GRANTEE: "portal",
    USER: "portal",
    ANONYMOUS: "home",
}


def landing(user: Any) -> str:
    """The URL name of the user's start page (asked afresh, not from the log's cache: a role just given counts)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return LANDING[ANONYMOUS]
    return LANDING[_role(user)]
