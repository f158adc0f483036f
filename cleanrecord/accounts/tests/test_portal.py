import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from cleanrecord.accounts.models import EntityUser, Organisation, OrganisationMember, ReportGrant
from cleanrecord.audit.models import AuditEntry
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import entity

pytestmark = pytest.mark.pdf  # every test here issues, renders or reads a real PDF


@pytest.fixture
def setup(db):
    mine = entity("91620102MA71PRT00", "兰州门户甲有限公司")
    theirs = entity("91620103MA71PRT01", "兰州门户乙有限公司")
    owner = User.objects.create_user("owner")
    EntityUser.objects.create(user=owner, entity=mine, role="legal_rep")
    other_owner = User.objects.create_user("other-owner")
    EntityUser.objects.create(user=other_owner, entity=theirs)
    bank = User.objects.create_user("bank")
    OrganisationMember.objects.create(user=bank, organisation=Organisation.objects.create(name="兰州门户银行"))
    report = issue_report(credit_code=mine.credit_code, domains=["taxation"], purpose="finance")
    theirs_report = issue_report(credit_code=theirs.credit_code, domains=["taxation"], purpose="finance")
    Client().get(f"/verify/{report.verification_code}")  # someone verified it
    return mine, theirs, owner, other_owner, bank, report, theirs_report


def logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_the_portal_shows_my_entity_my_reports_and_who_verified_them(setup):
    mine, theirs, owner, _, _, report, theirs_report = setup
    page = logged_in(owner).get("/my/").content.decode()
    assert mine.name in page and report.number in page and "网页 真实有效" in page
    assert theirs.name not in page and theirs_report.number not in page


@pytest.mark.django_db
def test_a_grant_lets_a_bank_read_the_reports_until_it_is_revoked(setup):
    mine, _, owner, _, bank, report, theirs_report = setup
    today = timezone.localdate()
    c = logged_in(owner)
    response = c.post(f"/my/entities/{mine.credit_code}/grants",
                      {"organisation": bank.membership.organisation.pk, "valid_from": today.isoformat(),
                       "valid_until": (today + dt.timedelta(days=30)).isoformat()})
    assert response.status_code == 302
    grant = ReportGrant.objects.get()
    assert AuditEntry.objects.filter(action="accounts.grant", actor="owner").exists()

    b = logged_in(bank)
    assert report.number in b.get("/my/").content.decode()
    listed = b.get(f"/api/v1/entities/{mine.credit_code}/reports")
    assert listed.status_code == 200 and [r["number"] for r in listed.json()] == [report.number]
    assert b.get(f"/api/v1/reports/{report.number}/pdf").status_code == 200
    assert b.get(f"/api/v1/reports/{theirs_report.number}/pdf").status_code == 404  # not granted
    assert b.get(f"/api/v1/entities/{mine.credit_code}").status_code == 403  # reports only, not records

    assert c.post(f"/my/entities/{mine.credit_code}/grants/{grant.pk}/revoke").status_code == 302
    assert b.get(f"/api/v1/entities/{mine.credit_code}/reports").status_code == 403
    assert b.get(f"/api/v1/reports/{report.number}/pdf").status_code == 404
    assert AuditEntry.objects.filter(action="accounts.grant_revoke").exists()


@pytest.mark.django_db
def test_nobody_grants_for_an_entity_they_do_not_act_for(setup):
    mine, _, _, other_owner, bank, _, _ = setup
    today = timezone.localdate().isoformat()
    response = logged_in(other_owner).post(f"/my/entities/{mine.credit_code}/grants", {
        "organisation": bank.membership.organisation.pk, "valid_from": today, "valid_until": today})
    assert response.status_code == 404
    assert ReportGrant.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "message"), [
    ({"organisation": "nobody"}, "请从列表中选择被授权机构"),
    ({"organisation": "999999"}, "请从列表中选择被授权机构"),
    ({"valid_until": "2020-01-01"}, "授权期限不正确"),
    ({"valid_until": "2099-01-01"}, "授权期限最长"),
])
def test_wrong_grants_are_refused_with_a_reason(setup, fields, message):
    mine, _, owner, _, bank, _, _ = setup
    today = timezone.localdate().isoformat()
    c = logged_in(owner)
    response = c.post(f"/my/entities/{mine.credit_code}/grants", {
        "organisation": bank.membership.organisation.pk, "valid_from": today, "valid_until": today, **fields})
    assert response.status_code == 400 and message in response.content.decode()  # beside the field, on the page
    assert ReportGrant.objects.count() == 0


@pytest.mark.django_db
def test_an_entity_user_reads_its_own_records_through_the_api_but_not_anothers(setup):
    mine, theirs, owner, _, _, _, _ = setup
    c = logged_in(owner)
    assert c.get(f"/api/v1/entities/{mine.credit_code}/records").status_code == 200
    assert c.get(f"/api/v1/entities/{theirs.credit_code}/records").status_code == 403
    assert c.post("/api/v1/reports", {"credit_code": theirs.credit_code, "domains": "all"},
                  content_type="application/json").status_code == 403
    assert c.post("/api/v1/reports", {"credit_code": mine.credit_code, "domains": ["taxation"]},
                  content_type="application/json").status_code == 201
