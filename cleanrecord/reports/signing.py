"""Digital signatures on report PDFs (PAdES), and checking them.

The key comes from settings: a PEM key and certificate (CLEANRECORD_SIGNING_KEY, _CERT, and an
optional _CHAIN of issuer certificates), or a PKCS#12 file (CLEANRECORD_SIGNING_PKCS12).
CLEANRECORD_SIGNING_PASSPHRASE, or the file named by CLEANRECORD_SIGNING_PASSPHRASE_FILE, unlocks
either. With none of them, the key is a local CA in DATA_DIR/signing, made by `manage.py signing_keys
init` (never on the fly): a root certificate and a signing certificate it issued. PDF readers show such
signatures as "identity unknown" until the root is trusted, which is why it is published
(root_certificate_pem, served at /trust/root.pem).

The root in use is recorded in the database (SigningRoot) by `signing_keys init` and `rotate`.
ensure_ready() refuses to sign for a report when the key is missing or its root is not the recorded
one, so that a lost key folder stops issuing instead of starting a new CA that would disown every
report issued before. check_signature() trusts the roots recorded (current and retired), and nothing
else. Neither function touches the network: no
timestamp server, no OCSP or CRL look-ups. Both are synchronous (pyHanko runs its own event loop):
from async code, call them through sync_to_async.
"""

import asyncio
import datetime as dt
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Required, TypedDict

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID, ObjectIdentifier
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.attributes import CMSAttributeProvider, SignedAttributeProviderSpec
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import as_signing_certificate_v2
from pyhanko.sign.validation import KeyUsageConstraints, SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from cleanrecord import conf

from .models import SigningRoot

log = logging.getLogger("cleanrecord.signing")

FIELD_NAME = "CleanrecordSignature"
DEFAULT_REASON = _("出具专用信用报告")

# The local CA, in DATA_DIR/signing; certificates replaced by a rotation are kept in RETIRED.
ROOT_CERT, ROOT_KEY = "root-cert.pem", "root-key.pem"
SIGNING_CERT, SIGNING_KEY = "signing-cert.pem", "signing-key.pem"
RETIRED = "retired"
ROOT_YEARS, SIGNING_YEARS = 30, 10
# id-kp-documentSigning (RFC 9336), and Microsoft Document Signing, which Acrobat also accepts.
DOCUMENT_SIGNING_EKU = [ObjectIdentifier("1.3.6.1.5.5.7.3.36"), ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")]

# Certificates from commercial CAs often carry only one of the two.
KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})
# Updates after the signature that leave the content alone: none at all, or validation data
# (DSS, document timestamps) such as Acrobat's "Add verification information" appends.
HARMLESS_UPDATES = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)


class Status(StrEnum):
    VALID = "valid"  # intact, ours, nothing changed since signing
    MODIFIED = "modified"  # the signed bytes were altered, or content was changed after signing
    UNTRUSTED = "untrusted"  # intact, but not signed by a certificate under our root
    UNSIGNED = "unsigned"  # a PDF without a signature
    MALFORMED = "malformed"  # not a readable PDF


@dataclass(frozen=True)
class SignatureCheck:
    status: Status
    sha256: str  # of the whole file
    # Of the file up to the end of the signed revision: the issued file's SHA-256 whenever the
    # signed part is unchanged, even if something was appended later.
    signed_sha256: str = ""
    whole_file: bool = False  # the signature covers every byte of the file
    signer: str = ""  # common name of the signing certificate
    signed_at: dt.datetime | None = None  # as the signer claims it; no timestamp authority vouches
    detail: str = ""  # why, in English, for logs


class _Found(TypedDict, total=False):
    """What check_signature() has read of a signature so far: the fields of its SignatureCheck."""

    sha256: Required[str]
    signed_sha256: str
    signer: str
    signed_at: dt.datetime | None


class KeyMissing(ImproperlyConfigured):
    """No local CA in the signing folder: `manage.py signing_keys init` has not run, or the folder was lost."""


class SigningUnavailable(Exception):
    """Reports cannot be signed now; the message says so in Chinese, the log says why."""


def ensure_ready() -> None:
    """Raise SigningUnavailable unless the signing key loads and its root is the recorded current root.

    A rotation made by another process is picked up here: a recorded signing certificate other than
    the loaded one makes this process read the keys again.
    """
    recorded = SigningRoot.objects.filter(current=True).first()
    if recorded is None:
        log.error("No signing root recorded: run `manage.py signing_keys init`")
        raise SigningUnavailable(gettext("平台签名密钥尚未初始化，暂不能出具报告，请联系平台管理员。"))
    global _reloaded_for
    keys = _loaded()
    stale = keys.root_fingerprint != recorded.fingerprint or (
        recorded.signing_fingerprint not in ("", keys.signing_fingerprint, _reloaded_for))
    if stale:
        # Once per recorded state: files replaced by hand under the same root must not cost a reload per report.
        _reloaded_for = recorded.signing_fingerprint
        reset_signer()
        keys = _loaded()
    if keys.root_fingerprint != recorded.fingerprint:
        log.error("The signing key's root %s is not the recorded root %s: restore the key, or run "
                  "`manage.py signing_keys rotate --new-root` to adopt a new root", keys.root_fingerprint,
                  recorded.fingerprint)
        raise SigningUnavailable(gettext("平台签名根证书与登记的不一致，暂不能出具报告，请联系平台管理员。"))


_reloaded_for: str | None = None


def _loaded() -> "_Keys":
    try:
        return _keys()
    except ImproperlyConfigured as exc:
        log.error("The signing key cannot be loaded: %s", exc)
        raise SigningUnavailable(gettext("平台签名密钥不可用，暂不能出具报告，请联系平台管理员。")) from exc


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of a certificate, AA:BB:…"""
    return certificate.fingerprint(hashes.SHA256()).hex(":").upper()


def sign_pdf(pdf: bytes, *, reason: str | Promise = DEFAULT_REASON, location: str = "") -> bytes:
    """Return `pdf` with an invisible PAdES signature that certifies it: any later change breaks it."""
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=str(reason) or None,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    return signers.PdfSigner(meta, _keys().signer).sign_pdf(writer).getvalue()


def root_certificate_pem() -> bytes:
    """The certificate readers must trust for our signatures to show as valid."""
    return _keys().root.public_bytes(serialization.Encoding.PEM)


def root_fingerprint() -> str:
    """SHA-256 of the root certificate, AA:BB:…, to publish next to it so a download can be checked."""
    return _keys().root_fingerprint


def trusted_roots() -> list[asn1_x509.Certificate]:
    """The roots a report's signature may chain to: every recorded one (current and retired).

    A missing or swapped key folder does not change them: the recorded roots still vouch for reports
    issued before, and a root nobody recorded vouches for nothing. Only before any root is recorded
    (an installation not yet initialised, a test) is the loaded key's root trusted.
    """
    roots = [asn1_x509.Certificate.load(x509.load_pem_x509_certificate(pem.encode()).public_bytes(
        serialization.Encoding.DER)) for pem in SigningRoot.objects.values_list("certificate", flat=True)]
    if roots:
        return roots
    try:
        return [_keys().root_asn1]  # a configuration error other than a missing folder is not the file's fault
    except KeyMissing:
        log.error("No signing key and no recorded root: run `manage.py signing_keys init`")
        return []  # every file then checks as not ours, which is true of this installation


def check_signature(pdf: bytes) -> SignatureCheck:
    """Check the first (our issuing) signature in `pdf` against our root. Never raises on bad input."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError("check_signature() is synchronous: call it through sync_to_async")
    roots = trusted_roots()

    sha256 = hashlib.sha256(pdf).hexdigest()
    try:
        reader = PdfFileReader(BytesIO(pdf))
    except Exception as exc:  # parsers raise all sorts on hostile input
        return SignatureCheck(Status.MALFORMED, sha256, detail=_describe(exc))
    try:
        signatures = reader.embedded_signatures
    except Exception as exc:
        # Readable as a PDF, but a signature in it cannot be read: treat as tampering.
        return SignatureCheck(Status.MODIFIED, sha256, detail=_describe(exc))
    if not signatures:
        return SignatureCheck(Status.UNSIGNED, sha256)

    signature = signatures[0]
    found: _Found = {"sha256": sha256}
    try:
        found["signed_sha256"] = _signed_revision_sha256(pdf, signature.byte_range)
        found["signer"] = signature.signer_cert.subject.native.get("common_name", "")
        found["signed_at"] = signature.self_reported_timestamp
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        result = validate_pdf_signature(signature, context, key_usage_settings=KEY_USAGE)
    except Exception as exc:
        return SignatureCheck(Status.MODIFIED, **found, detail=_describe(exc))

    if not (result.intact and result.valid):
        return SignatureCheck(Status.MODIFIED, **found, detail="the signature does not match the signed bytes")
    if not result.trusted:
        problem = result.trust_problem_indic
        detail = problem.standard_name if problem else "no path to our root"
        return SignatureCheck(Status.UNTRUSTED, **found, detail=detail)
    if result.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return SignatureCheck(Status.VALID, **found, whole_file=True)
    coverage, level = result.coverage, result.modification_level
    detail = (f"coverage {coverage.name if coverage else 'unknown'}, "
              f"modifications {level.name if level else 'unknown'}")
    if result.coverage == SignatureCoverageLevel.ENTIRE_REVISION and level in HARMLESS_UPDATES:
        return SignatureCheck(Status.VALID, **found, detail=detail)
    return SignatureCheck(Status.MODIFIED, **found, detail=detail)


def reset_signer() -> None:
    """Forget the loaded keys, so that the next use reads the settings again (tests, key rotation)."""
    _keys.cache_clear()


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def _signed_revision_sha256(pdf: bytes, byte_range) -> str:
    if len(byte_range) != 4 or byte_range[0] != 0:
        return ""
    end = int(byte_range[2]) + int(byte_range[3])
    return hashlib.sha256(pdf[:end]).hexdigest() if 0 < end <= len(pdf) else ""


# --- keys ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Keys:
    signer: signers.SimpleSigner
    certificate: x509.Certificate
    root: x509.Certificate
    root_asn1: asn1_x509.Certificate
    root_fingerprint: str
    signing_fingerprint: str


def uses_local_ca() -> bool:
    """No key configured in settings: the key is the local CA in the signing folder."""
    return not any(conf.get(name) for name in ("SIGNING_KEY", "SIGNING_CERT", "SIGNING_PKCS12"))


def local_folder() -> Path:
    return Path(settings.DATA_DIR) / "signing"


def loaded_certificates() -> tuple[x509.Certificate, x509.Certificate]:
    """The signing certificate and its root, as configured or in the signing folder (raises if neither)."""
    keys = _keys()
    return keys.certificate, keys.root


@cache
def _keys() -> _Keys:
    key_path, cert_path = conf.get("SIGNING_KEY"), conf.get("SIGNING_CERT")
    pkcs12_path, chain_path = conf.get("SIGNING_PKCS12"), conf.get("SIGNING_CHAIN")
    passphrase = conf.get("SIGNING_PASSPHRASE").encode() or None

    if pkcs12_path and (key_path or cert_path):
        raise ImproperlyConfigured("Configure either CLEANRECORD_SIGNING_PKCS12 or CLEANRECORD_SIGNING_KEY/_CERT, not both")
    if pkcs12_path:
        key, certificate, others = _read_pkcs12(Path(pkcs12_path), passphrase)
    elif key_path or cert_path:
        if not (key_path and cert_path):
            raise ImproperlyConfigured("CLEANRECORD_SIGNING_KEY and CLEANRECORD_SIGNING_CERT go together")
        key = _read_pem_key(Path(key_path), passphrase)
        certificate, *others = _read_pem_certificates(Path(cert_path))
    else:
        key, certificate, others = _local_ca(local_folder())
    if chain_path:
        others += _read_pem_certificates(Path(chain_path))
    return _make_keys(key, certificate, others)


def _make_keys(key, certificate: x509.Certificate, others: list[x509.Certificate]) -> _Keys:
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, spki) != certificate.public_key().public_bytes(
        serialization.Encoding.DER, spki
    ):
        raise ImproperlyConfigured("The signing key does not belong to the signing certificate")
    now = dt.datetime.now(dt.UTC)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        log.warning("The signing certificate is valid from %s to %s only: signatures will not be trusted",
                    certificate.not_valid_before_utc, certificate.not_valid_after_utc)
    root = _top_issuer(certificate, others)
    if root.issuer != root.subject:
        log.warning("No root certificate for %s in the configured chain: trusting %s directly",
                    certificate.subject.rfc4514_string(), root.subject.rfc4514_string())
    root_asn1 = asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))
    return _Keys(signer=_Signer(key, certificate, others), certificate=certificate, root=root, root_asn1=root_asn1,
                 root_fingerprint=fingerprint(root), signing_fingerprint=fingerprint(certificate))


def _top_issuer(certificate: x509.Certificate, others: list[x509.Certificate]) -> x509.Certificate:
    """Follow issuers from `certificate` through `others` up to a self-signed root, or as far as they go."""
    current = certificate
    for _step in range(len(others)):
        if current.issuer == current.subject:
            break
        issuer = next((c for c in others if c is not current and _issued(current, c)), None)
        if issuer is None:
            break
        current = issuer
    return current


def _issued(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except Exception:  # wrong name, wrong key, unsupported algorithm: not its issuer
        return False
    return True


def _read_pem_key(path: Path, passphrase: bytes | None):
    data = _read(path)
    try:
        return serialization.load_pem_private_key(data, passphrase if b"ENCRYPTED" in data else None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"Cannot read the signing key {path} (wrong passphrase?): {exc}") from exc


def _read_pem_certificates(path: Path) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(_read(path))
    except ValueError as exc:
        raise ImproperlyConfigured(f"Cannot read certificates from {path}: {exc}") from exc


def _read_pkcs12(path: Path, passphrase: bytes | None):
    try:
        key, certificate, others = pkcs12.load_key_and_certificates(_read(path), passphrase)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"Cannot read the PKCS#12 file {path} (wrong passphrase?): {exc}") from exc
    if key is None or certificate is None:
        raise ImproperlyConfigured(f"The PKCS#12 file {path} holds no key and certificate")
    return key, certificate, list(others)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(f"Cannot read {path}: {exc}") from exc


class _Signer(signers.SimpleSigner):
    """pyHanko's SimpleSigner, minus two costs that are the same for every signature.

    SimpleSigner parses its private key again for each signature (25 ms for RSA-2048), and rebuilds
    the signing-certificate attribute, whose asn1crypto encoding takes 5 ms; parsed once, both are
    reused. The attribute is the one pyHanko itself puts in a PAdES signature; should the signature
    metadata ever ask for more CAdES attributes (cades_signed_attr_spec), drop the override.
    """

    def __init__(self, key, certificate: x509.Certificate, others: list[x509.Certificate]):
        der = serialization.Encoding.DER
        cert_asn1 = asn1_x509.Certificate.load(certificate.public_bytes(der))
        key_asn1 = asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
        registry = SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(c.public_bytes(der)) for c in others])
        super().__init__(signing_cert=cert_asn1, signing_key=key_asn1, cert_registry=registry)
        self._key = key
        self.signed_attr_prov_spec = _SignedAttributes(as_signing_certificate_v2(cert_asn1).dump())

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        try:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        except ValueError:
            mechanism = None
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "ecdsa" and isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(hash_algorithm))
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), hash_algorithm)
        return super().sign_raw(data, digest_algorithm)


class _SigningCertificateAttribute(CMSAttributeProvider):
    attribute_type = "signing_certificate_v2"

    def __init__(self, der: bytes):
        self.der = der

    async def build_attr_value(self, dry_run=False):
        # A parsed value is written out by copying its bytes; a built one is re-encoded every time.
        return tsp.SigningCertificateV2.load(self.der)


class _SignedAttributes(SignedAttributeProviderSpec):
    def __init__(self, signing_certificate_der: bytes):
        self.providers = [_SigningCertificateAttribute(signing_certificate_der)]

    def signed_attr_providers(self, data_digest, digest_algorithm):
        return self.providers


# --- the local CA ----------------------------------------------------------------------------------


def _local_ca(folder: Path):
    if not (folder / SIGNING_CERT).exists():
        # Never made here: a new CA would disown every report signed before (signing_keys init makes it).
        raise KeyMissing(f"No signing key in {folder}: restore the folder from a backup (or, on a new "
                         "installation, run `manage.py signing_keys init`)")
    key = serialization.load_pem_private_key((folder / SIGNING_KEY).read_bytes(), None)
    certificate = x509.load_pem_x509_certificate((folder / SIGNING_CERT).read_bytes())
    root = x509.load_pem_x509_certificate((folder / ROOT_CERT).read_bytes())
    return key, certificate, [root]


def create_local_ca(folder: Path, *, keep: Sequence[Path] = ()) -> bool:
    """Make a root and a signing certificate in `folder`, all at once or not at all; False if one is there.

    The files are written to a fresh directory that is then renamed into place: when two processes
    start at the same time, one rename wins and both go on with the winner's keys. Files in `keep`
    (certificates of an earlier CA) are copied into its retired/ folder first.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".signing-", dir=folder.parent))
    try:
        _write_local_ca(staging)
        if keep:
            (staging / RETIRED).mkdir(mode=0o700)
            for path in keep:
                shutil.copy2(path, staging / RETIRED / path.name)
        try:
            os.rename(staging, folder)
        except OSError:
            if not (folder / SIGNING_CERT).exists():
                raise
            return False
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    reset_signer()
    log.warning(
        "Created a local CA in %s. Publish its root certificate (/trust/root.pem) and have readers trust it, "
        "or configure a key from a recognised CA (CLEANRECORD_SIGNING_*).", folder,
    )
    return True


def replace_local_ca(folder: Path) -> None:
    """A new root and signing certificate in place of the folder's; its certificates move to retired/."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    old = folder.with_name(f".signing-replaced-{stamp}")
    if folder.exists():
        os.rename(folder, old)
    keep = []
    if old.exists():
        keep = sorted((old / RETIRED).glob("*.pem")) if (old / RETIRED).exists() else []
        for name in (ROOT_CERT, SIGNING_CERT):
            if (old / name).exists():
                copy = old / RETIRED / f"{stamp}-{name}"
                copy.parent.mkdir(mode=0o700, exist_ok=True)
                shutil.copy2(old / name, copy)
                keep.append(copy)
    try:
        create_local_ca(folder, keep=keep)
    except BaseException:
        if old.exists() and not folder.exists():
            os.rename(old, folder)
        raise
    # The old keys go with the old folder: whoever asks for a new root no longer trusts them.
    shutil.rmtree(old, ignore_errors=True)


def rotate_local_signing(folder: Path) -> x509.Certificate:
    """A new signing key and certificate from the folder's root key; the old certificate moves to retired/."""
    try:
        root_key = serialization.load_pem_private_key((folder / ROOT_KEY).read_bytes(), None)
        root = x509.load_pem_x509_certificate((folder / ROOT_CERT).read_bytes())
        old = (folder / SIGNING_CERT).read_bytes()
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"Cannot read the root key and certificates in {folder}: {exc}") from exc
    signing_key, signing = _issue_signing(root, root_key)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    (folder / RETIRED).mkdir(mode=0o700, exist_ok=True)
    _write(folder / RETIRED / f"{stamp}-{SIGNING_CERT}", old, 0o644)
    pem = serialization.Encoding.PEM
    pkcs8, plain = serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    for name, data, mode in ((SIGNING_KEY, signing_key.private_bytes(pem, pkcs8, plain), 0o600),
                             (SIGNING_CERT, signing.public_bytes(pem), 0o644)):
        fresh = folder / f".{name}.{stamp}"
        _write(fresh, data, mode)
        os.replace(fresh, folder / name)
    reset_signer()
    return signing


# The local root certificate's subject name (in the certificate: data, not the site's interface).
LOCAL_ROOT_NAME = "cleanrecord 本地根证书"


def _write_local_ca(folder: Path) -> None:
    # ECDSA P-256: signing takes 0.1 ms, where pyHanko needs 25 ms to load an RSA-2048 key alone.
    platform = conf.get("PLATFORM_NAME")
    now = dt.datetime.now(dt.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(LOCAL_ROOT_NAME, platform)
    root = (
        _builder(root_name, root_name, root_key, now, ROOT_YEARS)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    signing_key, signing = _issue_signing(root, root_key)
    pem = serialization.Encoding.PEM
    pkcs8, plain = serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    _write(folder / ROOT_CERT, root.public_bytes(pem), 0o644)
    # The root key is only needed to issue the next signing certificate; it may be moved offline.
    _write(folder / ROOT_KEY, root_key.private_bytes(pem, pkcs8, plain), 0o600)
    _write(folder / SIGNING_CERT, signing.public_bytes(pem), 0o644)
    _write(folder / SIGNING_KEY, signing_key.private_bytes(pem, pkcs8, plain), 0o600)


def _issue_signing(root: x509.Certificate, root_key) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    platform = conf.get("PLATFORM_NAME")
    now = dt.datetime.now(dt.UTC)
    signing_key = ec.generate_private_key(ec.SECP256R1())
    signing = (
        _builder(_name(platform, platform), root.subject, signing_key, now, SIGNING_YEARS)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage(DOCUMENT_SIGNING_EKU), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    return signing_key, signing


def _name(common_name: str, organisation: str) -> x509.Name:
    def fit(value: str) -> str:  # at most 64 bytes of UTF-8, cut between characters
        return value.encode()[:64].decode(errors="ignore")

    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, fit(organisation)),
        x509.NameAttribute(NameOID.COMMON_NAME, fit(common_name)),
    ])


def _builder(subject: x509.Name, issuer: x509.Name, key, now: dt.datetime, years: int) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


def _key_usage(**usages: bool) -> x509.KeyUsage:
    names = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
             "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")
    return x509.KeyUsage(**{name: usages.get(name, False) for name in names})


def _write(path: Path, data: bytes, mode: int) -> None:
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb") as f:
        f.write(data)
