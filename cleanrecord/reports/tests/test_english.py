"""A report issued in English: the same content, printed with the English words its snapshot froze, signed,
its language recorded and shown where it is verified."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from cleanrecord.accounts.models import EntityUser
from cleanrecord.lib.refusals import Refused
from cleanrecord.objections.models import Objection
from cleanrecord.reports import languages
from cleanrecord.reports.models import Report
from cleanrecord.reports.render import render_pdf
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.signing import check_signature
from cleanrecord.reports.snapshot import shape_errors

from .factories import entity, listing, penalty
from .test_issue import pdf_text

pytestmark = pytest.mark.pdf


@pytest.fixture
def company(db):
    e = entity(name="兰州英文报告测试有限公司")
    today = timezone.localdate()
    p = penalty(e, today - dt.timedelta(days=100), decision_no="兰市监罚〔2026〕88号", facts="发布虚假广告")
    listing(e, today - dt.timedelta(days=400), case_no="（2025）甘01执77号")
    Objection.objects.create(kind="penalty", record_id=p.pk, subject_key=e.credit_code)  # labelled 异议处理中
    return e


@pytest.mark.django_db
def test_a_report_issued_in_english_reads_back_in_english_and_verifies(company, client):
    report = issue_report(credit_code=company.credit_code, domains=["market-regulation", "court-enforcement", "taxation"],
                          purpose="finance", language="en")
    assert Report.objects.get(pk=report.pk).language == "en"
    assert not shape_errors(report.snapshot)
    pdf = report.pdf_bytes()
    text = pdf_text(pdf)
    for english in ("Dedicated Credit Report of a Business Entity", "Report number", "Verification code",
                    "1. Business entity", "2. Scope of the search", "3. Summary of results", "4. Records in detail",
                    "Market regulation", "Court enforcement", "Taxation", "Objection pending",
                    "Administrative penalty", "No record found in the period searched", "Purpose of the report",
                    "Finance", "Deciding authority", "Page 1 of"):
        assert english in text, english
    # Headings and labels are English; the records stay as the departments sent them, names as registered.
    for chinese in ("主体信息", "查询结果汇总", "记录详情", "市场监管", "法院执行", "异议处理中", "处罚机关"):
        assert chinese not in text, chinese
    assert "兰州英文报告测试有限公司" in text and "兰市监罚〔2026〕88号" in text and "发布虚假广告" in text
    # Signed as any report, and typeset again from its snapshot alone to the same text.
    assert check_signature(pdf).status == "valid"
    assert pdf_text(render_pdf(report.snapshot)) == text

    answer = client.get(f"/api/v1/verify/{report.verification_code}").json()
    assert answer["result"] == "authentic"
    assert (answer["language"], answer["language_label"]) == ("en", "英文")
    page = client.get(f"/verify/{report.verification_code}").content.decode()
    assert "报告语言" in page and '<dd id="report-language">英文</dd>' in page


@pytest.mark.django_db
def test_the_english_words_are_frozen_into_the_snapshot_not_read_from_the_catalogue(company, settings):
    report = issue_report(credit_code=company.credit_code, domains="all", purpose="business", language="en")
    labels = report.snapshot["labels"]
    assert labels["domain_names"]["market-regulation"] == "Market regulation"
    assert labels["values"]["异议处理中"] == "Objection pending"
    # What the report says is kept in Chinese, as the departments and the rules wrote it: only printing is English.
    summary = {row["code"]: row for row in report.snapshot["summary"]}
    assert summary["market-regulation"]["name"] == "市场监管"
    # A later change to the code's table does not change what an issued report prints.
    languages.ENGLISH_TEXT["domain_names"]["market-regulation"] = "Something else"
    try:
        assert "Market regulation" in pdf_text(render_pdf(report.snapshot))
    finally:
        languages.ENGLISH_TEXT["domain_names"]["market-regulation"] = "Market regulation"


@pytest.mark.django_db
def test_a_chinese_report_is_the_default_and_prints_chinese_whatever_the_page_language(company, client):
    user = User.objects.create_user("owner", password="pw-owner-1")
    EntityUser.objects.create(user=user, entity=company, role="legal_rep")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    response = client.post(f"/entities/{company.credit_code}/report/",
                           {"scope": "some", "domains": ["market-regulation"], "start": "", "end": "",
                            "purpose": "finance", "purpose_text": ""})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.language == "zh-hans" and report.snapshot["labels"] is None
    text = pdf_text(report.pdf_bytes())
    assert "一、主体信息" in text and "异议处理中" in text and "Objection pending" not in text
    # The page's language does not leak into the frozen content.
    assert report.snapshot["query"]["purpose_label"] == "金融"


@pytest.mark.django_db
def test_the_request_form_issues_an_english_report(company, client):
    user = User.objects.create_user("owner", password="pw-owner-1")
    EntityUser.objects.create(user=user, entity=company, role="legal_rep")
    client.force_login(user)
    form = client.get(f"/entities/{company.credit_code}/report/").content.decode()
    assert 'name="language"' in form and '<option value="en"' in form
    response = client.post(f"/entities/{company.credit_code}/report/",
                           {"scope": "all", "start": "", "end": "", "purpose": "finance", "language": "en"})
    assert response.status_code == 302
    assert Report.objects.get().language == "en"
    assert '<dd id="report-language">英文</dd>' in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_an_unknown_language_is_refused(company):
    with pytest.raises(Refused, match="报告语言"):
        issue_report(credit_code=company.credit_code, domains="all", purpose="finance", language="fr")
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_the_api_issues_an_english_report_and_refuses_an_unknown_language(company, client):
    office = User.objects.create_user("office", password="pw-office-1")  # the office: add_importbatch
    office.user_permissions.add(*Permission.objects.filter(codename="add_importbatch"))
    client.force_login(office)
    body = {"credit_code": company.credit_code, "domains": ["taxation"], "purpose": "business"}
    wrong = client.post("/api/v1/reports", {**body, "language": "fr"}, content_type="application/json")
    assert wrong.status_code == 422 and "language" in wrong.content.decode()
    assert not Report.objects.exists()
    response = client.post("/api/v1/reports", {**body, "language": "en"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["language"] == "en"
    assert "Taxation" in pdf_text(Report.objects.get().pdf_bytes())
