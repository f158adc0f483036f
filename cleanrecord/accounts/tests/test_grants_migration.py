"""Migration accounts.0005: a grant made to a user before organisations existed becomes a grant to an organisation
made for that user, of which the user is the member; so the bank keeps reading what it was granted."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0004_notification"), ("verification", "0002_file_check_appended_result")]
AFTER = [("accounts", "0006_reportgrant_organisation_required"), ("verification", "0003_verificationlog_organisation")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_grant_to_a_user_becomes_a_grant_to_an_organisation_made_for_that_user():
    old = _migrate(BEFORE)
    try:
        User, Entity = old.get_model("auth", "User"), old.get_model("entities", "Entity")
        Grant = old.get_model("accounts", "ReportGrant")
        company = Entity.objects.create(credit_code="91620102MA71MGR000", name="兰州迁移测试有限公司", kind="company",
                                        region_code="620102")
        bank = User.objects.create(username="old-bank", first_name="兰州迁移测试银行")
        plain = User.objects.create(username="old-agency")
        today = dt.date.today()
        for grantee in (bank, plain, bank):
            Grant.objects.create(entity=company, grantee=grantee, valid_from=today, valid_until=today)
    finally:
        new = _migrate(AFTER)
    Grant, Member = new.get_model("accounts", "ReportGrant"), new.get_model("accounts", "OrganisationMember")
    moved = [(g.organisation.name, g.organisation.kind) for g in Grant.objects.order_by("pk").select_related("organisation")]
    assert moved == [("兰州迁移测试银行", "other"), ("old-agency", "other"), ("兰州迁移测试银行", "other")]
    assert {(m.user.username, m.organisation.name) for m in Member.objects.select_related("user", "organisation")} == {
        ("old-bank", "兰州迁移测试银行"), ("old-agency", "old-agency")}
