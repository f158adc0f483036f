"""A report's status is one derived fact: a code for programs, its label for people, the same everywhere."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from cleanrecord.reports.models import Report
from cleanrecord.reports.services import issue_report

from .factories import entity

pytestmark = pytest.mark.pdf  # the tests here issue reports: real PDFs


@pytest.mark.django_db
def test_the_api_gives_the_status_code_and_its_label_as_the_pages_show_it(client):
    company = entity(name="兰州报告状态测试有限公司")
    report = issue_report(credit_code=company.credit_code, domains=["taxation"], purpose="finance")
    office = User.objects.create_user("office", password="pw-office-1")
    office.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    client.force_login(office)

    def seen() -> tuple[str, str, str, str]:
        answer = client.get(f"/api/v1/reports/{report.number}").json()
        listed = client.get(f"/api/v1/entities/{company.credit_code}/reports").json()[0]
        assert (listed["status"], listed["status_label"]) == (answer["status"], answer["status_label"])
        page = client.get(f"/reports/{report.verification_code}/").content.decode()
        verdict = client.get(f"/api/v1/verify/{report.verification_code}").json()["result_label"]
        shown = next(label for label in ("有效", "已过期", "已撤销") if f"<dd>{label}</dd>" in page)
        return answer["status"], answer["status_label"], shown, verdict

    assert seen() == ("valid", "有效", "有效", "真实有效")
    Report.objects.filter(pk=report.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert seen() == ("expired", "已过期", "已过期", "已过期")
    Report.objects.filter(pk=report.pk).update(revoked_at=timezone.now(), revoke_reason="信息有误")
    assert seen() == ("revoked", "已撤销", "已撤销", "已撤销")


@pytest.mark.django_db
def test_the_api_schema_documents_the_status_code_and_label(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    fields = schemas["ReportOut"]["properties"]
    status = fields["status"]
    if "$ref" in status or "allOf" in status:  # an enum is a schema of its own
        ref = status.get("$ref") or status["allOf"][0]["$ref"]
        status = {**schemas[ref.rsplit("/", 1)[1]], **status}
    assert status["enum"] == ["valid", "expired", "revoked"]
    assert "status_label" in schemas["ReportOut"]["required"] and "已撤销" in fields["status_label"]["description"]
