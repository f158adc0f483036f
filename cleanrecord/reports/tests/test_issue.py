"""Issuing real reports end to end: rules → snapshot → Typst PDF → PAdES signature → storage."""

import datetime as dt
import hashlib
import io

import pypdfium2
import pytest
import zxingcpp
from cryptography import x509
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command
from django.utils import timezone

from cleanrecord.accounts.models import EntityUser
from cleanrecord.audit.models import AuditEntry
from cleanrecord.lib.refusals import Refused
from cleanrecord.reports.models import Report
from cleanrecord.reports.services import issue_report, snapshot_hash
from cleanrecord.reports.signing import check_signature

from .factories import entity, listing, penalty

pytestmark = pytest.mark.pdf  # every test here issues, renders or reads a real PDF


def pdf_text(pdf: bytes) -> str:
    doc = pypdfium2.PdfDocument(pdf)
    return "".join(page.get_textpage().get_text_range() for page in doc).replace("\r", "").replace("\n", "")


@pytest.fixture
def company(db):
    e = entity(name="兰州𡃁仔䶮记餐饮有限公司")
    today = timezone.localdate()
    penalty(e, today - dt.timedelta(days=100), decision_no="兰市监罚〔2026〕88号", content="罚款人民币两万元")
    listing(e, today - dt.timedelta(days=400), case_no="（2025）甘01执77号")
    return e


@pytest.fixture
def owner(company):
    """The company's legal representative, bound to it by the office."""
    user = User.objects.create_user("owner", password="pw-owner-1")
    EntityUser.objects.create(user=user, entity=company, role="legal_rep")
    return user


@pytest.fixture
def office(db):
    user = User.objects.create_user("office", password="pw-office-1")
    user.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    return user


@pytest.mark.django_db
def test_an_issued_report_is_a_signed_pdf_that_states_every_chosen_domain(company):
    report = issue_report(credit_code=company.credit_code, domains=["market-regulation", "court-enforcement", "taxation"],
                          purpose="finance", purpose_text="申请银行贷款")
    pdf = report.pdf_bytes()
    text = pdf_text(pdf)
    s = report.snapshot
    for expected in ("经营主体专用信用报告", "兰州𡃁仔䶮记餐饮有限公司", company.credit_code, report.number,
                     s["verification_code_display"], "市场监管", "法院执行", "税务", "兰市监罚〔2026〕88号",
                     "（2025）甘01执77号", "查询期内，未发现行政处罚、行政强制、严重失信记录", "申请银行贷款"):
        assert expected in text, expected
    assert report.number.startswith(f"LZXY-{timezone.localdate():%Y%m%d}-")
    assert len(report.verification_code) == 20 and report.records_found == 2
    assert report.snapshot_hash == snapshot_hash(s) == s["hash"]
    assert hashlib.sha256(pdf).hexdigest() == report.pdf_sha256 and len(pdf) == report.pdf_size <= 300 * 1024
    assert AuditEntry.objects.filter(action="reports.issue", target=f"report:{report.number}").exists()


@pytest.mark.django_db
def test_the_qr_code_on_the_first_page_is_the_verification_url(company):
    report = issue_report(credit_code=company.credit_code, domains="all", purpose="other")
    image = pypdfium2.PdfDocument(report.pdf_bytes())[0].render(scale=3).to_pil()
    urls = [b.text for b in zxingcpp.read_barcodes(image)]
    assert urls == [f"http://127.0.0.1:8000/verify/{report.verification_code}"]


@pytest.mark.django_db
def test_the_signature_validates_and_fails_after_one_byte_of_content_changes(company):
    pdf = issue_report(credit_code=company.credit_code, domains="all", purpose="other").pdf_bytes()
    assert check_signature(pdf).status == "valid"
    tampered = bytearray(pdf)
    position = pdf.index(b"/MediaBox") + 12  # inside the signed page description, far from the signature
    tampered[position] = ord("9") if tampered[position] != ord("9") else ord("8")
    assert check_signature(bytes(tampered)).status == "modified"


@pytest.mark.django_db
def test_numbers_run_per_day_and_codes_never_repeat(company):
    first = issue_report(credit_code=company.credit_code, domains="all", purpose="other")
    second = issue_report(credit_code=company.credit_code, domains="all", purpose="other")
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1
    assert first.verification_code != second.verification_code


@pytest.mark.django_db
def test_a_refused_or_failed_issue_leaves_no_report_and_no_file(company, settings, tmp_path, monkeypatch):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_DIR": str(tmp_path)}
    with pytest.raises(Refused, match="不能晚于今天"):
        issue_report(credit_code=company.credit_code, domains="all", end=timezone.localdate() + dt.timedelta(days=1),
                     purpose="other")

    def disk_full(**kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr("cleanrecord.reports.services.record_event", disk_full)
    with pytest.raises(OSError):
        issue_report(credit_code=company.credit_code, domains="all", purpose="other")
    assert Report.objects.count() == 0
    assert list(tmp_path.rglob("*.pdf")) == []


@pytest.mark.django_db
def test_the_command_writes_the_pdf_and_refuses_with_a_reason(company, tmp_path):
    out, stdout = tmp_path / "r.pdf", io.StringIO()
    call_command("issue_report", company.credit_code, "--domains", "market-regulation,taxation", "--purpose", "business",
                 "--out", str(out), stdout=stdout)
    assert out.read_bytes()[:5] == b"%PDF-" and "已出具专用信用报告 LZXY-" in stdout.getvalue()
    with pytest.raises(CommandError, match="未知领域：nowhere"):
        call_command("issue_report", company.credit_code, "--domains", "nowhere")


@pytest.mark.django_db
def test_the_api_issues_a_report_for_the_office_and_serves_its_pdf(client, company, office):
    body = {"credit_code": company.credit_code, "domains": ["taxation"], "purpose": "administration"}
    assert client.post("/api/v1/reports", body, content_type="application/json").status_code == 401
    client.force_login(office)
    response = client.post("/api/v1/reports", body, content_type="application/json")
    assert response.status_code == 201
    data = response.json()
    assert data["verify_url"].endswith(data["verification_code"]) and data["domains"] == ["taxation"]
    pdf = client.get(data["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    listed = client.get(f"/api/v1/entities/{company.credit_code}/reports").json()
    assert [r["number"] for r in listed] == [data["number"]]
    refused = client.post("/api/v1/reports", {**body, "domains": []}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["detail"] == "请至少选择一个领域"


@pytest.mark.django_db
def test_the_web_page_issues_a_report_and_offers_its_pdf(client, company, owner):
    client.force_login(owner)
    page = client.get(f"/entities/{company.credit_code}/report/")
    assert page.status_code == 200 and "税务" in page.content.decode()
    response = client.post(f"/entities/{company.credit_code}/report/",
                           {"scope": "some", "domains": ["taxation", "market-regulation"], "start": "",
                            "end": timezone.localdate().isoformat(), "purpose": "finance", "purpose_text": "贷款"})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    report = Report.objects.get()
    assert report.number in detail and "查询期内，未发现行政处罚、行政强制、严重失信记录" in detail
    # The code works in lower case and with separators, as a person types it.
    typed = report.snapshot["verification_code_display"].lower()
    assert client.get(f"/reports/{typed}/pdf").status_code == 200
    assert client.get("/reports/AAAABBBBCCCCDDDDEEEE/pdf").status_code == 404


@pytest.mark.django_db
def test_the_web_page_explains_a_refusal(client, company, owner):
    client.force_login(owner)
    response = client.post(f"/entities/{company.credit_code}/report/",
                           {"scope": "some", "start": "2025-01-01", "end": "2025-02-01", "purpose": "finance"})
    assert response.status_code == 400 and "请至少选择一个领域" in response.content.decode()


@pytest.mark.django_db
def test_the_root_certificate_is_published(client, company):
    issue_report(credit_code=company.credit_code, domains=["taxation"], purpose="other")
    response = client.get("/trust/root.pem")
    assert response.status_code == 200
    root = x509.load_pem_x509_certificate(response.content)
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


@pytest.mark.django_db
def test_only_the_entitys_own_users_and_the_office_may_apply(client, company, owner, office):
    url = f"/entities/{company.credit_code}/report/"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    stranger = User.objects.create_user("stranger", password="pw-stranger-1")
    client.force_login(stranger)
    assert client.get(url).status_code == 403
    assert client.post(url, {"scope": "all", "purpose": "finance"}).status_code == 403
    assert Report.objects.count() == 0
    client.force_login(office)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_issuing_is_limited_per_entity_per_hour(company, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_ISSUE_PER_ENTITY_PER_HOUR": 2}
    issue_report(credit_code=company.credit_code, domains=["taxation"], purpose="other")
    issue_report(credit_code=company.credit_code, domains=["taxation"], purpose="other")
    with pytest.raises(Refused, match="一小时内已申请 2 份报告"):
        issue_report(credit_code=company.credit_code, domains=["taxation"], purpose="other")
