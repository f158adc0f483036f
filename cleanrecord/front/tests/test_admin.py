import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cleanrecord.records.services import import_upload
from cleanrecord.records.tests.uploads import COMPANY, penalty_csv


@pytest.mark.django_db
def test_office_finds_entities_and_records_in_the_admin_and_cannot_edit_them(client, office_admin, amr):
    import_upload(user=None, upload=SimpleUploadedFile("p.csv", penalty_csv(amr, {})), kind="penalty",
                  department=amr, mapping=None, dry_run=False, channel="cli")
    client.force_login(office_admin)
    entities = client.get("/admin/entities/entity/", {"q": COMPANY}).content.decode()
    assert "兰州测试商贸有限公司" in entities
    penalties = client.get("/admin/records/penalty/", {"q": "兰市监罚〔2025〕1号"}).content.decode()
    assert "兰州测试商贸有限公司" in penalties
    assert client.get("/admin/records/penalty/add/").status_code == 403
    assert client.get("/admin/entities/entity/add/").status_code == 403
    assert client.get("/admin/audit/auditentry/").status_code == 200


@pytest.mark.django_db
def test_admin_never_shows_an_encrypted_id_number(client, office_admin, amr):
    import_upload(user=None, upload=SimpleUploadedFile("p.csv", penalty_csv(amr, {})), kind="penalty",
                  department=amr, mapping=None, dry_run=False, channel="cli")
    client.force_login(office_admin)
    page = client.get(f"/admin/entities/entity/{COMPANY}/change/").content.decode()
    assert "v1:" not in page
