import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from cleanrecord.audit.models import AuditEntry
from cleanrecord.lib.refusals import Refused
from cleanrecord.records import changes
from cleanrecord.records.models import Listing, Penalty, RecordVersion
from cleanrecord.records.services import import_file
from cleanrecord.reference.models import Department
from cleanrecord.reports.tests.factories import entity, listing

from .helpers import penalty, penalty_csv


@pytest.fixture
def imported(tmp_path):
    amr = Department.objects.get(code="amr")
    import_file(path=penalty_csv(tmp_path / "a.csv", [penalty(1)]), kind="penalty", department=amr)
    return Penalty.objects.get()



@pytest.mark.django_db
def test_revoking_keeps_the_previous_state_as_a_version_and_is_audited(imported, amr_clerk):
    changes.revoke(imported, reason="复议撤销", on=dt.date(2025, 6, 1), user=amr_clerk)
    record = Penalty.objects.get()
    assert (record.status, record.revoked_on, record.revoke_reason, record.version) == (
        "revoked", dt.date(2025, 6, 1), "复议撤销", 2)
    v1, v2 = RecordVersion.objects.order_by("version")
    assert (v1.change, v1.state()["status"]) == ("created", "active")
    assert (v2.change, v2.user, v2.reason, v2.state()["status"]) == ("revoked", amr_clerk, "复议撤销", "revoked")
    entry = AuditEntry.objects.get(action="records.revoked")
    assert entry.before["status"] == "active" and entry.after["status"] == "revoked" and entry.actor == "bob"


@pytest.mark.django_db
def test_a_clerk_cannot_change_another_departments_record(imported, tax_clerk):
    with pytest.raises(PermissionDenied):
        changes.revoke(imported, reason="越权", user=tax_clerk)
    assert Penalty.objects.get().status == "active" and not RecordVersion.objects.exists()
    assert [v.change for v in RecordVersion.history(imported)] == ["created"]


@pytest.mark.django_db
def test_repair_and_correction_are_versions_and_wrong_input_is_refused(imported, amr_clerk):
    changes.mark_repaired(imported, decision="兰信修〔2025〕3号", on=dt.date(2025, 7, 1), user=amr_clerk)
    changes.correct(Penalty.objects.get(), values={"fine_wan": Decimal("0.3"), "content": "罚款三千元"},
                    reason="异议更正", user=amr_clerk)
    record = Penalty.objects.get()
    assert (record.repaired_on, record.fine_wan, record.content, record.version) == (
        dt.date(2025, 7, 1), Decimal("0.3"), "罚款三千元", 3)
    assert [v.change for v in RecordVersion.objects.order_by("version")] == ["created", "repaired", "corrected"]
    with pytest.raises(Refused, match="不能更正：subject_key"):
        changes.correct(record, values={"subject_key": "X"}, reason="r", user=amr_clerk)
    with pytest.raises(Refused, match="必须填写"):
        changes.mark_repaired(record, decision=" ", on=dt.date(2025, 7, 1), user=amr_clerk)
    assert Penalty.objects.get().version == 3


@pytest.mark.django_db
def test_a_re_import_after_a_platform_revocation_keeps_it_revoked(imported, amr_clerk, tmp_path):
    changes.revoke(imported, reason="复议撤销", user=amr_clerk)
    amr = Department.objects.get(code="amr")
    result = import_file(path=penalty_csv(tmp_path / "again.csv", [penalty(1)]), kind="penalty", department=amr)
    assert result.batch.rows_unchanged == 1
    assert Penalty.objects.get().status == "revoked"


@pytest.mark.django_db
def test_the_records_state_decides_what_may_be_done_and_the_services_hold_to_it(imported, amr_clerk):
    assert changes.allowed_actions(imported) == ("correct", "revoke", "repair")
    changes.mark_repaired(imported, decision="兰信修〔2025〕3号", on=dt.date(2025, 7, 1), user=amr_clerk)
    repaired = Penalty.objects.get()
    assert changes.allowed_actions(repaired) == ("correct", "revoke")
    with pytest.raises(Refused, match="不能重复标记"):
        changes.mark_repaired(repaired, decision="兰信修〔2025〕4号", on=dt.date(2025, 7, 2), user=amr_clerk)
    changes.revoke(repaired, reason="复议撤销", user=amr_clerk)
    revoked = Penalty.objects.get()
    assert changes.allowed_actions(revoked) == ()
    with pytest.raises(Refused, match="该记录已撤销"):
        changes.correct(revoked, values={"content": "罚款三千元"}, reason="更正", user=amr_clerk)
    assert (Penalty.objects.get().content, Penalty.objects.get().version) == (revoked.content, 3)


@pytest.mark.django_db
def test_a_listing_that_has_left_its_list_is_corrected_but_not_repaired():
    removed = listing(entity(), dt.date(2024, 1, 5), removed_on=dt.date(2025, 1, 5), status="removed")
    assert changes.allowed_actions(removed) == ("correct", "revoke")
    with pytest.raises(Refused, match="已移出名单"):
        changes.mark_repaired(removed, decision="兰信修〔2025〕5号", on=dt.date(2025, 7, 2))
    changes.correct(removed, values={"removed_on": dt.date(2025, 1, 6)}, reason="移出日期有误")
    assert Listing.objects.get().removed_on == dt.date(2025, 1, 6)
