import asyncio
import datetime as dt
import hashlib
import logging
import os
import shutil
import stat
from io import BytesIO

import pytest
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore

from cleanrecord import conf
from cleanrecord.reports.models import SigningRoot
from cleanrecord.reports.signing import (
    KeyMissing,
    Status,
    check_signature,
    create_local_ca,
    reset_signer,
    root_certificate_pem,
    root_fingerprint,
    sign_pdf,
)

PLATFORM = "信用中国（甘肃兰州）信用信息共享平台"

# check_signature() trusts the roots recorded in the database; these tests record none, so the loaded
# key's root is the one trusted.
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def signing_settings(settings, tmp_path):
    """Each test starts with no signing key configured and a data directory holding a fresh local CA."""
    settings.DATA_DIR = tmp_path / "data"
    settings.CLEANRECORD = {k: v for k, v in settings.CLEANRECORD.items() if not k.startswith("SIGNING_")}
    settings.CLEANRECORD["PLATFORM_NAME"] = PLATFORM
    SigningRoot.objects.all().delete()
    create_local_ca(settings.DATA_DIR / "signing")
    reset_signer()
    yield settings
    reset_signer()


def configure(settings, **entries):
    settings.CLEANRECORD = {**settings.CLEANRECORD, **entries}
    reset_signer()


def make_pdf(text: str = "Hello") -> bytes:
    """A one-page PDF with an uncompressed content stream, written by hand."""
    content = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_ca(name: str, key_type: str = "ec"):
    """A root and a signing certificate issued by it, as cryptography objects."""

    def new_key():
        return rsa.generate_private_key(65537, 2048) if key_type == "rsa" else ec.generate_private_key(ec.SECP256R1())

    def builder(subject, issuer, key, ca: bool):
        now = dt.datetime.now(dt.UTC)
        return (
            x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=not ca, content_commitment=not ca, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False,
            ), critical=True)
        )

    root_key, key = new_key(), new_key()
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} Root")])
    root = builder(root_name, root_name, root_key, ca=True).sign(root_key, hashes.SHA256())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    certificate = builder(subject, root_name, key, ca=False).sign(root_key, hashes.SHA256())
    return key, certificate, root


def pem(*certificates) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def write_pem_files(tmp_path, key, certificate, root, passphrase: bytes | None = None) -> dict:
    encryption = serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    (tmp_path / "cert.pem").write_bytes(pem(certificate))
    (tmp_path / "chain.pem").write_bytes(pem(root))
    return {
        "SIGNING_KEY": str(tmp_path / "key.pem"),
        "SIGNING_CERT": str(tmp_path / "cert.pem"),
        "SIGNING_CHAIN": str(tmp_path / "chain.pem"),
        "SIGNING_PASSPHRASE": (passphrase or b"").decode(),
    }


@pytest.mark.pdf
def test_a_signed_report_checks_as_valid_and_names_its_signer():
    pdf = make_pdf()
    signed = sign_pdf(pdf, location="兰州市")

    check = check_signature(signed)
    assert check.status == Status.VALID == "valid"
    assert check.whole_file
    assert check.sha256 == check.signed_sha256 == hashlib.sha256(signed).hexdigest()
    assert check.signer == PLATFORM
    assert check.signed_at is not None
    assert signed.startswith(pdf)  # an incremental update: the rendered report is untouched
    assert b"/ETSI.CAdES.detached" in signed and b"/DocMDP" in signed


@pytest.mark.pdf
def test_a_changed_byte_in_the_signed_content_shows_as_modified():
    signed = sign_pdf(make_pdf("Hello"))
    assert signed.count(b"(Hello)") == 1
    forged = signed.replace(b"(Hello)", b"(Jello)")

    check = check_signature(forged)
    assert check.status == Status.MODIFIED
    assert check.signed_sha256 != hashlib.sha256(signed).hexdigest()


@pytest.mark.pdf
def test_a_damaged_signature_value_shows_as_modified():
    signed = sign_pdf(make_pdf())
    signature = PdfFileReader(BytesIO(signed)).embedded_signatures[0].signer_info["signature"].native
    at = signed.lower().index(signature.hex().encode()) + 10  # pyHanko writes upper-case hex
    damaged = signed[:at] + (b"0" if signed[at:at + 1] != b"0" else b"1") + signed[at + 1:]

    assert check_signature(damaged).status == Status.MODIFIED


@pytest.mark.pdf
def test_content_changed_in_an_update_after_signing_shows_as_modified():
    signed = sign_pdf(make_pdf("Hello"))
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (Forged) Tj ET"))
    writer.mark_update(page_ref)
    out = BytesIO()
    writer.write(out)
    updated = out.getvalue()

    check = check_signature(updated)
    assert check.status == Status.MODIFIED
    assert not check.whole_file
    # What was signed is still the issued file, byte for byte: the caller can say so.
    assert check.signed_sha256 == hashlib.sha256(signed).hexdigest() != check.sha256


@pytest.mark.pdf
def test_validation_data_added_after_signing_keeps_the_signature_valid():
    # What Acrobat's "Add verification information" does: a DSS update, no content change.
    signed = sign_pdf(make_pdf())
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    contents = writer.root["/AcroForm"]["/Fields"][0]["/V"]["/Contents"]
    _, _, root_der = asn1_pem.unarmor(root_certificate_pem())
    DocumentSecurityStore.supply_dss_in_writer(writer, contents, certs=[asn1_x509.Certificate.load(root_der)])
    out = BytesIO()
    writer.write(out)

    check = check_signature(out.getvalue())
    assert check.status == Status.VALID
    assert not check.whole_file
    assert check.signed_sha256 == hashlib.sha256(signed).hexdigest()


@pytest.mark.pdf
def test_a_signature_from_another_ca_is_untrusted(settings, tmp_path):
    ours = root_certificate_pem()  # the local CA
    key, certificate, root = make_ca("某某假冒签章")
    configure(settings, **write_pem_files(tmp_path, key, certificate, root))
    signed_elsewhere = sign_pdf(make_pdf())
    assert check_signature(signed_elsewhere).status == Status.VALID  # for its own root

    configure(settings, SIGNING_KEY="", SIGNING_CERT="", SIGNING_CHAIN="")
    assert root_certificate_pem() == ours
    check = check_signature(signed_elsewhere)
    assert check.status == Status.UNTRUSTED
    assert check.signer == "某某假冒签章"


@pytest.mark.pdf
def test_a_pdf_without_a_signature_is_unsigned():
    pdf = make_pdf()
    check = check_signature(pdf)
    assert check.status == Status.UNSIGNED
    assert check.sha256 == hashlib.sha256(pdf).hexdigest()


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000000000500010d0a2db40000000049454e44ae426082")


@pytest.mark.pdf
@pytest.mark.parametrize("damage", ["empty", "png", "half", "header only", "noise"])
def test_files_that_are_not_readable_pdfs_are_malformed(damage):
    signed = sign_pdf(make_pdf())
    data = {
        "empty": b"",
        "png": PNG,
        "half": signed[: len(signed) // 2],
        "header only": b"%PDF-1.7\n",
        "noise": bytes(range(256)) * 40,
    }[damage]

    check = check_signature(data)
    assert check.status == Status.MALFORMED
    assert check.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.pdf
def test_a_file_cut_short_by_one_byte_is_not_valid():
    signed = sign_pdf(make_pdf())
    assert check_signature(signed[:-1]).status in (Status.MODIFIED, Status.MALFORMED)


@pytest.mark.pdf
def test_a_configured_pem_key_and_certificate_sign(settings, tmp_path):
    key, certificate, root = make_ca("兰州市信用办 测试签章", key_type="rsa")
    configure(settings, **write_pem_files(tmp_path, key, certificate, root, passphrase=b"pem pass"))

    signed = sign_pdf(make_pdf())

    check = check_signature(signed)
    assert check.status == Status.VALID
    assert check.signer == "兰州市信用办 测试签章"
    assert root_certificate_pem() == pem(root)


@pytest.mark.pdf
@pytest.mark.parametrize("source", ["variable", "file"])
def test_a_configured_pkcs12_file_signs_with_its_passphrase(settings, tmp_path, monkeypatch, source):
    key, certificate, root = make_ca("兰州市信用办 PKCS12")
    archive = pkcs12.serialize_key_and_certificates(
        b"signing", key, certificate, [root], serialization.BestAvailableEncryption(b"p12 secret")
    )
    (tmp_path / "signing.p12").write_bytes(archive)
    if source == "variable":
        monkeypatch.setenv("CLEANRECORD_SIGNING_PASSPHRASE", "p12 secret")
    else:
        (tmp_path / "passphrase").write_text("p12 secret\n", encoding="utf-8")
        monkeypatch.setenv("CLEANRECORD_SIGNING_PASSPHRASE_FILE", str(tmp_path / "passphrase"))
    # What settings.py does with the environment.
    configure(settings, SIGNING_PKCS12=str(tmp_path / "signing.p12"),
              SIGNING_PASSPHRASE=conf.read_environment(os.environ, settings.BASE_DIR)["SIGNING_PASSPHRASE"])

    check = check_signature(sign_pdf(make_pdf()))
    assert check.status == Status.VALID
    assert check.signer == "兰州市信用办 PKCS12"
    assert root_certificate_pem() == pem(root)


@pytest.mark.pdf
def test_a_wrong_passphrase_is_a_configuration_error_that_does_not_repeat_it(settings, tmp_path):
    key, certificate, root = make_ca("兰州市信用办 PKCS12")
    archive = pkcs12.serialize_key_and_certificates(
        b"signing", key, certificate, [root], serialization.BestAvailableEncryption(b"right one")
    )
    (tmp_path / "signing.p12").write_bytes(archive)
    configure(settings, SIGNING_PKCS12=str(tmp_path / "signing.p12"), SIGNING_PASSPHRASE="wrong one")

    with pytest.raises(ImproperlyConfigured) as error:
        sign_pdf(make_pdf())
    assert "wrong one" not in str(error.value)


@pytest.mark.pdf
def test_a_key_that_does_not_match_its_certificate_is_refused(settings, tmp_path):
    _, certificate, root = make_ca("A")
    other_key, _, _ = make_ca("B")
    configure(settings, **write_pem_files(tmp_path, other_key, certificate, root))

    with pytest.raises(ImproperlyConfigured, match="does not belong"):
        sign_pdf(make_pdf())


@pytest.mark.pdf
def test_a_key_without_its_certificate_is_refused(settings, tmp_path):
    key, certificate, root = make_ca("A")
    entries = write_pem_files(tmp_path, key, certificate, root)
    configure(settings, SIGNING_KEY=entries["SIGNING_KEY"])

    with pytest.raises(ImproperlyConfigured, match="go together"):
        sign_pdf(make_pdf())


@pytest.mark.pdf
def test_the_local_ca_is_made_once_and_reused(settings, caplog):
    folder = settings.DATA_DIR / "signing"
    assert stat.S_IMODE((folder / "signing-key.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "root-key.pem").stat().st_mode) == 0o600
    first = sign_pdf(make_pdf())
    root = root_certificate_pem()

    caplog.set_level(logging.WARNING, logger="cleanrecord.signing")
    assert not create_local_ca(folder)  # there is one: kept
    reset_signer()  # as a new process would
    second = sign_pdf(make_pdf())
    assert root_certificate_pem() == root == (folder / "root-cert.pem").read_bytes()
    assert not [r for r in caplog.records if "local CA" in r.getMessage()]
    assert check_signature(first).status == check_signature(second).status == Status.VALID


@pytest.mark.pdf
def test_without_its_folder_the_local_ca_is_not_made_again(settings):
    shutil.rmtree(settings.DATA_DIR / "signing")
    reset_signer()

    with pytest.raises(KeyMissing, match="signing_keys init"):
        sign_pdf(make_pdf())
    assert not (settings.DATA_DIR / "signing").exists()


def test_when_two_processes_make_the_local_ca_at_once_both_use_the_first_one(settings):
    folder = settings.DATA_DIR / "signing"
    first = (folder / "root-cert.pem").read_bytes()
    assert not create_local_ca(folder)  # the one that lost the race: its rename fails

    assert (folder / "root-cert.pem").read_bytes() == first
    assert [p.name for p in settings.DATA_DIR.iterdir()] == ["signing"]  # nothing half-made left behind


def test_the_published_root_is_a_ca_certificate():
    root = x509.load_pem_x509_certificate(root_certificate_pem())

    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert root.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    root.verify_directly_issued_by(root)  # self-signed
    assert "本地根证书" in root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert root.not_valid_after_utc - root.not_valid_before_utc > dt.timedelta(days=365 * 20)
    assert root_fingerprint() == root.fingerprint(hashes.SHA256()).hex(":").upper()


@pytest.mark.pdf
def test_checking_from_async_code_without_sync_to_async_is_refused():
    signed = sign_pdf(make_pdf())

    async def check():
        return check_signature(signed)

    with pytest.raises(RuntimeError, match="sync_to_async"):
        asyncio.run(check())
