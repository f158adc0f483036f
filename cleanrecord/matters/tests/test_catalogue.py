"""The catalogue of matters (应替尽替清单, issue 18 point 4): the office keeps it, everyone reads it on a page and
through the API, and the report form starts from a matter with its domains ticked."""

import pytest
from django.utils import timezone

from cleanrecord.audit.models import AuditEntry
from cleanrecord.matters.models import Matter
from cleanrecord.reference.models import Department
from cleanrecord.reports.models import Report
from cleanrecord.reports.tests.factories import entity
from cleanrecord.testing.actors import make_entity_user
from cleanrecord.testing.forms import FormPage


@pytest.fixture
def amr_dept(db):
    return Department.objects.get(code="amr")


@pytest.fixture
def tender(amr_dept):
    m = Matter.objects.create(department=amr_dept, name="政府采购投标资格审查", legal_basis="《政府采购法》第二十二条")
    m.domains.set(["taxation", "market-regulation"])
    return m


@pytest.fixture
def licence(db):
    m = Matter.objects.create(department=Department.objects.get(code="tax"), name="纳税信用评价复评",
                              legal_basis="税务总局公告", all_domains=True)
    return m


def _new(department, **extra) -> dict:
    return {"department": department.pk, "name": "食品经营许可", "legal_basis": "《食品安全法》", "domains": ["market-regulation"],
            "is_active": "on", **extra}


@pytest.mark.django_db
def test_the_office_adds_and_changes_a_matter_and_both_are_audited(client, office_user, amr_dept):
    client.force_login(office_user)
    response = client.post("/office/matters/new/", _new(amr_dept))
    assert response.status_code == 302 and response["Location"] == "/office/matters/"
    matter = Matter.objects.get(name="食品经营许可")
    assert matter.domain_codes() == ["market-regulation"] and matter.department == amr_dept
    entry = AuditEntry.objects.get(action="matters.create")
    assert entry.target == f"matter:{matter.pk}" and entry.after["domains"] == ["market-regulation"]

    listing = client.get("/office/matters/").content.decode()
    assert "食品经营许可" in listing and "兰州市市场监督管理局" in listing

    response = client.post(f"/office/matters/{matter.pk}/", _new(amr_dept, domains=[], all_domains="on", is_active=""))
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.all_domains and not matter.is_active and matter.domain_codes() == []
    change = AuditEntry.objects.get(action="matters.change")
    assert change.before["is_active"] is True and change.after["is_active"] is False


@pytest.mark.django_db
def test_the_matter_form_says_what_is_wrong_in_chinese(client, office_user, amr_dept, tender):
    client.force_login(office_user)
    response = client.post("/office/matters/new/", _new(amr_dept, all_domains="on"))
    assert response.status_code == 400
    assert FormPage(response.content.decode()).error_beside("id_domains") == "“全部领域”与单个领域不能同时选择"
    response = client.post("/office/matters/new/", {"department": "", "name": "", "legal_basis": ""})
    page = FormPage(response.content.decode())
    assert page.error_beside("id_department") == "请选择受理部门"
    assert page.error_beside("id_name") == "请填写事项名称"
    assert page.error_beside("id_legal_basis") == "请填写该事项以报告替代证明的依据"
    assert page.error_beside("id_domains") == "请至少选择一个所需领域，或选择“全部领域”"
    response = client.post("/office/matters/new/", _new(amr_dept, name=tender.name))
    assert response.status_code == 400 and "该部门已有同名事项" in response.content.decode()
    assert Matter.objects.count() == 1


@pytest.mark.django_db
def test_only_the_office_keeps_the_catalogue(client, amr_clerk, amr_dept, tender):
    client.force_login(amr_clerk)
    assert client.post("/office/matters/new/", _new(amr_dept)).status_code == 403
    assert client.post(f"/office/matters/{tender.pk}/", _new(amr_dept)).status_code == 403
    assert Matter.objects.count() == 1 and not AuditEntry.objects.filter(action__startswith="matters.").exists()


@pytest.mark.django_db
def test_the_public_page_lists_matters_by_department_with_search(client, tender, licence):
    Matter.objects.create(department=tender.department, name="已停用事项", legal_basis="旧文件", all_domains=True,
                          is_active=False)
    page = client.get("/matters/").content.decode()
    assert "应替尽替事项清单" in page
    assert "政府采购投标资格审查" in page and "纳税信用评价复评" in page and "已停用事项" not in page
    assert page.index("<h2>兰州市市场监督管理局</h2>") < page.index("政府采购投标资格审查")
    assert "《政府采购法》第二十二条" in page and "全部领域" in page
    found = client.get("/matters/", {"q": "采购"}).content.decode()
    assert "政府采购投标资格审查" in found and "纳税信用评价复评" not in found
    by_dept = client.get("/matters/", {"department": "tax"}).content.decode()
    assert "纳税信用评价复评" in by_dept and "政府采购投标资格审查" not in by_dept
    assert "未找到与“没有这个”匹配的事项" in client.get("/matters/", {"q": "没有这个"}).content.decode()


@pytest.mark.django_db
def test_the_api_lists_the_catalogue(client, tender, licence):
    rows = client.get("/api/v1/matters").json()
    assert len(rows) == 2
    tender_row = next(r for r in rows if r["id"] == tender.pk)
    assert tender_row["department_code"] == "amr" and tender_row["all_domains"] is False
    assert sorted(d["code"] for d in tender_row["domains"]) == ["market-regulation", "taxation"]
    assert [r["id"] for r in client.get("/api/v1/matters", {"q": "纳税"}).json()] == [licence.pk]
    assert [r["id"] for r in client.get("/api/v1/matters", {"department": "amr"}).json()] == [tender.pk]
    one = client.get(f"/api/v1/matters/{licence.pk}").json()
    assert one["all_domains"] is True and one["legal_basis"] == "税务总局公告"
    licence.is_active = False
    licence.save()
    assert client.get(f"/api/v1/matters/{licence.pk}").status_code == 404


@pytest.mark.django_db
def test_a_matter_ticks_its_domains_on_the_report_form(client, tender, licence):
    company = entity(name="兰州事项测试商贸有限公司")
    client.force_login(make_entity_user("matter-owner", company))
    url = f"/entities/{company.credit_code}/report/"
    plain = FormPage(client.get(url).content.decode())
    assert plain.value("scope") == ["all"] and plain.value("domains") == []

    html = client.get(url, {"matter": tender.pk}).content.decode()
    page = FormPage(html)
    assert page.value("scope") == [] and sorted(page.value("domains")) == ["market-regulation", "taxation"]
    assert page.value("matter") == str(tender.pk) and page.value("purpose_text") == "政府采购投标资格审查"
    assert page.value("purpose") == "administration"
    assert "已按“兰州市市场监督管理局：政府采购投标资格审查”选择所需领域" in html
    assert f'<option value="{tender.pk}" data-domains="' in html

    whole = FormPage(client.get(url, {"matter": licence.pk}).content.decode())
    assert whole.value("scope") == ["all"] and whole.value("domains") == []
    # An unknown or withdrawn matter: the plain form.
    assert FormPage(client.get(url, {"matter": "99999"}).content.decode()).value("scope") == ["all"]

    # The catalogue links a bound user straight to the form for each of their entities.
    assert f"{url}?matter={tender.pk}" in client.get("/matters/").content.decode()


@pytest.mark.pdf
@pytest.mark.django_db
def test_a_report_asked_for_a_matter_keeps_it(client, tender):
    company = entity(name="兰州事项出具测试有限公司")
    client.force_login(make_entity_user("matter-issuer", company))
    today = timezone.localdate()
    response = client.post(f"/entities/{company.credit_code}/report/?matter={tender.pk}", {
        "domains": ["taxation", "market-regulation"], "start": today.replace(year=today.year - 1).isoformat(),
        "end": today.isoformat(), "purpose": "administration", "purpose_text": "政府采购投标", "matter": tender.pk})
    assert response.status_code == 302, FormPage(response.content.decode()).summary()
    report = Report.objects.get()
    assert report.matter == tender
    assert AuditEntry.objects.filter(action="reports.matter", target=f"report:{report.pk}").exists()
