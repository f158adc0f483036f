"""Logins, logouts and failed logins go into the audit trail (connected in AuditConfig.ready)."""

from contextvars import ContextVar

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


# -- permission changes --------------------------------------------------------------------------
# Who changes a permission is the signed-in user of the request doing it (the admin, usually);
# CurrentUserMiddleware keeps it for the length of the request.
current_user: ContextVar = ContextVar("current_user", default=None)


class CurrentUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_user.set(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            current_user.reset(token)


def _actor():
    user = current_user.get()
    return user if user is not None and user.is_authenticated else None


def permissions_changed(sender, instance, action: str, model, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear") or not hasattr(instance, "get_username"):
        return
    what = "permissions" if model._meta.model_name == "permission" else "groups"
    objects = model.objects.filter(pk__in=pk_set or []) if action != "post_clear" else model.objects.none()
    if what == "permissions":
        names = sorted(f"{p.content_type.app_label}.{p.codename}" for p in objects.select_related("content_type"))
    else:
        names = sorted(g.name for g in objects)
    record_event(user=_actor(), action=f"accounts.{what}_{action.removeprefix('post_')}",
                 target=f"user:{instance.get_username()}", after={what: names})


ROLE_FLAGS = ("is_active", "is_staff", "is_superuser")


def user_flags_changed(sender, instance, **kwargs) -> None:
    """Turning a user on or off, or into staff or superuser, is a permission change."""
    update_fields = kwargs.get("update_fields")
    # A save of other fields only (each login's last_login) cannot change a flag: no query for it.
    if instance.pk is None or (update_fields is not None and not set(update_fields) & set(ROLE_FLAGS)):
        return
    before = sender.objects.filter(pk=instance.pk).values(*ROLE_FLAGS).first()
    if before is None:
        return
    after = {f: getattr(instance, f) for f in ROLE_FLAGS}
    if before != after:
        record_event(user=_actor(), action="accounts.user_flags", target=f"user:{instance.get_username()}",
                     before=before, after=after)
