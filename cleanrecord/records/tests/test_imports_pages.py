import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cleanrecord.audit.models import AuditEntry
from cleanrecord.records.models import ImportBatch, Penalty, RecordVersion

from .uploads import COMPANY, penalty_csv, token_of


def upload(client, content: bytes, name: str = "处罚.csv", **fields):
    """Upload as a clerk does: the preview first, then 确认导入 (a preview that refuses the file is the answer)."""
    data = {"kind": "penalty", "file": SimpleUploadedFile(name, content), **fields}
    before = ImportBatch.objects.count(), Penalty.objects.count()
    response = client.post("/imports/", data)
    if response.status_code != 200:
        return response
    assert (ImportBatch.objects.count(), Penalty.objects.count()) == before  # the preview writes nothing
    return client.post("/imports/confirm", {"token": token_of(response)})


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/imports/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_user_without_a_department_cannot_import(client, dave, amr):
    client.force_login(dave)
    assert client.get("/imports/").status_code == 403
    assert upload(client, penalty_csv(amr, {})).status_code == 403
    assert Penalty.objects.count() == 0


@pytest.mark.django_db
def test_clerk_uploads_a_file_and_sees_the_counts_and_the_bad_row(client, bob, amr):
    client.force_login(bob)
    content = penalty_csv(amr, {}, {"no": "兰市监罚〔2025〕2号", "date": "2025年13月1日"})
    response = upload(client, content)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'id="rows-read">2<' in page
    assert 'id="rows-created">1<' in page
    assert 'id="rows-rejected">1<' in page
    assert "日期不存在" in page
    batch = ImportBatch.objects.get()
    assert batch.user == bob and batch.channel == "web" and batch.department == amr
    (version,) = RecordVersion.history(Penalty.objects.get())
    assert (version.user, version.batch, version.change) == (bob, batch, "created")
    errors = client.get(f"/imports/{batch.pk}/errors.csv")
    assert errors.status_code == 200
    assert "2025年13月1日" in b"".join(errors.streaming_content).decode("utf-8-sig")
    assert AuditEntry.objects.filter(action="records.import", actor="bob").count() == 1


@pytest.mark.django_db
def test_clerk_cannot_send_another_departments_rows(client, bob, amr, tax):
    client.force_login(bob)
    upload(client, penalty_csv(amr, {"source": tax.credit_code}))
    batch = ImportBatch.objects.get()
    assert batch.rows_rejected == 1 and batch.rows_created == 0
    assert Penalty.objects.count() == 0


@pytest.mark.django_db
def test_clerk_cannot_import_for_another_department(client, bob, tax):
    client.force_login(bob)
    assert upload(client, penalty_csv(tax, {}), department="tax").status_code == 403
    assert ImportBatch.objects.count() == 0


@pytest.mark.django_db
def test_clerk_cannot_see_another_departments_batch(client, bob, carol, tax):
    client.force_login(carol)
    upload(client, penalty_csv(tax, {"date": "bad"}))
    batch = ImportBatch.objects.get()
    client.force_login(bob)
    assert client.get(f"/imports/{batch.pk}/").status_code == 404
    assert client.get(f"/imports/{batch.pk}/errors.csv").status_code == 404
    assert "bad" not in client.get("/imports/").content.decode()


@pytest.mark.django_db
def test_office_imports_by_source_unit_and_sees_every_batch(client, alice, bob, amr):
    client.force_login(alice)
    upload(client, penalty_csv(amr, {}))
    assert Penalty.objects.get().department == amr
    page = client.get("/imports/").content.decode()
    assert "处罚.csv" in page


@pytest.mark.django_db
def test_an_unreadable_upload_is_reported_and_nothing_is_written(client, bob):
    client.force_login(bob)
    response = upload(client, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, name="photo.csv")
    assert response.status_code == 400  # told at the preview, before any batch
    page = response.content.decode()
    assert "文件无法导入" in page and "不是表格" in page and "确认导入" not in page
    assert Penalty.objects.count() == 0 and ImportBatch.objects.count() == 0


@pytest.mark.django_db
def test_dry_run_writes_nothing(client, bob, amr):
    client.force_login(bob)
    upload(client, penalty_csv(amr, {}), dry_run="1")
    batch = ImportBatch.objects.get()
    assert batch.status == "dry_run" and batch.rows_created == 1
    assert Penalty.objects.count() == 0
    assert not Penalty.objects.filter(credit_code=COMPANY).exists()


@pytest.mark.django_db
def test_a_web_upload_refreshes_the_departments_quality_scores(client, bob, amr):
    from cleanrecord.quality.models import QualityScore

    client.force_login(bob)
    upload(client, penalty_csv(amr, {}))
    assert QualityScore.objects.filter(department=amr).exists()


@pytest.mark.django_db
def test_the_menu_offers_data_submission_only_to_those_who_submit(client, bob, dave):
    client.force_login(dave)
    assert "数据报送" not in client.get("/").content.decode()
    client.force_login(bob)
    assert "数据报送" in client.get("/").content.decode()


@pytest.mark.parametrize(("who", "lands_on"), [("alice", "/office/objections/"), ("bob", "/imports/"),
                                                ("dave", "/my/")])
def test_each_role_lands_on_its_own_start_page_after_signing_in(client, alice, bob, dave, who, lands_on):
    password = {"alice": "pw-alice-1", "bob": "pw-bob-1", "dave": "pw-dave-1"}[who]
    response = client.post("/accounts/login/", {"username": who, "password": password})
    assert response.status_code == 302 and response["Location"] == lands_on


@pytest.mark.django_db
def test_the_import_page_counts_rejections_per_reason_and_says_what_was_filled_in(client, bob, amr):
    client.force_login(bob)
    masked = "91620100MA****7Q3X"
    content = penalty_csv(amr, {"code": masked, "no": "兰市监罚〔2025〕1号"}, {"code": masked, "no": "兰市监罚〔2025〕2号"},
                          {"name": "\ufffd\ufffd商贸有限公司", "no": "兰市监罚〔2025〕3号"}, {"no": "兰市监罚〔2025〕4号"})
    response = upload(client, content)
    page = client.get(response["Location"]).content.decode()
    assert 'id="rows-rejected">3<' in page
    assert "代码含遮盖字符（*），不能作为主体标识：请报送完整代码：2 处" in page
    assert "疑似乱码，请检查文件编码" in page
    assert f"已按“{amr.name}”在参考数据中的默认领域（市场监管）填写" in page
    assert list(Penalty.objects.values_list("decision_no", flat=True)) == ["兰市监罚〔2025〕4号"]


def status_of(page: str, where: str = 'id="batch-status" ') -> str:
    """The status word a batch shows, with its CSS class: `class|word`."""
    found = re.search(rf'<span {where}class="status ([\w-]+)">([^<]+)</span>', page)
    assert found, "no batch status on the page"
    return f"{found[1]}|{found[2]}"


@pytest.mark.django_db
def test_a_file_with_most_rows_rejected_says_partly_rejected_with_counts_not_done(client, bob, amr):
    client.force_login(bob)
    rows = [{"no": f"兰市监罚〔2025〕{n}号", **({} if n <= 2 else {"date": "2025年13月1日"})} for n in range(1, 9)]
    response = upload(client, penalty_csv(amr, *rows))
    page = client.get(response["Location"]).content.decode()
    assert status_of(page) == "status-partial|部分拒收"
    assert re.search(r'<p id="batch-counts" class="status status-partial">导入 2 行，拒收 6 行', page)
    listing = client.get("/imports/").content.decode()
    assert status_of(listing, "") == "status-partial|部分拒收" and "导入 2 行，拒收 6 行" in listing
    assert "已完成" not in page and "已完成" not in listing


@pytest.mark.django_db
def test_a_clean_file_says_done_and_a_wholly_rejected_one_says_so(client, bob, amr):
    client.force_login(bob)
    clean = client.get(upload(client, penalty_csv(amr, {}, {"no": "兰市监罚〔2025〕2号"}))["Location"]).content.decode()
    assert status_of(clean) == "status-ok|已完成" and "导入 2 行，拒收 0 行" in clean
    rejected = upload(client, penalty_csv(amr, {"no": "兰市监罚〔2025〕3号", "date": "2025年13月1日"}))
    page = client.get(rejected["Location"]).content.decode()
    assert status_of(page) == "status-bad|全部拒收" and "导入 0 行，拒收 1 行" in page
