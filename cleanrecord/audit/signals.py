"""Logins, logouts and failed logins go into the audit trail (connected in AuditConfig.ready)."""

from axes.helpers import get_client_ip_address
from django.http import HttpRequest

from .services import record_event

# Django's login form does not limit the username's length, and an attacker chooses it.
USERNAME_MAX = 150


def attempted_username(request: HttpRequest | None, credentials: dict | None) -> str:
    """The username a login attempt named, cut to what a real one can be. django-axes counts failures under
    this name too (AXES_USERNAME_CALLABLE): its own column would overflow on PostgreSQL."""
    source = credentials if credentials else (request.POST if request is not None else {})
    return str(source.get("username") or "")[:USERNAME_MAX]


def _address(request: HttpRequest | None) -> str | None:
    # The same address django-axes locks on, so the trail and the lockout agree.
    return get_client_ip_address(request) if request is not None else None


def login_succeeded(sender, request: HttpRequest | None, user, **kwargs) -> None:
    record_event(user=user, action="accounts.login", target=f"user:{user.get_username()}",
                 after={"ip": _address(request)})


def logged_out(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if user is None:  # logging out without a session
        return
    record_event(user=user, action="accounts.logout", target=f"user:{user.get_username()}",
                 after={"ip": _address(request)})


def login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    # `credentials` arrives with the password already masked by Django; only the username is kept.
    username = attempted_username(request, credentials)
    record_event(user=None, actor="anonymous", action="accounts.login_failed", target=f"user:{username}",
                 after={"username": username, "ip": _address(request)})
