import pytest
from django.contrib.auth.models import Permission, User

from cleanrecord.audit.models import AuditEntry


@pytest.mark.django_db
def test_granting_and_removing_a_permission_is_audited_with_who_did_it(client):
    admin = User.objects.create_superuser("root-admin", password="pw-root-1")
    clerk = User.objects.create_user("someone", password="pw-someone-1")
    client.force_login(admin)
    perm = Permission.objects.get(codename="view_auditentry")
    response = client.post(f"/admin/auth/user/{clerk.pk}/change/", {
        "username": "someone", "is_active": "on", "user_permissions": [perm.pk],
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00", "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "00:00:00",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="accounts.permissions_add")
    assert entry.actor == "root-admin" and entry.target == "user:someone"
    assert entry.after["permissions"] == ["audit.view_auditentry"]
    clerk.user_permissions.remove(perm)
    assert AuditEntry.objects.filter(action="accounts.permissions_remove", target="user:someone").exists()


@pytest.mark.django_db
def test_making_a_user_staff_or_inactive_is_audited():
    user = User.objects.create_user("flagged")
    user.is_staff = True
    user.save()
    entry = AuditEntry.objects.get(action="accounts.user_flags")
    assert entry.before["is_staff"] is False and entry.after["is_staff"] is True


@pytest.mark.django_db
def test_editing_a_department_in_the_admin_is_audited(client):
    from cleanrecord.reference.models import Department

    admin = User.objects.create_superuser("root-admin2", password="pw-root-2")
    client.force_login(admin)
    dept = Department.objects.get(code="amr")
    response = client.post(f"/admin/reference/department/{dept.pk}/change/", {
        "code": dept.code, "name": "兰州市市场监督管理局（新）", "credit_code": dept.credit_code,
        "region": dept.region_id, "default_domain": dept.default_domain_id, "is_active": "on",
    })
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="reference.department_change", actor="root-admin2").exists()
