import pytest
from django.contrib.auth.models import User

from cleanrecord.audit.models import AuditEntry
from cleanrecord.reference.models import Department


@pytest.mark.django_db
def test_allowing_a_department_to_send_for_others_in_the_admin_is_audited(client):
    office = User.objects.create_superuser("office", password="pw-office-1")
    client.force_login(office)
    court = Department.objects.get(code="court-intermediate")
    url = f"/admin/reference/department/{court.pk}/change/"
    page = client.get(url)
    assert "可代其他机关报送" in page.content.decode()
    form = {"code": court.code, "name": court.name, "credit_code": court.credit_code, "region": court.region_id,
            "default_domain": court.default_domain_id, "is_court": "on", "is_active": "on", "may_send_for_others": "on"}

    response = client.post(url, form)

    assert response.status_code == 302
    court.refresh_from_db()
    assert court.may_send_for_others
    entry = AuditEntry.objects.get(action="reference.department_send_for_others")
    assert (entry.user, entry.target) == (office, f"department:{court.pk}")
    assert (entry.before, entry.after) == ({"may_send_for_others": False}, {"may_send_for_others": True})
