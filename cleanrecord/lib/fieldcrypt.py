"""Encryption of personal data at rest (ID numbers, objection evidence), and keyed hashes to find it again.

Values are encrypted with a random nonce and stored as a prefix + base64(nonce+ct+tag):
"v1:" for AES-256-GCM (the default), "v2s:" for SM4-GCM (国密, RFC 8998) when
CLEANRECORD["FIELD_CIPHER"] is "sm4-gcm". Decryption reads both, so switching the setting keeps
existing values readable; new values are written with the configured cipher.
Because encryption is randomised, equality look-ups use `blind_index()`, an HMAC of the value.
The key comes from settings (CLEANRECORD_FIELD_KEY, 32 bytes base64); in development one is
made in the data directory on first use. Both cipher keys are derived from it.
"""

import base64
import hashlib
import hmac
import logging
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cleanrecord import conf

log = logging.getLogger("cleanrecord.fieldcrypt")
PREFIX = "v1:"
SM4_PREFIX = "v2s:"
CIPHERS = ("aes-gcm", "sm4-gcm")
NONCE_BYTES = 12
TAG_BYTES = 16


@cache
def _master_key() -> bytes:
    value = conf.get("FIELD_KEY")
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


@cache
def _sm4_key() -> bytes:
    # SM4 keys are 128 bits; derived apart from the AES key so that neither reveals the other.
    return hmac.new(_master_key(), b"cleanrecord field encryption sm4", hashlib.sha256).digest()[:16]


def _cipher() -> str:
    name = conf.get("FIELD_CIPHER")
    if name not in CIPHERS:
        raise ImproperlyConfigured(f"CLEANRECORD_FIELD_CIPHER must be one of {', '.join(CIPHERS)}, not {name!r}")
    return name


def _sm4_encrypt(nonce: bytes, data: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(_sm4_key()), modes.GCM(nonce)).encryptor()
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _sm4_decrypt(nonce: bytes, data: bytes) -> bytes:
    """Raises cryptography.exceptions.InvalidTag, like AESGCM, when the value was altered."""
    ct, tag = data[:-TAG_BYTES], data[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(_sm4_key()), modes.GCM(nonce, tag)).decryptor()
    return decryptor.update(ct) + decryptor.finalize()


def _seal(data: bytes) -> tuple[str, bytes]:
    """(prefix, nonce + ciphertext + tag) with the configured cipher."""
    nonce = os.urandom(NONCE_BYTES)
    if _cipher() == "sm4-gcm":
        return SM4_PREFIX, nonce + _sm4_encrypt(nonce, data)
    aead, _ = _keys()
    return PREFIX, nonce + aead.encrypt(nonce, data, None)


def encrypt_bytes(data: bytes) -> bytes:
    """`data` encrypted with the configured cipher: prefix + nonce + ciphertext + tag."""
    prefix, sealed = _seal(data)
    return prefix.encode() + sealed


def _unseal(prefix: str, sealed: bytes) -> bytes:
    """Raises cryptography.exceptions.InvalidTag when the value was altered."""
    nonce, data = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    if prefix == SM4_PREFIX:
        return _sm4_decrypt(nonce, data)
    aead, _ = _keys()
    return aead.decrypt(nonce, data, None)


def decrypt_bytes(blob: bytes) -> bytes:
    """Raises cryptography.exceptions.InvalidTag when the value was altered, ValueError when it is not ours."""
    for prefix in (SM4_PREFIX, PREFIX):
        if blob.startswith(prefix.encode()):
            return _unseal(prefix, blob[len(prefix):])
    raise ValueError("unknown ciphertext format")


def encrypt(value: str) -> str:
    if not value:
        return ""
    prefix, sealed = _seal(value.encode())
    return prefix + base64.b64encode(sealed).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    for prefix in (SM4_PREFIX, PREFIX):
        if token.startswith(prefix):
            return _unseal(prefix, base64.b64decode(token[len(prefix):])).decode()
    raise ValueError("unknown ciphertext format")


def blind_index(value: str) -> str:
    """A keyed hash of `value`: equal inputs give equal outputs, without revealing the input."""
    _, idx = _keys()
    return hmac.new(idx, value.encode(), hashlib.sha256).hexdigest()[:32]
