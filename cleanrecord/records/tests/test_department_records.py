import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cleanrecord.records.models import Penalty, RecordVersion
from cleanrecord.records.services import import_upload

from .uploads import COMPANY, penalty_csv


@pytest.fixture
def amr_penalty(amr, bob):
    import_upload(user=bob, upload=SimpleUploadedFile("p.csv", penalty_csv(amr, {})), kind="penalty", department=amr,
                  mapping=None, dry_run=False, channel="web")
    return Penalty.objects.get()


@pytest.mark.django_db
def test_a_clerk_finds_own_department_records_by_code_name_or_number(client, bob, amr_penalty):
    client.force_login(bob)
    for q in (COMPANY, "测试商贸", "兰市监罚〔2025〕1号"):
        assert "兰州测试商贸有限公司" in client.get("/department/records/", {"q": q}).content.decode(), q


@pytest.mark.django_db
def test_another_department_neither_lists_nor_opens_the_record(client, carol, amr_penalty):
    client.force_login(carol)
    assert "兰州测试商贸有限公司" not in client.get("/department/records/", {"q": COMPANY}).content.decode()
    assert client.get(f"/department/records/penalty/{amr_penalty.pk}/").status_code == 404
    response = client.post(f"/department/records/penalty/{amr_penalty.pk}/", {"action": "revoke", "reason": "x"})
    assert response.status_code == 404
    assert Penalty.objects.get().status == "active"


@pytest.mark.django_db
def test_users_without_a_department_are_refused(client, dave, amr_penalty):
    client.force_login(dave)
    assert client.get("/department/records/").status_code == 403
    client.logout()
    assert client.get("/department/records/").status_code == 302


@pytest.mark.django_db
def test_the_clerk_revokes_and_marks_repaired_and_sees_the_versions(client, bob, amr_penalty):
    client.force_login(bob)
    url = f"/department/records/penalty/{amr_penalty.pk}/"
    assert client.post(url, {"action": "repair", "decision": "兰信修〔2025〕9号", "repaired_on": "2025-09-01"}).status_code == 302
    assert client.post(url, {"action": "revoke", "reason": "行政复议撤销"}).status_code == 302
    page = client.get(url).content.decode()
    assert "已撤销（行政复议撤销）" in page and "兰信修〔2025〕9号" in page
    assert [v.change for v in RecordVersion.objects.order_by("version")] == ["created", "repaired", "revoked"]
    refused = client.post(url, {"action": "repair", "decision": "", "repaired_on": "2025-09-01"})
    assert refused.status_code == 400 and "必须填写修复决定文书号" in refused.content.decode()


@pytest.mark.django_db
def test_the_clerk_corrects_a_field_and_wrong_values_are_refused(client, bob, amr_penalty):
    client.force_login(bob)
    url = f"/department/records/penalty/{amr_penalty.pk}/"
    ok = client.post(url, {"action": "correct", "field": "fine_wan", "value": "0.3", "reason": "异议更正"})
    assert ok.status_code == 302
    record = Penalty.objects.get()
    assert str(record.fine_wan.normalize()) == "0.3" and record.version == 2
    for field, value, message in (("fine_wan", "abc", "金额应为数字"), ("decided_on", "2025/13/01", "日期格式应为"),
                                  ("subject_key", "X", "不能更正"), ("content", "", "不能为空")):
        response = client.post(url, {"action": "correct", "field": field, "value": value, "reason": "r"})
        assert response.status_code == 400 and message in response.content.decode(), field
    assert Penalty.objects.get().version == 2
