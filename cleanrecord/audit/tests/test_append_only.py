import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from cleanrecord.audit.models import AppendOnlyError, AuditEntry
from cleanrecord.audit.services import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(db):
    return record_event(user=None, action="test.thing", target="thing:1", after={"n": 1})


def test_an_entry_cannot_be_changed_through_the_orm(entry):
    entry.target = "thing:2"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(target="thing:2")
    assert AuditEntry.objects.get(pk=entry.pk).target == "thing:1"


def test_an_entry_cannot_be_deleted_through_the_orm(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_admin_shows_entries_but_refuses_to_change_or_delete_them(client, superuser, entry):
    client.force_login(superuser)
    url = f"/admin/audit/auditentry/{entry.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "thing:1" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"target": "thing:2"}).status_code == 403
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    listing = client.post("/admin/audit/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk]})
    assert listing.status_code in (200, 302)
    assert AuditEntry.objects.get(pk=entry.pk).target == "thing:1"


def test_deleting_a_user_keeps_their_entries_and_the_chain_intact(outsider):
    record_event(user=outsider, action="test.by-dave", target="thing:1")
    User.objects.filter(pk=outsider.pk).delete()
    entry = AuditEntry.objects.get(action="test.by-dave")
    assert (entry.user, entry.actor) == (None, "dave")
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "审计日志完整" in out.getvalue()
