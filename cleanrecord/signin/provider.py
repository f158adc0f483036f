"""The identity service as this platform is configured for it: on or off, its endpoints, the library's settings.

mozilla-django-oidc reads its configuration through `get_settings(NAME)`; our views and backend answer
those names from here (cleanrecord.conf), so that everything comes from the environment and the
endpoints from the issuer's discovery document (read once an hour per issuer), unless set one by one.
"""

import threading
import time
from typing import Any

import requests
from django.core.exceptions import ImproperlyConfigured

from cleanrecord import conf

DISCOVERY_SECONDS = 3600.0
_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()

# Our setting, and the discovery document's key, of each endpoint the library asks for.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": ("OIDC_AUTHORIZATION_ENDPOINT", "authorization_endpoint"),
    "OIDC_OP_TOKEN_ENDPOINT": ("OIDC_TOKEN_ENDPOINT", "token_endpoint"),
    "OIDC_OP_USER_ENDPOINT": ("OIDC_USERINFO_ENDPOINT", "userinfo_endpoint"),
    "OIDC_OP_JWKS_ENDPOINT": ("OIDC_JWKS_ENDPOINT", "jwks_uri"),
}


class Unavailable(Exception):
    """The identity service could not be reached or answered nonsense."""


def enabled() -> bool:
    return bool(conf.get("OIDC_ISSUER"))


def issuer() -> str:
    return conf.get("OIDC_ISSUER").rstrip("/")


def discovery() -> dict[str, Any]:
    """The issuer's discovery document (cached); {} when every endpoint is set explicitly."""
    if all(conf.get(ours) for ours, _ in ENDPOINTS.values()):
        return {}
    url = issuer() + "/.well-known/openid-configuration"
    now = time.monotonic()
    with _lock:
        cached = _discovered.get(url)
        if cached is not None and now - cached[0] < DISCOVERY_SECONDS:
            return cached[1]
    try:
        response = requests.get(url, timeout=conf.get("OIDC_TIMEOUT"))
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise Unavailable(f"discovery at {url} failed: {error}") from error
    if not isinstance(document, dict) or document.get("issuer", "").rstrip("/") != issuer():
        raise Unavailable(f"discovery at {url} names another issuer")
    with _lock:
        _discovered[url] = (now, document)
    return document


def endpoint(library_name: str) -> str:
    ours, key = ENDPOINTS[library_name]
    return conf.get(ours) or str(discovery().get(key) or "")


def library_setting(name: str, *default: Any) -> Any:
    """What mozilla-django-oidc asks for by `name`, from our settings; its own default for the rest."""
    if name in ENDPOINTS:
        return endpoint(name) if enabled() else ""
    fixed = {
        "OIDC_RP_CLIENT_ID": lambda: conf.get("OIDC_CLIENT_ID"),
        "OIDC_RP_CLIENT_SECRET": lambda: conf.get("OIDC_CLIENT_SECRET"),
        "OIDC_RP_SCOPES": lambda: conf.get("OIDC_SCOPES"),
        "OIDC_RP_SIGN_ALGO": lambda: conf.get("OIDC_SIGN_ALGO"),
        "OIDC_TIMEOUT": lambda: conf.get("OIDC_TIMEOUT"),
        "OIDC_AUTHENTICATION_CALLBACK_URL": lambda: "oidc-callback",
        "OIDC_USE_NONCE": lambda: True,
        "OIDC_ALLOW_UNSECURED_JWT": lambda: False,
        "OIDC_CREATE_USER": lambda: True,
        "OIDC_STORE_ACCESS_TOKEN": lambda: False,
        "OIDC_STORE_ID_TOKEN": lambda: False,
        "OIDC_RP_IDP_SIGN_KEY": lambda: None,
    }
    if name in fixed:
        return fixed[name]()
    if default:
        return default[0]
    raise ImproperlyConfigured(f"{name}: not a setting of the platform's OIDC sign-in")


def forget() -> None:
    """Drop cached discovery documents (tests)."""
    with _lock:
        _discovered.clear()
