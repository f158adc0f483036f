"""Bodies beyond a route's limit are refused from Content-Length, before anything reads them (issue 11)."""

import http.client
import json
import threading
import time

import pytest
from django.conf import settings
from django.test import override_settings

from cleanrecord.records.models import ImportBatch
from cleanrecord.records.tests.hostile import sheet, workbook

GB = 1024 ** 3
MULTIPART = "multipart/form-data; boundary=xyz"


@pytest.mark.parametrize(("path", "limit"), [
    ("/imports/", "200.0 MB"),
    ("/api/v1/imports", "200.0 MB"),
    ("/my/entities/91620100MA71000001/objections/new/penalty/1/", "10.0 MB"),
    ("/accounts/login/", "2.5 MB"),
])
def test_a_body_over_the_routes_limit_is_refused_unread(client, db, path, limit):
    response = client.post(path, data=b"--xyz--", content_type=MULTIPART, CONTENT_LENGTH=str(GB))

    assert response.status_code == 413
    text = response.json()["detail"] if path.startswith("/api/") else response.content.decode()
    assert f"上传内容过大（本次 1.0 GB）：此处单个文件不能超过 {limit}" in text


@pytest.mark.parametrize("path", ["/verify/file", "/api/v1/verify/file"])
def test_a_verification_upload_over_the_limit_gets_the_verifications_own_answer_unread(client, db, path, monkeypatch):
    from cleanrecord.verification.models import VerificationLog

    def must_not_run(data):
        raise AssertionError("a file over the limit was read")

    monkeypatch.setattr("cleanrecord.verification.files.check_signature", must_not_run)
    response = client.post(path, data=b"--xyz--", content_type=MULTIPART, CONTENT_LENGTH=str(GB))

    assert response.status_code == 413
    text = response.json()["message"] if path.startswith("/api/") else response.content.decode()
    assert "文件过大（上限 20 MB）" in text
    assert VerificationLog.objects.get().result == "bad_file"


def test_a_file_within_the_routes_limit_goes_through(client, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    three_mb = SimpleUploadedFile("report.pdf", b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024))
    response = client.post("/verify/file", {"file": three_mb})

    assert response.status_code != 413
    assert "上传内容过大" not in response.content.decode()


def _raw_post(server, path: str, length: int, body: bytes, headers: dict | None = None) -> tuple[int, str, float]:
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    started = time.monotonic()
    conn.putrequest("POST", path)
    for name, value in {"Content-Type": MULTIPART, "Content-Length": str(length), **(headers or {})}.items():
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(body)
    response = conn.getresponse()
    text = response.read().decode()
    conn.close()
    return response.status, text, time.monotonic() - started


@pytest.mark.django_db(transaction=True)
def test_a_real_request_claiming_ten_gigabytes_is_answered_at_once_and_nothing_reaches_disk(live_server, tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    with override_settings(FILE_UPLOAD_TEMP_DIR=str(uploads)):
        for path, words in (("/verify/file", "文件过大（上限 20 MB）"), ("/api/v1/verify/file", "文件过大（上限 20 MB）"),
                            ("/api/v1/imports", "上传内容过大（本次 10.0 GB）")):
            status, text, elapsed = _raw_post(live_server, path, 10 * GB, b"--xyz\r\n" + b"a" * 4096)

            assert status == 413, text
            assert words in (json.loads(text).get("message") or json.loads(text)["detail"] if "/api/" in path else text)
            assert elapsed < 2
    assert list(uploads.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_verification_keeps_answering_while_a_hostile_workbook_is_read(live_server):
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from cleanrecord.accounts.models import DepartmentClerk
    from cleanrecord.accounts.tokens import create_token
    from cleanrecord.reference.models import Department

    call_command("load_reference", verbosity=0)
    clerk = User.objects.create_user("clerk")
    DepartmentClerk.objects.create(user=clerk, department=Department.objects.get(code="amr"))
    _, secret = create_token(owner=clerk, name="loader", scopes=["imports:write"])
    giant_row = workbook(sheet('<row r="1">' + "<c/>" * 3_000_000 + "</row>"))
    body = (b'--xyz\r\nContent-Disposition: form-data; name="kind"\r\n\r\npenalty\r\n'
            b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="row.xlsx"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n" + giant_row + b"\r\n--xyz--\r\n")
    answers = {}

    def send():
        answers["import"] = _raw_post(live_server, "/api/v1/imports", len(body), body,
                                      {"Authorization": f"Bearer {secret}"})

    host, port = live_server.url.removeprefix("http://").split(":")
    with override_settings(CLEANRECORD={**settings.CLEANRECORD, "IMPORT_MEMORY_LIMIT_MB": 400}):
        sender = threading.Thread(target=send)
        sender.start()
        verifications = []
        while sender.is_alive():
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            started = time.monotonic()
            conn.request("GET", "/verify")
            status = conn.getresponse().status
            verifications.append((status, time.monotonic() - started))
            conn.close()
            time.sleep(0.05)
        sender.join()

    status, text, elapsed = answers["import"]
    assert status == 422, text
    assert "读取文件所需内存超过上限 400 MB" in json.loads(text)["message"]
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED
    assert verifications and all(code == 200 and took < 1 for code, took in verifications), verifications


def test_a_body_without_a_usable_length_is_stopped_once_past_the_limit(db, tmp_path):
    """What the middleware cannot judge (no Content-Length, as with a chunked body under ASGI), the upload
    handler stops while it arrives: the file never reaches the view, nor a temporary file."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import RequestFactory

    with override_settings(FILE_UPLOAD_TEMP_DIR=str(tmp_path)):
        request = RequestFactory().post("/accounts/login/", {"file": SimpleUploadedFile("big.bin", b"x" * (4 * 1024 * 1024))})
        files = request.FILES

    assert "file" not in files
    assert list(tmp_path.iterdir()) == []
