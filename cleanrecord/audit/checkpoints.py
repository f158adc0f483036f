"""Signed checkpoints of the audit chain's head, kept outside the database.

A checkpoint says: at this moment the trail held `count` entries, the newest #`entry_id` with hash
`hash`. It is signed with the platform key (the report signing key, which the reports app lends
through register_signer) and written as a file to the checkpoint directory, as Certificate
Transparency's signed tree heads are. `verify_audit` then proves that every entry a checkpoint
covers is still there and unchanged, so that even the database's owner cannot delete the newest
entries, truncate the table or re-hash it unnoticed. Entries newer than the last checkpoint are
protected only by the key: hence a checkpoint every night and whenever a report is issued a day
or more after the last one, and copies of the directory kept elsewhere.
"""

import base64
import datetime as dt
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext

from cleanrecord import conf
from cleanrecord.lib.refusals import Refused

from . import chain
from .models import AuditEntry

log = logging.getLogger("cleanrecord.audit")

FORMAT = "cleanrecord-audit-checkpoint"
MAX_AGE = dt.timedelta(days=1)
MAX_FILE_BYTES = 64 * 1024  # a checkpoint is about 2 KB; anything far larger is not one
MAX_FILES = 100_000
NAME = re.compile(r"^(\d{8}T\d{12})Z-(\d+)\.json$")
HASH = re.compile(r"^[0-9a-f]{64}$")


class CheckpointRefused(Refused):
    """A checkpoint cannot be taken or checked; the message says why, in Chinese. Its own class because
    report_head lets a report go out without a fresh checkpoint, and must not swallow other refusals."""


class Signer(Protocol):
    def sign(self, data: bytes) -> tuple[str, bytes, bytes]:
        """(signature algorithm, signature over `data` with SHA-256, signing certificate in DER)."""

    def trusts(self, certificate: x509.Certificate) -> bool:
        """Whether `certificate` is the platform's signing certificate, now or earlier (under the same root)."""


_signer: Signer | None = None


def register_signer(signer: Signer | None) -> None:
    """The platform key lives in the reports app, above this one: it hands the key in when it starts."""
    global _signer
    _signer = signer


def _platform_signer() -> Signer:
    if _signer is None:
        raise CheckpointRefused(gettext("平台签名密钥未加载（报告应用未启用），无法签署或核验审计检查点"))
    return _signer


@dataclass(frozen=True)
class Head:
    entry_id: int  # 0 for an empty trail
    count: int
    hash: str


@dataclass
class Checkpoint:
    name: str
    at: dt.datetime | None = None
    entry_id: int = 0
    count: int = 0
    hash: str = ""
    problem: str = ""  # why it cannot be trusted; "" when its signature is the platform's


def current_head() -> Head:
    # Count and newest id in one statement, so they agree; entries commit in id order (services.CHAIN_LOCK).
    agg = AuditEntry.objects.order_by().aggregate(count=Count("id"), last=Max("id"))
    if not agg["last"]:
        return Head(0, 0, chain.GENESIS)
    last_hash = AuditEntry.objects.filter(id=agg["last"]).values_list("hash", flat=True).get()
    return Head(agg["last"], agg["count"], last_hash)


def directory(*, create: bool = False) -> Path:
    path = Path(conf.get("AUDIT_CHECKPOINT_DIR") or Path(settings.DATA_DIR) / "audit-checkpoints")
    if create and not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode is narrowed by the umask, never widened: make sure
    return path


def canonical_json(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def take(*, now: dt.datetime | None = None) -> Checkpoint:
    """Sign the chain's current head and write it to the checkpoint directory; CheckpointRefused if it cannot."""
    signer = _platform_signer()
    head = current_head()
    at = (now or timezone.now()).astimezone(dt.UTC)
    body = {"format": FORMAT, "version": 1, "at": at.isoformat(timespec="microseconds"),
            "entry_id": head.entry_id, "count": head.count, "hash": head.hash}
    data = canonical_json(body)
    try:
        algorithm, signature, certificate_der = signer.sign(data)
    except Exception as exc:  # whatever the key loader raises: the key is missing, unreadable or refused
        raise CheckpointRefused(gettext("无法使用平台签名密钥，审计检查点未写入：%(exc)s") % {"exc": exc}) from exc
    certificate = x509.load_der_x509_certificate(certificate_der)
    document = {
        "checkpoint": body,
        "signature": {"algorithm": algorithm, "digest": "sha256", "value": base64.b64encode(signature).decode()},
        "certificate": certificate.public_bytes(serialization.Encoding.PEM).decode(),
        "certificate_sha256": _fingerprint(certificate),
    }
    folder = directory()
    name = f"{at:%Y%m%dT%H%M%S%f}Z-{head.entry_id}.json"
    try:
        directory(create=True)
        # Written aside (mkstemp makes it 0600) and renamed into place: a reader never sees half a checkpoint.
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(document, f, ensure_ascii=False, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, folder / name)
    except OSError as exc:
        raise CheckpointRefused(gettext("无法写入审计检查点目录 %(folder)s：%(error)s")
                                % {"folder": folder, "error": exc.strerror or exc}) from exc
    log.info("audit checkpoint %s: entry #%s, %s entries", name, head.entry_id, head.count)
    return Checkpoint(name, at, head.entry_id, head.count, head.hash)


def _names(folder: Path) -> list[str]:
    try:
        names = sorted(n for n in os.listdir(folder) if NAME.match(n))
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise CheckpointRefused(gettext("无法读取审计检查点目录 %(folder)s：%(error)s")
                                % {"folder": folder, "error": exc.strerror or exc}) from exc
    return names[-MAX_FILES:]


def latest_time() -> dt.datetime | None:
    """When the newest checkpoint was taken, from its file name alone (cheap: no reading, no signature check)."""
    names = _names(directory())
    if not names:
        return None
    found = NAME.match(names[-1])
    assert found is not None  # _names() lists only the names NAME matches
    stamp = found.group(1)
    return dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S%f").replace(tzinfo=dt.UTC)


def ensure_recent(*, max_age: dt.timedelta = MAX_AGE) -> dt.datetime | None:
    """Take a checkpoint when the newest is older than `max_age` (or there is none); return the newest's time."""
    latest = latest_time()
    if latest is None or timezone.now() - latest >= max_age:
        latest = take().at
    return latest


def load_all() -> list[Checkpoint]:
    """Every checkpoint in the directory, oldest first, each with its signature checked."""
    folder = directory()
    return [_load(folder / name) for name in _names(folder)]


def _load(path: Path) -> Checkpoint:
    found = Checkpoint(path.name)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValueError("too large")
        document = json.loads(path.read_text(encoding="utf-8"))
        body = document["checkpoint"]
        if body.get("format") != FORMAT or body.get("version") != 1:
            raise ValueError("not a checkpoint")
        found.at = dt.datetime.fromisoformat(body["at"])
        found.entry_id, found.count, found.hash = body["entry_id"], body["count"], body["hash"]
        if not (_count(found.entry_id) and _count(found.count) and isinstance(found.hash, str)
                and HASH.match(found.hash)):
            raise ValueError("bad values")
        signature = document["signature"]
        certificate = x509.load_pem_x509_certificate(document["certificate"].encode())
        value = base64.b64decode(signature["value"], validate=True)
        algorithm = signature["algorithm"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        found.problem = gettext("文件无法读取或不是审计检查点（%(error)s）") % {"error": type(exc).__name__}
        return found
    if document.get("certificate_sha256") != _fingerprint(certificate):
        found.problem = gettext("所附证书与记录的证书指纹不符")
    elif not _signature_holds(certificate, algorithm, value, canonical_json(body)):
        found.problem = gettext("签名无效：检查点内容在签署后被改动过")
    elif not _trusted(certificate):
        found.problem = (gettext("签名证书（%(subject)s）不是本平台的签名证书")
                         % {"subject": certificate.subject.rfc4514_string()})
    return found


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _trusted(certificate: x509.Certificate) -> bool:
    try:
        return _platform_signer().trusts(certificate)
    except CheckpointRefused:
        raise
    except Exception as exc:
        raise CheckpointRefused(gettext("无法加载平台签名证书，审计检查点的签名无从核验：%(exc)s") % {"exc": exc}) from exc


def _signature_holds(certificate: x509.Certificate, algorithm: str, signature: bytes, data: bytes) -> bool:
    key = certificate.public_key()
    try:
        if algorithm == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        elif algorithm == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif algorithm in ("ed25519", "ed448") and isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(signature, data)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex(":").upper()


def report_head() -> dict:
    """The chain's head for a report's snapshot, after making sure a checkpoint is at most a day old.

    A checkpoint that cannot be taken does not stop the report: the nightly job is the one that must
    succeed, and it fails loudly. The report then names the older checkpoint, or none.
    """
    try:
        checkpoint_at = ensure_recent()
    except CheckpointRefused as exc:
        log.error("audit checkpoint at report issue refused: %s", exc)
        try:
            checkpoint_at = latest_time()
        except CheckpointRefused:
            checkpoint_at = None
    last = AuditEntry.objects.order_by("-id").values_list("id", "hash").first() or (0, chain.GENESIS)
    return {
        "entry_id": last[0],
        "hash": last[1][:16],
        "checkpoint_at": timezone.localtime(checkpoint_at).isoformat(timespec="seconds") if checkpoint_at else None,
    }
