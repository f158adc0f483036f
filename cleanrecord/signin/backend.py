"""The authentication backend of the identity service's sign-in (mozilla-django-oidc's, made strict).

On top of the library (signature against the service's JWKS, the nonce kept in the session, the state):
the ID token must name this platform as its audience and the configured issuer, and must not have
expired; the userinfo answer must be about the same `sub`. The account is found by (issuer, sub) and
bound to the entity the claims name (services.bind); a refusal is raised to the callback view.
"""

from typing import Any

import jwt
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import provider, services

LEEWAY_SECONDS = 60


class TokenExpired(services.SignInRefused):
    status = 400


class EntitySignInBackend(OIDCAuthenticationBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes a backend for every password login and every request of a signed-in user (get_user):
        # nothing is read from the service until a sign-in comes back with a code (authenticate).
        self.UserModel = get_user_model()

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return provider.library_setting(attr, *args)

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if request is None or not provider.enabled() or "nonce" not in kwargs:
            return None  # a password login, or sign-in switched off
        self.OIDC_OP_TOKEN_ENDPOINT = provider.endpoint("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = provider.endpoint("OIDC_OP_USER_ENDPOINT")
        self.OIDC_OP_JWKS_ENDPOINT = provider.endpoint("OIDC_OP_JWKS_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        self.OIDC_RP_CLIENT_SECRET = self.get_settings("OIDC_RP_CLIENT_SECRET")
        self.OIDC_RP_SIGN_ALGO = self.get_settings("OIDC_RP_SIGN_ALGO")
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload: Any, key: Any) -> dict[str, Any]:
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("ID token signed with another algorithm")
        try:
            return jwt.decode(payload, key, algorithms=[self.OIDC_RP_SIGN_ALGO], audience=self.OIDC_RP_CLIENT_ID,
                              issuer=provider.issuer(), leeway=LEEWAY_SECONDS,
                              options={"require": ["exp", "iat", "iss", "aud", "sub"]})
        except jwt.ExpiredSignatureError:
            raise TokenExpired(_("身份认证凭证已过期，请重新登录。")) from None
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from None

    def retrieve_matching_jwk(self, token: str) -> Any:
        """The service's key the token names by `kid`; a token without a `kid` only when the service has one key."""
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=self.get_settings("OIDC_TIMEOUT"))
        response.raise_for_status()
        keys = [k for k in response.json().get("keys", []) if k.get("use", "sig") == "sig"]
        header = jwt.get_unverified_header(token)
        if "kid" in header:
            keys = [k for k in keys if k.get("kid") == header["kid"]]
        keys = [k for k in keys if k.get("alg", header.get("alg")) == header.get("alg")]
        if len(keys) != 1:
            raise SuspiciousOperation("no single signing key of the service matches the ID token")
        return jwt.PyJWK(keys[0])

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The ID token's claims, with the userinfo endpoint's (when there is one) about the same person."""
        if not self.OIDC_OP_USER_ENDPOINT:
            return dict(payload)
        info = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(info, dict) or info.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo names another subject than the ID token")
        return {**payload, **info}

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        info = self.get_userinfo(access_token, id_token, payload)
        user = services.bind(services.Claims.read(provider.issuer(), info))
        return user if user.is_active else None

    def get_user(self, user_id: Any) -> Any:
        return ModelBackend.get_user(self, user_id)  # an account made inactive is signed out at its next request


# The errors a sign-in coming back from the service may end in, besides a refusal.
SERVICE_ERRORS = (requests.RequestException, provider.Unavailable)  # an answer that is no JSON is a RequestException too
