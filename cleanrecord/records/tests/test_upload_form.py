"""The import upload as a form (issue 17, point 3): what is missing or wrong is named beside its field, all at once,
with the choices kept; a refusal of the service (the file's size, the profile) lands beside its field."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cleanrecord.records.models import ImportBatch, Penalty
from cleanrecord.testing.forms import FormPage

from .uploads import penalty_csv


@pytest.mark.django_db
def test_an_upload_with_no_file_and_no_kind_names_both_and_stages_nothing(client, bob):
    client.force_login(bob)
    response = client.post("/imports/", {"kind": "licence-of-nothing", "profile": "方" * 101, "dry_run": "1"})
    assert response.status_code == 400
    page = FormPage(response.content.decode())
    assert page.error_beside("id_kind") == "请选择数据类别"
    assert page.error_beside("id_profile") == "导入方案名称最多 100 字"
    assert page.error_beside("id_file") == "请选择要上传的文件"
    assert page.summary().startswith("请修改以下 3 处问题后再提交")
    assert "checked" in page.attrs["id_dry_run"]  # the ticked box stays ticked
    assert page.label_of("id_file") == "文件*" and "required" in page.attrs["id_file"]
    assert (ImportBatch.objects.count(), Penalty.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_a_profile_the_department_does_not_have_is_named_beside_the_profile(client, bob, amr):
    client.force_login(bob)
    response = client.post("/imports/", {"kind": "penalty", "profile": "不存在的方案",
                                         "file": SimpleUploadedFile("处罚.csv", penalty_csv(amr, {}))})
    assert response.status_code == 400
    page = FormPage(response.content.decode())
    assert page.error_beside("id_profile") == f"{amr.name}没有名为“不存在的方案”的导入方案"
    assert page.value("kind") == "penalty"
    assert (ImportBatch.objects.count(), Penalty.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_a_file_over_the_limit_is_named_beside_the_file_input(client, bob, amr, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "IMPORT_MAX_BYTES": 10}
    client.force_login(bob)
    response = client.post("/imports/", {"kind": "penalty", "file": SimpleUploadedFile("处罚.csv", b"x" * 11)})
    assert response.status_code == 400
    assert FormPage(response.content.decode()).error_beside("id_file").startswith("文件过大")
    assert ImportBatch.objects.count() == 0
