"""Web and API imports are queued as tasks on the database backend: the batch waits as 排队中 with a progress bar
(rows read of rows expected) and a page that refreshes itself, until a worker imports it; the API answers 202
with the batch and where to poll. The worker runs here in-process (`manage.py worker --batch`); a real worker
process does the same in test_import_task_end_to_end.py."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook

from cleanrecord.accounts.tokens import create_token
from cleanrecord.records.importing import progress
from cleanrecord.records.models import ImportBatch, Penalty
from cleanrecord.records.services import sweep_imports, temp_dir

from .test_imports_pages import upload
from .uploads import penalty_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("database_tasks")]


@pytest.fixture
def reference():
    """Transactional tests (the worker closes a connection that is inside a transaction, as a worker should)
    start from a flushed database: the session's reference data again."""
    call_command("load_reference", verbosity=0)


def work() -> None:
    call_command("worker", "--batch", "--no-startup-delay", "--interval", "0", "--no-schedule", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_web_upload_waits_in_the_queue_with_its_progress_then_the_worker_imports_it(reference, client, bob, amr):
    client.force_login(bob)
    rows = [{"no": f"兰市监罚〔2025〕{n}号"} for n in range(1, 13)]
    response = upload(client, penalty_csv(amr, *rows))
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.QUEUED and batch.rows_total == 12
    assert list(temp_dir("queued").glob(f"batch-{batch.pk}.*"))  # the upload waits in the temp dir
    page = client.get(response.url).content.decode()
    assert "排队中" in page and 'http-equiv="refresh"' in page
    assert 'max="12" value="0"' in page and "已读取 0 / 12 行" in page

    work()

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.rows_created == 12
    assert Penalty.objects.count() == 12
    page = client.get(response.url).content.decode()
    assert "已完成" in page and 'http-equiv="refresh"' not in page and 'id="rows-created">12<' in page
    assert not list(temp_dir("queued").glob(f"batch-{batch.pk}.*"))  # deleted once imported


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_202_with_a_status_url_and_the_counts_once_imported(reference, client, bob, amr):
    _, token = create_token(owner=bob, name="queue", scopes=["imports:write"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    sent = client.post("/api/v1/imports", {"kind": "penalty", "file": SimpleUploadedFile(
        "p.csv", penalty_csv(amr, {}, {"no": "兰市监罚〔2025〕2号"}), "text/csv")}, **auth)
    assert sent.status_code == 202
    answer = sent.json()
    assert answer["status"] == "queued" and answer["status_label"] == "排队中"
    assert answer["rows_read"] == 0 and answer["rows_total"] == 2
    assert answer["status_url"] == f"/api/v1/imports/{answer['id']}"
    assert client.get(answer["status_url"], **auth).json()["status"] == "queued"
    work()
    done = client.get(answer["status_url"], **auth).json()
    assert done["status"] == "done" and done["rows_read"] == 2 and done["rows_created"] == 2


def test_rows_expected_are_counted_before_reading(tmp_path):
    csv = tmp_path / "a.csv"
    csv.write_bytes("h1,h2\r\n1,2\r\n3,4".encode("utf-16"))
    assert progress.estimate_rows(csv) == 2
    book = Workbook()
    sheet = book.active
    for n in range(5):
        sheet.append([f"v{n}", n])
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx = tmp_path / "a.xlsx"
    xlsx.write_bytes(buffer.getvalue())
    assert progress.estimate_rows(xlsx) == 4
    progress._write(progress.progress_path(99), 7)
    assert progress.rows_read(99) == 7
    progress.forget(99)
    assert progress.rows_read(99) is None


def test_the_sweep_keeps_a_waiting_upload_however_old_and_deletes_one_whose_batch_is_over(client, bob, amr):
    client.force_login(bob)
    upload(client, penalty_csv(amr, {}))
    waiting = next(temp_dir("queued").glob("batch-*"))
    orphan = temp_dir("queued") / "batch-999999.csv"
    orphan.write_text("x", encoding="utf-8")
    for path in (waiting, orphan):
        os.utime(path, (0, 0))
    sweep_imports()
    assert waiting.exists() and not orphan.exists()
