"""The signing keys come only from `manage.py signing_keys`; a lost or swapped key stops issuing, never
starts a new CA, and older reports keep verifying after a rotation."""

import datetime as dt
import shutil

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from django.core.management import CommandError, call_command
from django.utils import timezone

from cleanrecord.audit.models import AuditEntry
from cleanrecord.lib.refusals import Refused
from cleanrecord.reports import signing
from cleanrecord.reports.models import Report, SigningRoot
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.signing import Status, check_signature

from .factories import entity, penalty

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_keys(settings, tmp_path):
    """A data directory of the test's own, with keys made and recorded as `make run` does."""
    settings.DATA_DIR = tmp_path / "data"
    settings.CLEANRECORD = {k: v for k, v in settings.CLEANRECORD.items() if not k.startswith("SIGNING_")}
    SigningRoot.objects.all().delete()  # the test session's own root
    signing.reset_signer()
    call_command("signing_keys", "init", verbosity=0)
    yield settings.DATA_DIR / "signing"
    signing.reset_signer()


@pytest.fixture
def company():
    e = entity(name="兰州密钥轮换测试有限公司")
    penalty(e, timezone.localdate() - dt.timedelta(days=30), decision_no="兰市监罚〔2026〕901号")
    return e


def issue(company) -> Report:
    return issue_report(credit_code=company.credit_code, domains="all", purpose="finance")


def signer_of(report: Report) -> x509.Certificate:
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    signature = PdfFileReader(BytesIO(report.pdf_bytes())).embedded_signatures[0]
    return x509.load_der_x509_certificate(signature.signer_cert.dump())


def issued_by(certificate: x509.Certificate) -> bytes:
    """The key identifier of the certificate's issuer (of a root: its own)."""
    try:
        key_id = certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
        assert key_id is not None  # our certificates name their issuer's key
        return key_id
    except x509.ExtensionNotFound:
        return certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest


def test_init_makes_the_local_ca_records_its_root_and_changes_nothing_when_run_again(own_keys):
    root = (own_keys / "root-cert.pem").read_bytes()
    (recorded,) = SigningRoot.objects.all()
    assert recorded.current and recorded.fingerprint == signing.root_fingerprint()
    assert recorded.certificate.encode() == root
    assert AuditEntry.objects.filter(action="signing.init", target=f"signing-root:{recorded.fingerprint}").count() == 1

    call_command("signing_keys", "init", verbosity=0)

    assert (own_keys / "root-cert.pem").read_bytes() == root
    assert list(SigningRoot.objects.values_list("fingerprint", flat=True)) == [recorded.fingerprint]
    assert AuditEntry.objects.filter(action="signing.init", target=f"signing-root:{recorded.fingerprint}").count() == 1


@pytest.mark.pdf
def test_a_deleted_key_folder_refuses_to_issue_fails_readiness_and_makes_no_new_ca(own_keys, company, client):
    earlier = issue(company)
    shutil.rmtree(own_keys)
    signing.reset_signer()  # as a process started afterwards

    with pytest.raises(Refused, match="平台签名密钥不可用，暂不能出具报告"):
        issue(company)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["signing_key"]
    assert response.json()["checks"]["database"] == "ok"
    with pytest.raises(CommandError, match="rotate --new-root"):
        call_command("signing_keys", "init", verbosity=0)

    assert client.get("/trust/root.pem").content == SigningRoot.objects.get(current=True).certificate.encode()
    assert not own_keys.exists()  # no new CA behind anyone's back
    assert Report.objects.count() == 1
    # The recorded root still vouches for what was issued before.
    assert check_signature(earlier.pdf_bytes()).status == Status.VALID


def test_a_refusal_reaches_the_applicant_as_a_message_not_an_error_page(own_keys, company, client):
    from django.contrib.auth.models import Permission, User

    office = User.objects.create_user("office", password="pw-office-1")
    office.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    client.force_login(office)
    shutil.rmtree(own_keys)
    signing.reset_signer()

    response = client.post(f"/entities/{company.credit_code}/report/", {"scope": "all", "purpose": "finance"})

    assert response.status_code == 400
    assert "平台签名密钥不可用，暂不能出具报告，请联系平台管理员。" in response.content.decode()
    assert not Report.objects.exists()


def test_a_root_other_than_the_recorded_one_refuses_to_issue(own_keys, company, client):
    shutil.rmtree(own_keys)
    signing.create_local_ca(own_keys)  # someone made a CA by hand

    with pytest.raises(Refused, match="平台签名根证书与登记的不一致"):
        issue(company)
    assert client.get("/readyz").json()["failing"] == ["signing_key"]


@pytest.mark.pdf
def test_rotate_signs_new_reports_with_a_new_certificate_under_the_same_root(own_keys, company):
    before = issue(company)
    root = (own_keys / "root-cert.pem").read_bytes()

    call_command("signing_keys", "rotate", verbosity=0)
    after = issue(company)

    old_cert, new_cert = signer_of(before), signer_of(after)
    assert old_cert.fingerprint(hashes.SHA256()) != new_cert.fingerprint(hashes.SHA256())
    assert old_cert.issuer == new_cert.issuer
    assert (own_keys / "root-cert.pem").read_bytes() == root
    assert [p.read_bytes() for p in (own_keys / "retired").iterdir()] == [
        old_cert.public_bytes(serialization.Encoding.PEM)]
    (recorded,) = SigningRoot.objects.all()
    assert recorded.signing_fingerprint == signing.fingerprint(new_cert)
    assert AuditEntry.objects.filter(action="signing.rotate").count() == 1
    assert check_signature(before.pdf_bytes()).status == Status.VALID
    assert check_signature(after.pdf_bytes()).status == Status.VALID


@pytest.mark.pdf
def test_another_process_picks_up_a_rotation_before_its_next_report(own_keys, company):
    before = issue(company)  # this process has loaded the old certificate
    # What the command does in another process; there, not here, the loaded keys are forgotten.
    fresh = signing.rotate_local_signing(own_keys)
    signing._keys()  # noqa: B018
    SigningRoot.objects.filter(current=True).update(signing_fingerprint=signing.fingerprint(fresh))

    after = issue(company)

    assert signer_of(after) == fresh != signer_of(before)


@pytest.mark.pdf
def test_a_new_root_only_on_request_and_reports_under_the_old_root_still_verify(own_keys, company, client):
    before = issue(company)
    old_root = SigningRoot.objects.get(current=True)

    call_command("signing_keys", "rotate", "--new-root", verbosity=0)
    after = issue(company)

    new_root = SigningRoot.objects.get(current=True)
    assert new_root.fingerprint != old_root.fingerprint
    old_root.refresh_from_db()
    assert not old_root.current and old_root.retired_at is not None
    assert issued_by(signer_of(after)) == issued_by(x509.load_pem_x509_certificate(new_root.certificate.encode()))
    assert issued_by(signer_of(before)) == issued_by(x509.load_pem_x509_certificate(old_root.certificate.encode()))
    assert check_signature(before.pdf_bytes()).status == Status.VALID
    assert check_signature(after.pdf_bytes()).status == Status.VALID
    assert client.get("/trust/root.pem").content == new_root.certificate.encode()
    assert sorted(p.name.split("-", 1)[1] for p in (own_keys / "retired").iterdir()) == [
        "root-cert.pem", "signing-cert.pem"]
    assert client.get("/readyz").status_code == 200


@pytest.mark.pdf
def test_after_a_lost_folder_a_new_root_restores_issuing_and_the_old_reports_still_verify(own_keys, company):
    before = issue(company)
    shutil.rmtree(own_keys)
    signing.reset_signer()
    with pytest.raises(CommandError):
        call_command("signing_keys", "rotate", verbosity=0)  # nothing to issue a certificate from

    call_command("signing_keys", "rotate", "--new-root", verbosity=0)
    after = issue(company)

    assert SigningRoot.objects.count() == 2
    assert check_signature(before.pdf_bytes()).status == Status.VALID
    assert check_signature(after.pdf_bytes()).status == Status.VALID


def test_readiness_is_ok_when_every_check_passes_and_health_always_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready",
                               "checks": {"database": "ok", "signing_key": "ok", "data_dirs": "ok", "calendar": "ok",
                                          "worker": "ok"}}
    assert response["Cache-Control"].startswith("max-age=0")
    health = client.get("/healthz")
    assert health.status_code == 200 and health.content == b"ok"


def test_readiness_fails_when_a_data_directory_cannot_be_written(client, settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the reports should go")
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_DIR": str(blocked)}

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["data_dirs"]


@pytest.mark.pdf
def test_without_any_key_or_recorded_root_a_file_checks_as_not_ours_rather_than_failing(own_keys, company):
    report = issue(company)
    shutil.rmtree(own_keys)
    SigningRoot.objects.all().delete()
    signing.reset_signer()

    assert check_signature(report.pdf_bytes()).status == Status.UNTRUSTED


@pytest.mark.pdf
def test_a_root_nobody_recorded_vouches_for_nothing(own_keys):
    from cleanrecord.reports.example import example_snapshot
    from cleanrecord.reports.render import render_pdf

    shutil.rmtree(own_keys)
    signing.create_local_ca(own_keys)  # someone swapped the folder for a CA of their own
    signed_by_it = signing.sign_pdf(render_pdf(example_snapshot()))

    assert check_signature(signed_by_it).status == Status.UNTRUSTED
