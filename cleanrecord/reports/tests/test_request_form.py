"""The report request and the grant pages as forms (issue 17, point 3): every error at once, each beside its field
and in the summary at the top, the input kept, nothing issued or granted; "全部领域" and single domains exclusive."""

import datetime as dt

import pytest
from django.utils import timezone

from cleanrecord.accounts.models import ReportGrant
from cleanrecord.audit.models import AuditEntry
from cleanrecord.reports.models import Report
from cleanrecord.testing.actors import make_entity_user
from cleanrecord.testing.forms import FormPage

from .factories import entity

TODAY = timezone.localdate


@pytest.fixture
def company(db):
    return entity(name="兰州表单测试商贸有限公司")


@pytest.fixture
def owner(company):
    return make_entity_user("form-owner", company)


def _url(company) -> str:
    return f"/entities/{company.credit_code}/report/"


@pytest.mark.django_db
def test_several_bad_fields_are_all_shown_beside_their_fields_with_the_input_kept(client, company, owner):
    client.force_login(owner)
    response = client.post(_url(company), {"domains": ["taxation", "no-such-domain"], "start": "2025-13-01",
                                           "end": "明天", "purpose": "loan", "purpose_text": "贷" * 201})
    assert response.status_code == 400
    page = FormPage(response.content.decode())
    assert "没有“no-such-domain”这个领域" in page.error_beside("id_domains")
    assert page.error_beside("id_start") == "日期格式应为 YYYY-MM-DD（如 2024-03-01）"
    assert page.error_beside("id_end") == "日期格式应为 YYYY-MM-DD（如 2024-03-01）"
    assert page.error_beside("id_purpose") == "用途应为：金融、商务经营、行政管理或其他"
    assert page.error_beside("id_purpose_text") == "用途说明最多 200 字（现为 201 字）"
    summary = page.summary()
    assert summary.startswith("请修改以下 5 处问题后再提交")
    for label in ("单个领域", "查询期起", "查询期止", "用途", "用途说明"):
        assert f"{label}：" in summary
    # What was typed is still there to be mended.
    assert page.value("start") == "2025-13-01" and page.value("end") == "明天"
    assert page.value("purpose_text") == "贷" * 201 and page.value("domains") == ["taxation"]
    assert page.value("scope") == []
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_all_domains_and_a_single_domain_ticked_together_are_refused(client, company, owner):
    client.force_login(owner)
    response = client.post(_url(company), {"scope": "all", "domains": ["taxation"], "purpose": "finance",
                                           "end": TODAY().isoformat()})
    assert response.status_code == 400
    page = FormPage(response.content.decode())
    assert page.error_beside("id_domains").startswith("“全部领域”与单个领域不能同时选择")
    assert page.value("scope") == ["all"] and page.value("domains") == ["taxation"]
    assert Report.objects.count() == 0  # never a 38-domain report the user did not mean


@pytest.mark.django_db
def test_neither_all_domains_nor_a_single_domain_is_refused(client, company, owner):
    client.force_login(owner)
    response = client.post(_url(company), {"purpose": "finance"})
    assert response.status_code == 400
    assert FormPage(response.content.decode()).error_beside("id_domains") == "请至少选择一个领域，或选择“全部领域”"
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_the_services_refusal_is_shown_beside_the_field_it_is_about(client, company, owner):
    client.force_login(owner)
    start, end = TODAY() - dt.timedelta(days=10), TODAY() - dt.timedelta(days=20)
    response = client.post(_url(company), {"domains": ["taxation"], "start": start.isoformat(), "end": end.isoformat(),
                                           "purpose": "finance"})
    assert response.status_code == 400
    page = FormPage(response.content.decode())
    assert page.error_beside("id_start") == f"查询期起（{start}）不能晚于查询期止（{end}）"
    assert "查询期起：" in page.summary()
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_the_page_ties_labels_to_inputs_marks_required_fields_and_loads_the_picker_script(client, company, owner):
    client.force_login(owner)
    html = client.get(_url(company)).content.decode()
    page = FormPage(html)
    assert page.label_of("id_scope") == "全部领域（完整版）" and page.value("scope") == ["all"]  # the default
    assert page.label_of("id_domains_0") and page.attrs["id_domains_0"]["name"] == "domains"
    assert page.label_of("id_purpose") == "用途*" and page.value("purpose") == "finance"
    assert page.label_of("id_start") == "查询期起" and "required" not in page.attrs["id_start"]  # defaults apply
    assert page.summary() == ""
    assert 'src="/static/reports/domain-picker.js"' in html and "<script>" not in html  # no inline script (CSP)


# -- the grant, on the portal page -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_grant_with_several_bad_fields_shows_all_errors_beside_them_and_grants_nothing(client, company, owner,
                                                                                        bank_user):
    client.force_login(owner)
    code = company.credit_code
    response = client.post(f"/my/entities/{code}/grants", {"organisation": "nobody", "valid_from": "2026-02-30",
                                                          "valid_until": ""})
    assert response.status_code == 400
    page = FormPage(response.content.decode())
    assert page.error_beside(f"grant-{code}-organisation") == "请从列表中选择被授权机构"
    assert page.error_beside(f"grant-{code}-valid_from") == "日期格式应为 YYYY-MM-DD（如 2024-03-01）"
    assert page.error_beside(f"grant-{code}-valid_until") == "请填写截止日期"
    assert page.summary().startswith("请修改以下 3 处问题后再提交")
    assert page.value("valid_from") == "2026-02-30"
    assert ReportGrant.objects.count() == 0 and not AuditEntry.objects.filter(action="accounts.grant").exists()


@pytest.mark.django_db
def test_a_grant_the_service_refuses_shows_its_reason_beside_the_end_date(client, company, owner, bank_user):
    client.force_login(owner)
    code = company.credit_code
    response = client.post(f"/my/entities/{code}/grants", {
        "organisation": bank_user.membership.organisation.pk, "valid_from": TODAY().isoformat(),
        "valid_until": (TODAY() + dt.timedelta(days=400)).isoformat()})
    assert response.status_code == 400
    page = FormPage(response.content.decode())
    assert page.error_beside(f"grant-{code}-valid_until") == "授权期限最长 366 天"
    assert page.value("organisation") == str(bank_user.membership.organisation.pk)
    assert ReportGrant.objects.count() == 0
