"""A real OpenID Connect provider for tests: oidc-provider-mock (Flask + Authlib) on a free local port.

`start_provider()` runs it in a thread and yields a `Provider`; the `oidc_provider` fixture (conftest.py) also
points the platform's OIDC settings at it. A test sets the claims a person will have (`provider.set_claims(sub, {...})`)
and signs in either through a browser (the provider's page asks for the `sub`) or with `provider.authorize(url)`.

The provider is the package's own, unchanged. Between it and the platform sits one switch, `tamper_next_token`:
the next ID token the token endpoint hands out has one byte of its signature changed, as a man in the middle
would; that is how a test shows a forged token is refused.
"""

import base64
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from threading import Thread
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

CLIENT_ID = "cleanrecord-test"
CLIENT_SECRET = "test-secret"


@dataclass
class Provider:
    issuer: str
    tamper_next_token: bool = False
    _switches: dict[str, Any] = field(default_factory=dict)

    def set_claims(self, sub: str, claims: dict[str, Any]) -> None:
        """The claims (beside `sub`) the provider will assert for this person from now on."""
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=10)
        response.raise_for_status()

    def authorize(self, authorization_url: str, sub: str) -> str:
        """Sign in at the provider as `sub` (what its page's form does); the URL it sends the browser back to."""
        response = requests.post(authorization_url, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]

    def settings(self) -> dict[str, Any]:
        """The platform settings (by their names in cleanrecord.conf) that sign in through this provider."""
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET}


def _tamper(token: str) -> str:
    head, body, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return ".".join((head, body, base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()))


def _wrap(app: Any, provider: Provider) -> Any:
    """The provider's WSGI app, with the token endpoint's answer tampered with when the test asks for it."""

    def wsgi(environ: dict, start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/oauth2/token" or not provider.tamper_next_token:
            return app(environ, start_response)
        provider.tamper_next_token = False
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = b"".join(app(environ, capture))
        answer = json.loads(body)
        if "id_token" in answer:
            answer["id_token"] = _tamper(answer["id_token"])
        body = json.dumps(answer).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]

    return wsgi


@contextmanager
def start_provider(*, token_max_age: timedelta = timedelta(hours=1), require_nonce: bool = True) -> Iterator[Provider]:
    """An OIDC provider listening on a free port of localhost until the block ends. A negative `token_max_age`
    makes it hand out ID tokens that expired before they were issued."""
    import werkzeug.serving  # with oidc_provider_mock: only the tests that start a provider load Flask
    from oidc_provider_mock import app as provider_app

    flask_app = provider_app(require_nonce=require_nonce, access_token_max_age=token_max_age)
    server = werkzeug.serving.make_server("localhost", 0, lambda e, s: wsgi(e, s), threaded=True)
    provider = Provider(issuer=f"http://localhost:{server.server_port}")
    wsgi = _wrap(flask_app, provider)
    thread = Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(2)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
