"""Encryption of personal data at rest (ID numbers), and keyed hashes to find it again.

Values are AES-256-GCM encrypted with a random nonce and stored as "v1:" + base64(nonce+ct).
Because encryption is randomised, equality look-ups use `blind_index()`, an HMAC of the value.
The key comes from settings (CLEANRECORD_FIELD_KEY, 32 bytes base64); in development one is
made in the data directory on first use.
"""

import base64
import hashlib
import hmac
import logging
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

log = logging.getLogger("cleanrecord.fieldcrypt")
PREFIX = "v1:"


@cache
def _master_key() -> bytes:
    value = settings.CLEANRECORD.get("FIELD_KEY")
    if not value:
        path = settings.DATA_DIR / "field_key"
        if not path.exists():
            path.write_text(base64.b64encode(os.urandom(32)).decode(), encoding="utf-8")
            path.chmod(0o600)
            log.warning("No CLEANRECORD_FIELD_KEY configured: created a field key in %s", path)
        value = path.read_text(encoding="utf-8").strip()
    key = base64.b64decode(value)
    if len(key) != 32:
        raise ValueError("CLEANRECORD_FIELD_KEY must be 32 bytes, base64-encoded")
    return key


@cache
def _keys() -> tuple[AESGCM, bytes]:
    master = _master_key()
    enc = hmac.new(master, b"cleanrecord field encryption", hashlib.sha256).digest()
    idx = hmac.new(master, b"cleanrecord blind index", hashlib.sha256).digest()
    return AESGCM(enc), idx


def encrypt(value: str) -> str:
    if not value:
        return ""
    aead, _ = _keys()
    nonce = os.urandom(12)
    return PREFIX + base64.b64encode(nonce + aead.encrypt(nonce, value.encode(), None)).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    if not token.startswith(PREFIX):
        raise ValueError("unknown ciphertext format")
    raw = base64.b64decode(token[len(PREFIX):])
    aead, _ = _keys()
    return aead.decrypt(raw[:12], raw[12:], None).decode()


def blind_index(value: str) -> str:
    """A keyed hash of `value`: equal inputs give equal outputs, without revealing the input."""
    _, idx = _keys()
    return hmac.new(idx, value.encode(), hashlib.sha256).hexdigest()[:32]
