"""The credit office console: revoking reports and setting the report rules through the admin."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from cleanrecord.audit.models import AuditEntry
from cleanrecord.reports import rules
from cleanrecord.reports.models import Report, RuleSettings
from cleanrecord.reports.services import issue_report

from .factories import entity, penalty

CHANGELIST = "/admin/reports/report/"
RULES_ADD = "/admin/reports/rulesettings/add/"


@pytest.fixture(autouse=True)
def _fresh_office_rules():
    """Rows roll back with each test but the cached rules would not: start and end without them."""
    rules.forget_office_rules()
    yield
    rules.forget_office_rules()


@pytest.fixture
def report(db) -> Report:
    e = entity(name="兰州撤销测试有限公司")
    penalty(e, timezone.localdate() - dt.timedelta(days=30))
    return issue_report(credit_code=e.credit_code, domains=["market-regulation"], purpose="finance")


def staff(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username, password=f"pw-{username}-1", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="reports", codename__in=codenames))
    return user


@pytest.fixture
def office(db) -> User:
    return staff("office", "view_report", "revoke_report")


@pytest.fixture
def office_admin(db) -> User:
    return User.objects.create_superuser("chief", password="pw-chief-1")


def revoke_action(client, report: Report, **extra):
    return client.post(CHANGELIST, {"action": "revoke", "_selected_action": [report.pk], **extra})


@pytest.mark.pdf
@pytest.mark.django_db
def test_the_office_revokes_a_report_with_a_reason_shown_on_its_verification_page(client, office, report):
    client.force_login(office)
    assert "撤销所选报告" in client.get(CHANGELIST).content.decode()

    asked = revoke_action(client, report)
    assert asked.status_code == 200
    html = asked.content.decode()
    assert "撤销原因" in html and report.number in html
    report.refresh_from_db()
    assert report.revoked_at is None  # nothing happens before the reason is given

    done = revoke_action(client, report, confirm="yes", reason="企业提供虚假申请材料")
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.revoked_at is not None and report.revoke_reason == "企业提供虚假申请材料"
    page = client.get(f"/verify/{report.verification_code}").content.decode()
    assert 'id="verdict">已撤销<' in page and "企业提供虚假申请材料" in page
    entry = AuditEntry.objects.get(action="reports.revoke")
    assert (entry.actor, entry.target, entry.after) == ("office", f"report:{report.number}",
                                                       {"reason": "企业提供虚假申请材料"})


@pytest.mark.pdf
@pytest.mark.django_db
def test_a_revocation_without_a_reason_is_asked_again(client, office, report):
    client.force_login(office)
    response = revoke_action(client, report, confirm="yes", reason="  ")
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    report.refresh_from_db()
    assert report.revoked_at is None


@pytest.mark.pdf
@pytest.mark.django_db
def test_without_the_revoke_permission_the_action_is_neither_shown_nor_run(client, report):
    client.force_login(staff("viewer", "view_report"))
    assert "撤销所选报告" not in client.get(CHANGELIST).content.decode()
    revoke_action(client, report, confirm="yes", reason="越权撤销")
    report.refresh_from_db()
    assert report.revoked_at is None
    assert not AuditEntry.objects.filter(action="reports.revoke").exists()


def rule_form(**changes) -> dict:
    form = {"include_simple_procedure": "on", "repaired_records": "label",
            "nothing_found_text": "查询期内，未发现{kinds}记录", "default_years": "3", "max_years": "5",
            "valid_days": "30"}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def market_records(credit_code: str) -> list[str]:
    query = rules.build_query(credit_code=credit_code, domains=["market-regulation"], start=None, end=None,
                              purpose="finance", today=timezone.localdate())
    details = rules.compute(query, today=timezone.localdate())["details"]
    return [r["number"] for block in details for r in block["records"]]


@pytest.mark.django_db
def test_rules_saved_by_the_office_apply_to_the_next_report_and_are_audited(client, office_admin):
    e = entity()
    simple = penalty(e, timezone.localdate() - dt.timedelta(days=100), procedure="simple")
    assert market_records(e.credit_code) == [simple.decision_no]
    client.force_login(office_admin)

    response = client.post(RULES_ADD, rule_form(include_simple_procedure=None, valid_days="60"))
    assert response.status_code == 302
    assert market_records(e.credit_code) == []
    assert rules.rule("REPORT_VALID_DAYS") == 60
    entry = AuditEntry.objects.get(action="settings.change")
    assert entry.actor == "chief"
    assert (entry.before["include_simple_procedure"], entry.after["include_simple_procedure"]) == (True, False)
    assert (entry.before["valid_days"], entry.after["valid_days"]) == (30, 60)

    # One row only: it is changed, never added again nor deleted.
    assert client.get(RULES_ADD).status_code == 403
    assert client.get("/admin/reports/rulesettings/1/delete/").status_code == 403
    response = client.post("/admin/reports/rulesettings/1/change/", rule_form(nothing_found_text="未发现违法违规记录"))
    assert response.status_code == 302
    assert market_records(e.credit_code) == [simple.decision_no]
    assert rules.rule("REPORT_NOTHING_FOUND_TEXT") == "未发现违法违规记录"
    second = AuditEntry.objects.filter(action="settings.change").latest("id")
    assert (second.before["include_simple_procedure"], second.after["include_simple_procedure"]) == (False, True)
    assert second.after["nothing_found_text"] == "未发现违法违规记录"
    assert RuleSettings.objects.get().updated_by == office_admin


@pytest.mark.django_db
def test_until_the_office_saves_rules_the_environment_decides(settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_MAX_YEARS": 2}
    assert rules.rule("REPORT_MAX_YEARS") == 2
    RuleSettings(include_simple_procedure=True, repaired_records="hide", nothing_found_text="无", default_years=2,
                 max_years=4, valid_days=10).save()
    assert rules.rule("REPORT_MAX_YEARS") == 4
    assert rules.rules_in_force()["repaired_records"] == "hide"


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "message"), [
    # The national rule: at most 5 years back.
    ({"max_years": "6"}, "最长追溯年限应在 1 到 5 年之间（国家规定查询期最长追溯 5 年）"),
    ({"max_years": "10", "default_years": "3"}, "最长追溯年限应在 1 到 5 年之间（国家规定查询期最长追溯 5 年）"),
    ({"max_years": "0", "default_years": "1"}, "最长追溯年限应在 1 到 5 年之间"),
    ({"default_years": "6", "max_years": "5"}, "默认查询年限不能超过国家规定的最长追溯年限（5 年）"),
    ({"default_years": "5", "max_years": "4"}, "默认查询年限不能超过最长追溯年限"),
    ({"valid_days": "0"}, "报告有效期应在 1 到 365 天之间"),
    ({"valid_days": "366"}, "报告有效期应在 1 到 365 天之间"),
    ({"nothing_found_text": "   "}, "这个字段是必填项"),
])
def test_invalid_rules_are_refused_with_the_reason(client, office_admin, changes, message):
    client.force_login(office_admin)
    response = client.post(RULES_ADD, rule_form(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RuleSettings.objects.exists()
    assert not AuditEntry.objects.filter(action="settings.change").exists()


@pytest.mark.django_db
def test_saved_rules_move_to_the_kinds_template_and_the_national_five_years():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("cleanrecord.reports.migrations.0004_rules_five_years_and_kinds_template")
    RuleSettings.objects.bulk_create([RuleSettings(
        pk=1, include_simple_procedure=True, repaired_records="label", default_years=8, max_years=10, valid_days=30,
        nothing_found_text="查询期内，未发现该主体在本领域存在违法违规记录")])
    migration.forward(apps, None)
    saved = RuleSettings.objects.get()
    assert (saved.nothing_found_text, saved.max_years, saved.default_years) == (
        "查询期内，未发现{kinds}记录", 5, 5)
    RuleSettings.objects.update(nothing_found_text="本领域无记录")
    migration.forward(apps, None)
    assert RuleSettings.objects.get().nothing_found_text == "本领域无记录"  # the office's own words stay
