"""Checking a report file, on the page (/verify/file) and over the API (POST /api/v1/verify/file)."""

import datetime as dt
import html
import re
from dataclasses import dataclass
from io import BytesIO

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator.registry import SimpleCertificateStore

from cleanrecord.reports.models import Report
from cleanrecord.reports.render import render_pdf
from cleanrecord.reports.services import issue_report, revoke_report
from cleanrecord.reports.signing import root_certificate_pem, sign_pdf
from cleanrecord.reports.tests.factories import entity
from cleanrecord.verification.models import VerificationLog

pytestmark = pytest.mark.pdf  # every test here issues, renders or reads a real PDF

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000000"
                    "000500010d0a2db40000000049454e44ae426082")
VIA = pytest.mark.parametrize("via", ["page", "api"])


@pytest.fixture(scope="module")
def issued(django_db_setup, django_db_blocker):
    """One real report for the whole module, in a transaction rolled back when the module is done.

    Each test runs in a savepoint inside it, so what a test changes (a revocation) is undone after it.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        company = entity(name="兰州文件核验测试有限公司")
        report = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")
        yield report, report.pdf_bytes()
        transaction.set_rollback(True)


@pytest.fixture
def report(issued, db) -> Report:
    return Report.objects.get(pk=issued[0].pk)


@pytest.fixture
def pdf(issued) -> bytes:
    return issued[1]


@dataclass
class Answer:
    status: int
    result: str
    label: str
    message: str
    number: str | None
    verify_url: str | None


def check(client: Client, via: str, data: bytes, name: str = "报告.pdf") -> Answer:
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    if via == "api":
        response = client.post("/api/v1/verify/file", {"file": upload})
        body = response.json()
        return Answer(response.status_code, body["result"], body["result_label"], body["message"], body.get("number"),
                      body.get("verify_url"))
    response = client.post("/verify/file", {"file": upload})
    page = response.content.decode()

    def text(element_id: str) -> str | None:
        found = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', page)
        return html.unescape(found[1]) if found else None

    link = re.search(r'id="verify-link" href="([^"]+)"', page)
    verdict, label, message = re.search(r'class="card verdict verdict-(\w+)"', page), text("verdict"), text("message")
    assert verdict and label is not None and message is not None, page
    return Answer(response.status_code, verdict[1], label, message, text("number"), link[1] if link else None)


def logged() -> VerificationLog:
    last = VerificationLog.objects.order_by("-pk").first()
    assert last is not None, "nothing logged"
    return last


# -- files we issued ------------------------------------------------------------------------------

@VIA
@pytest.mark.django_db
def test_the_issued_file_is_authentic_and_names_its_report(client, report, pdf, via):
    answer = check(client, via, pdf)
    assert (answer.status, answer.result, answer.label) == (200, "authentic", "真实有效")
    assert answer.number == report.number
    assert answer.verify_url.endswith(f"/verify/{report.verification_code}")
    assert "签名后未被修改" in answer.message
    entry = logged()
    assert (entry.channel, entry.result, entry.report_id) == ("file", "authentic", report.pk)


@VIA
@pytest.mark.django_db
def test_the_issued_file_of_a_revoked_report_is_revoked(client, report, pdf, via):
    revoke_report(report, reason="主体申请撤回")
    answer = check(client, via, pdf)
    assert (answer.status, answer.result, answer.label, answer.number) == (200, "revoked", "已撤销", report.number)
    assert "已被出具机构撤销" in answer.message
    assert (logged().result, logged().report_id) == ("revoked", report.pk)


@VIA
@pytest.mark.django_db
def test_the_issued_file_of_an_expired_report_is_expired(client, report, pdf, via):
    Report.objects.filter(pk=report.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    answer = check(client, via, pdf)
    assert (answer.status, answer.result, answer.label, answer.number) == (200, "expired", "已过期", report.number)
    assert "已过期" in answer.message


@pytest.mark.django_db
def test_validation_data_added_after_signing_still_names_the_report(client, report, pdf):
    # What Acrobat's "Add verification information" does: the signed part is still the stored file, but
    # like any bytes after the signed revision (issue 11) the file is no longer the report as issued.
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    contents = writer.root["/AcroForm"]["/Fields"][0]["/V"]["/Contents"]
    _, _, root_der = asn1_pem.unarmor(root_certificate_pem())
    DocumentSecurityStore.supply_dss_in_writer(writer, contents, certs=[asn1_x509.Certificate.load(root_der)])
    out = BytesIO()
    writer.write(out)

    answer = check(client, "api", out.getvalue())
    assert (answer.status, answer.result, answer.number) == (200, "appended", report.number)


# -- files that are not what they claim ----------------------------------------------------------

@VIA
@pytest.mark.django_db
def test_one_byte_changed_in_the_content_is_modified(client, report, pdf, via):
    tampered = bytearray(pdf)
    position = pdf.index(b"/MediaBox") + 12  # inside the signed page description
    tampered[position] = ord("9") if tampered[position] != ord("9") else ord("8")
    answer = check(client, via, bytes(tampered))
    assert (answer.status, answer.result, answer.label, answer.number) == (200, "modified", "签名后被修改", None)
    assert "签名后被修改" in answer.message
    assert (logged().channel, logged().result, logged().report) == ("file", "modified", None)


@pytest.mark.django_db
def test_content_changed_in_an_update_after_signing_is_modified_and_names_the_original(client, report, pdf):
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page_ref.get_object()["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (Forged) Tj ET"))
    writer.mark_update(page_ref)
    out = BytesIO()
    writer.write(out)

    answer = check(client, "api", out.getvalue())
    assert (answer.status, answer.result, answer.number) == (200, "modified", report.number)
    assert f"被修改前为平台出具的报告 {report.number}" in answer.message
    assert (logged().result, logged().report_id) == ("modified", report.pk)


@pytest.fixture(scope="module")
def signed_elsewhere(issued) -> bytes:
    """The same report, signed by a CA we never trusted that calls itself by our issuer's name."""
    now = dt.datetime.now(dt.UTC)
    root_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "兰州市社会信用体系建设领导小组办公室 根证书")])
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "兰州市社会信用体系建设领导小组办公室")])

    def certificate(subject, public_key, ca: bool):
        return (
            x509.CertificateBuilder().subject_name(subject).issuer_name(root_name).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=not ca, content_commitment=not ca, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False,
            ), critical=True)
            .sign(root_key, hashes.SHA256())
        )

    der = serialization.Encoding.DER
    root = asn1_x509.Certificate.load(certificate(root_name, root_key.public_key(), ca=True).public_bytes(der))
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(certificate(name, key.public_key(), ca=False).public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs([root]),
    )
    meta = signers.PdfSignatureMetadata(field_name="Signature", subfilter=fields.SigSeedSubFilter.PADES)
    unsigned = render_pdf(issued[0].snapshot)
    return signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(unsigned)), meta, signer).getvalue()


@VIA
@pytest.mark.django_db
def test_a_file_signed_by_another_ca_is_not_ours(client, report, signed_elsewhere, via):
    answer = check(client, via, signed_elsewhere)
    assert (answer.status, answer.result, answer.label, answer.number) == (200, "not_ours", "非本平台签发", None)
    assert "不是本平台签发" in answer.message
    assert (logged().channel, logged().result, logged().report) == ("file", "not_ours", None)


@VIA
@pytest.mark.django_db
def test_a_file_signed_with_our_key_that_we_never_stored_is_not_stored(client, report, via):
    resigned = sign_pdf(render_pdf(report.snapshot))
    answer = check(client, via, resigned)
    assert (answer.status, answer.result, answer.label, answer.number) == (200, "not_stored", "签名属实但非平台存档文件",
                                                                           None)
    assert "不是平台存档的任何一份报告" in answer.message
    assert (logged().result, logged().report) == ("not_stored", None)


@VIA
@pytest.mark.django_db
def test_an_unsigned_pdf_is_unsigned(client, report, via):
    answer = check(client, via, render_pdf(report.snapshot))
    assert (answer.status, answer.result, answer.label, answer.number) == (200, "unsigned", "未签名", None)
    assert "没有电子签名" in answer.message
    assert (logged().channel, logged().result) == ("file", "unsigned")


# -- files that cannot be checked ----------------------------------------------------------------

@VIA
@pytest.mark.django_db
def test_a_truncated_file_is_a_bad_file(client, pdf, via):
    answer = check(client, via, pdf[: len(pdf) // 2])
    assert (answer.status, answer.result, answer.label) == (400, "bad_file", "文件无法识别")
    assert "文件已损坏或不完整" in answer.message
    assert (logged().channel, logged().result, logged().report) == ("file", "bad_file", None)


@VIA
@pytest.mark.django_db
def test_a_png_renamed_pdf_is_not_a_pdf(client, via):
    answer = check(client, via, PNG, name="报告.pdf")
    assert (answer.status, answer.result) == (400, "bad_file")
    assert "不是 PDF 文件" in answer.message
    assert logged().result == "bad_file"


@VIA
@pytest.mark.django_db
def test_an_empty_file_asks_for_a_file(client, via):
    answer = check(client, via, b"")
    assert (answer.status, answer.result) == (400, "bad_file")
    assert "请选择文件" in answer.message
    assert logged().result == "bad_file"


@VIA
@pytest.mark.django_db
def test_a_post_without_a_file_asks_for_one(client, via):
    response = client.post("/api/v1/verify/file" if via == "api" else "/verify/file", {})
    assert response.status_code == 400
    assert "请选择文件" in (response.json()["message"] if via == "api" else response.content.decode())
    assert logged().result == "bad_file"


@VIA
@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_unread(client, via, monkeypatch):
    def must_not_run(data):
        raise AssertionError("a file over the limit was read")

    monkeypatch.setattr("cleanrecord.verification.files.check_signature", must_not_run)
    answer = check(client, via, b"%PDF-1.7\n" + bytes(25 * 1024 * 1024))
    assert (answer.status, answer.result) == (413, "bad_file")
    assert "文件过大（上限 20 MB）" in answer.message
    assert (logged().channel, logged().result) == ("file", "bad_file")


# -- the page and the API themselves --------------------------------------------------------------

@pytest.mark.django_db
def test_the_page_offers_a_pdf_upload_form_protected_against_csrf():
    client = Client(enforce_csrf_checks=True)
    page = client.get("/verify/file")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'type="file"' in body and 'accept=".pdf' in body and 'enctype="multipart/form-data"' in body
    assert "csrfmiddlewaretoken" in body and "20 MB" in body
    assert client.post("/verify/file", {"file": SimpleUploadedFile("a.pdf", PNG)}).status_code == 403


@pytest.mark.django_db
def test_the_api_is_public_and_needs_no_csrf_token(pdf, report):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/verify/file", {"file": SimpleUploadedFile("a.pdf", pdf)})
    assert response.status_code == 200
    assert response.json() | {"signed_at": None} == {
        "result": "authentic", "result_label": "真实有效", "message": response.json()["message"],
        "number": report.number, "entity_name": "兰州文件核验测试有限公司", "credit_code": report.entity.credit_code,
        "verify_url": f"http://127.0.0.1:8000/verify/{report.verification_code}", "signed_at": None,
    }
    assert response.json()["signed_at"].startswith(timezone.localdate().isoformat()[:4])


@pytest.mark.django_db
def test_the_file_check_is_documented_and_leaves_lookup_by_code_alone(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/verify/file"]["post"]
    assert set(operation["responses"]) == {"200", "400", "413", "429"}
    assert operation["requestBody"]["content"]["multipart/form-data"]["schema"]["required"] == ["file"]
    assert client.get("/api/v1/verify/AAAABBBBCCCCDDDDEEEE").status_code == 404
    assert client.get("/verify/file").status_code == 200
