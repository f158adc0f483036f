"""What an audit entry's hash covers, and the key it is made with.

Version 1 (entries written before the key existed) is a plain SHA-256 of some of the columns:
anyone who can write to the database can recompute it, so `verify_audit` no longer accepts it, and
migration 0003 re-chained such entries once. Versions 2 (HMAC-SHA256) and 3 (HMAC-SM3, 国密, used
while CLEANRECORD_FIELD_CIPHER is sm4-gcm) cover every column in one canonical JSON that names its
version. A column added later needs a new version, so that entries written before it stay
verifiable.

The key (CLEANRECORD_AUDIT_KEY, 32 bytes base64) is kept outside the database: whoever owns the
database can change rows, but cannot make hashes that verify.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cleanrecord import conf

log = logging.getLogger("cleanrecord.audit")

GENESIS = "0" * 64
LEGACY = 1
HMAC_SHA256 = 2
HMAC_SM3 = 3
KEYED = (HMAC_SHA256, HMAC_SM3)
KEY_FILE = "audit_key"


class MissingKey(ImproperlyConfigured):
    """No audit key is configured and none is kept in the data directory."""


def current_version() -> int:
    return HMAC_SM3 if conf.get("FIELD_CIPHER") == "sm4-gcm" else HMAC_SHA256


def audit_key(*, create: bool = True) -> bytes:
    """The chain's key. Made in the data directory (mode 0600) on first use when none is configured;
    `create=False` is for checking, where a missing key must be said, not replaced."""
    value = conf.get("AUDIT_KEY")
    if value:
        return _decode(value)
    return _key_from_file(str(settings.DATA_DIR), create)


@cache
def _key_from_file(data_dir: str, create: bool) -> bytes:
    path = os.path.join(data_dir, KEY_FILE)
    if create and not os.path.exists(path):
        try:
            # Created with its final mode: the key is never readable by others, not even for a moment.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(base64.b64encode(os.urandom(32)).decode())
            log.warning("No CLEANRECORD_AUDIT_KEY configured: created an audit key in %s", path)
    try:
        with open(path, encoding="utf-8") as f:
            return _decode(f.read().strip())
    except FileNotFoundError:
        raise MissingKey(f"No CLEANRECORD_AUDIT_KEY configured and no key in {path}") from None


def forget_key() -> None:
    """Read the key afresh on next use (tests, key rotation)."""
    _key_from_file.cache_clear()


def _decode(value: str) -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise ImproperlyConfigured("CLEANRECORD_AUDIT_KEY must be 32 bytes, base64-encoded")
    return key


def canonical(entry, version: int) -> bytes:
    """Every column of `entry` (a model instance, also a migration's historical one) as the bytes its hash
    covers. `user_ref` stands for the user: `user_id` may later go to NULL when the user is deleted."""
    body = {
        "v": version,
        "id": entry.id,
        "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "user": entry.user_ref,
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "before": entry.before,
        "after": entry.after,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def keyed_hash(entry, version: int, key: bytes | None = None) -> str:
    key = audit_key() if key is None else key
    body = canonical(entry, version)
    if version == HMAC_SHA256:
        return hmac.new(key, body, hashlib.sha256).hexdigest()
    if version == HMAC_SM3:
        mac = crypto_hmac.HMAC(key, hashes.SM3())
        mac.update(body)
        return mac.finalize().hex()
    raise ValueError(f"not a keyed audit hash version: {version}")


def legacy_hash(entry) -> str:
    """Version 1, kept to check entries written before the key, once, when they are re-chained."""
    body = json.dumps(
        [entry.prev_hash, entry.at.isoformat(), entry.actor, entry.action, entry.target, entry.before, entry.after],
        ensure_ascii=False, sort_keys=True, default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()
