"""Accepting organisations (issue 18, point 3): grants go to an organisation chosen from a list, its members read
the entity's reports until the grant is revoked (portal and API at once), and what they verify while signed in is
attributed to the organisation in the entity's verification log."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from cleanrecord.accounts.models import EntityUser, Organisation, ReportGrant
from cleanrecord.audit.models import AuditEntry
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import entity
from cleanrecord.testing.actors import make_member
from cleanrecord.testing.forms import FormPage
from cleanrecord.testing.queries import count_queries
from cleanrecord.verification.models import VerificationLog

TODAY = timezone.localdate


def logged_in(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def world(db):
    company = entity("91620102MA71GRT00", "兰州机构授权测试有限公司")
    owner = User.objects.create_user("org-owner")
    EntityUser.objects.create(user=owner, entity=company, role=EntityUser.Role.LEGAL_REP)
    bank = Organisation.objects.create(name="兰州授权测试银行", kind=Organisation.Kind.BANK)
    agency = Organisation.objects.create(name="兰州测试公共资源交易中心", kind=Organisation.Kind.TENDER)
    closed = Organisation.objects.create(name="已停用测试银行", kind=Organisation.Kind.BANK, active=False)
    return {"company": company, "owner": owner, "bank": bank, "agency": agency, "closed": closed,
            "teller": make_member("teller", bank), "manager": make_member("manager", bank),
            "clerk": make_member("tender-clerk", agency)}


def _grant(world, organisation, **dates):
    c = logged_in(world["owner"])
    response = c.post(f"/my/entities/{world['company'].credit_code}/grants", {
        "organisation": organisation.pk if isinstance(organisation, Organisation) else organisation,
        "valid_from": dates.get("valid_from", TODAY().isoformat()),
        "valid_until": dates.get("valid_until", (TODAY() + dt.timedelta(days=30)).isoformat())})
    return response


@pytest.mark.django_db
def test_the_grant_form_offers_the_active_organisations_and_no_username_box(world):
    page = logged_in(world["owner"]).get("/my/").content.decode()
    code = world["company"].credit_code
    form = FormPage(page)
    assert form.attrs[f"grant-{code}-organisation"]["tag"] == "select"
    assert "兰州授权测试银行（银行等金融机构）" in page and "兰州测试公共资源交易中心（招标采购单位）" in page
    assert "已停用测试银行" not in page
    assert not [i for i in form.inputs if i.get("name") == "grantee"]  # no free-text account name
    assert "报告上印有的核验码仍是报告持有人的凭证" in page


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["teller", "org-owner", "no-such-user", "999999", "兰州授权测试银行"])
def test_the_grant_form_answers_alike_whatever_is_sent_in_place_of_an_organisation(world, sent):
    """A username that exists and one that does not, or an organisation's name, get the very same answer."""
    response = _grant(world, sent)
    assert response.status_code == 400
    page = FormPage(response.content.decode())
    assert page.error_beside(f"grant-{world['company'].credit_code}-organisation") == "请从列表中选择被授权机构"
    assert sent not in page.summary()
    assert ReportGrant.objects.count() == 0


@pytest.mark.django_db
def test_a_deactivated_organisation_cannot_be_granted(world):
    response = _grant(world, world["closed"])
    assert response.status_code == 400
    assert FormPage(response.content.decode()).error_beside(
        f"grant-{world['company'].credit_code}-organisation") == "请从列表中选择被授权机构"
    assert ReportGrant.objects.count() == 0


@pytest.mark.django_db
def test_a_grant_to_an_organisation_opens_the_reports_to_each_member_and_is_audited(world):
    code = world["company"].credit_code
    assert _grant(world, world["bank"]).status_code == 302
    entry = AuditEntry.objects.get(action="accounts.grant")
    assert entry.after["organisation"] == "兰州授权测试银行" and entry.after["entity"] == code
    for name in ("teller", "manager"):
        assert logged_in(world[name]).get(f"/api/v1/entities/{code}/reports").status_code == 200
    # The other organisation's member is not let in.
    assert logged_in(world["clerk"]).get(f"/api/v1/entities/{code}/reports").status_code == 403
    owner_page = logged_in(world["owner"]).get("/my/").content.decode()
    assert "兰州授权测试银行" in owner_page


@pytest.mark.django_db
def test_deactivating_the_organisation_closes_the_reports_to_its_members_at_once(world):
    code = world["company"].credit_code
    _grant(world, world["bank"])
    teller = logged_in(world["teller"])
    assert teller.get(f"/api/v1/entities/{code}/reports").status_code == 200
    Organisation.objects.filter(pk=world["bank"].pk).update(active=False)
    assert teller.get(f"/api/v1/entities/{code}/reports").status_code == 403
    assert world["company"].name not in teller.get("/my/").content.decode()


@pytest.mark.django_db
@pytest.mark.pdf
def test_revoking_closes_the_portal_and_the_api_to_every_member_at_once_but_the_code_still_verifies(world):
    code = world["company"].credit_code
    report = issue_report(credit_code=code, domains=["taxation"], purpose="finance")
    _grant(world, world["bank"])
    grant = ReportGrant.objects.get()
    members = [logged_in(world["teller"]), logged_in(world["manager"])]
    for m in members:
        page = m.get("/my/").content.decode()
        assert report.number in page and "兰州机构授权测试有限公司" in page
        assert m.get(f"/api/v1/reports/{report.number}").status_code == 200
        assert m.get(f"/api/v1/reports/{report.number}/pdf").status_code == 200

    owner = logged_in(world["owner"])
    response = owner.post(f"/my/entities/{code}/grants/{grant.pk}/revoke", follow=True)
    assert "已撤销对 兰州授权测试银行 的授权" in response.content.decode()
    assert AuditEntry.objects.get(action="accounts.grant_revoke").after["organisation"] == "兰州授权测试银行"

    for m in members:  # the very next request
        assert report.number not in m.get("/my/").content.decode()
        assert m.get(f"/api/v1/entities/{code}/reports").status_code == 403
        assert m.get(f"/api/v1/reports/{report.number}").status_code == 404
        assert m.get(f"/api/v1/reports/{report.number}/pdf").status_code == 404
        assert m.get(f"/api/v1/reports/{report.number}/verifications").status_code == 404
        # The code printed on the report remains its holder's proof.
        assert "真实有效" in m.get(f"/verify/{report.verification_code}").content.decode()


@pytest.mark.django_db
@pytest.mark.pdf
def test_verifications_made_while_signed_in_are_attributed_to_the_organisation(world):
    code = world["company"].credit_code
    report = issue_report(credit_code=code, domains=["taxation"], purpose="finance")
    teller, clerk = logged_in(world["teller"]), logged_in(world["clerk"])
    assert teller.get(f"/verify/{report.verification_code}").status_code == 200
    assert clerk.get(f"/api/v1/verify/{report.verification_code}").status_code == 200
    assert Client().get(f"/verify/{report.verification_code}").status_code == 200  # anonymous
    assert logged_in(world["owner"]).get(f"/verify/{report.verification_code}").status_code == 200  # no organisation

    logged = {(v.channel, v.organisation.name if v.organisation else None)
              for v in VerificationLog.objects.filter(report=report).select_related("organisation")}
    assert logged == {("page", "兰州授权测试银行"), ("api", "兰州测试公共资源交易中心"), ("page", None)}
    assert VerificationLog.objects.filter(report=report).count() == 4

    owner = logged_in(world["owner"])
    page = owner.get("/my/").content.decode()
    assert "网页 真实有效 · <span class=\"verified-by\">兰州授权测试银行</span>" in page
    assert "接口 真实有效 · <span class=\"verified-by\">兰州测试公共资源交易中心</span>" in page
    listed = owner.get(f"/api/v1/reports/{report.number}/verifications").json()
    assert sorted(v["organisation"] or "" for v in listed) == ["", "", "兰州授权测试银行", "兰州测试公共资源交易中心"]


@pytest.mark.django_db
@pytest.mark.pdf
def test_a_deactivated_organisations_member_verifies_unattributed(world):
    report = issue_report(credit_code=world["company"].credit_code, domains=["taxation"], purpose="finance")
    Organisation.objects.filter(pk=world["bank"].pk).update(active=False)
    assert logged_in(world["teller"]).get(f"/verify/{report.verification_code}").status_code == 200
    assert VerificationLog.objects.get(report=report).organisation_id is None


@pytest.mark.django_db
def test_a_member_verifying_an_unknown_code_is_logged_with_the_organisation(world):
    assert logged_in(world["teller"]).get("/verify/ABCD-EFGH-JKMN").status_code == 404
    assert VerificationLog.objects.get(report=None).organisation == world["bank"]


@pytest.mark.django_db
@pytest.mark.pdf
@pytest.mark.parametrize("via", ["page", "api"])
def test_attribution_costs_no_query_more_than_any_signed_in_verification(world, via, django_assert_num_queries):
    """The organisation is found by a subquery of the log's INSERT: a member's verification makes as many queries
    as that of a signed-in account of no organisation (and an anonymous one is untouched: test_query_counts)."""
    report = issue_report(credit_code=world["company"].credit_code, domains=["taxation"], purpose="finance")
    url = f"/verify/{report.verification_code}" if via == "page" else f"/api/v1/verify/{report.verification_code}"
    owner, teller = logged_in(world["owner"]), logged_in(world["teller"])
    owner.get(url), teller.get(url)  # the answer worked out once
    counted = count_queries(lambda: owner.get(url))
    with django_assert_num_queries(counted):
        assert teller.get(url).status_code == 200
    assert VerificationLog.objects.filter(report=report, organisation=world["bank"]).count() == 2
