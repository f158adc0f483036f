"""The file check under hostile uploads: revisions, objects, time and memory are bounded, anything appended
after the signature is said, and the checks spend the client's verification budget (issue 11)."""

import re
import time

import pytest

from cleanrecord.verification import files, sandbox
from cleanrecord.verification.models import ClientBudget, VerificationLog

from .test_file_check import VIA, check, logged


def _trailer(pdf: bytes) -> tuple[int, bytes, int]:
    """(/Size, /Root reference, offset of the last xref section) of `pdf`."""
    trailer = re.findall(rb"trailer\s*<<(.*?)>>\s*startxref", pdf, re.S)[-1]
    size, root = re.search(rb"/Size\s+(\d+)", trailer), re.search(rb"/Root\s+(\d+ \d+ R)", trailer)
    assert size and root, trailer
    return int(size[1]), root[1], int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])


def with_revisions(pdf: bytes, count: int) -> bytes:
    """`pdf` and `count` incremental updates, each giving the document a new /Info title: the reproduction
    of the issue (a signed report with 2,000 revisions cost ~19 s of CPU, 3,000 cost 61 s)."""
    size, root, prev = _trailer(pdf)
    out = bytearray(pdf)
    for i in range(count):
        number, size, at = size, size + 1, len(out)
        out += b"%d 0 obj\n<< /Title (revision %d) >>\nendobj\n" % (number, i)
        xref = len(out)
        out += b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n" % (number, at)
        out += b"trailer\n<< /Size %d /Root %s /Info %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
            size, root, number, prev, xref)
        prev = xref
    return bytes(out)


def with_hidden_revisions(pdf: bytes, count: int) -> bytes:
    """Like with_revisions, but each update ends in an xref stream whose /Type is spelled with a name escape
    (/X#52ef), and only the last one has a startxref and %%EOF: the raw byte count sees 3 revisions."""
    size, root, prev = _trailer(pdf)
    out = bytearray(pdf)
    for i in range(count):
        info, number, size, info_at = size, size + 1, size + 2, len(out)
        out += b"%d 0 obj\n<< /Title (revision %d) >>\nendobj\n" % (info, i)
        xref = len(out)
        rows = b"\x01" + info_at.to_bytes(4, "big") + b"\x00\x01" + xref.to_bytes(4, "big") + b"\x00"
        out += b"%d 0 obj\n<< /Type /X#52ef /Size %d /Index [%d 2] /W [1 4 1] /Root %s /Info %d 0 R /Prev %d " \
               b"/Length %d >>\nstream\n" % (number, size, info, root, info, prev, len(rows))
        out += rows + b"\nendstream\nendobj\n"
        prev = xref
    return bytes(out + b"startxref\n%d\n%%%%EOF\n" % prev)


def limits(settings, **values) -> None:
    settings.CLEANRECORD = {**settings.CLEANRECORD, **values}


# -- revisions and objects ----------------------------------------------------------------------

@pytest.mark.pdf
@VIA
@pytest.mark.django_db
def test_a_signed_report_with_2000_incremental_revisions_is_refused_at_once(client, report, pdf, via):
    hostile = with_revisions(pdf, 2000)
    client.get("/verify/file")  # a running server: URLs and templates loaded
    started = time.monotonic()
    answer = check(client, via, hostile)
    took = time.monotonic() - started
    assert (answer.status, answer.result, answer.number) == (400, "bad_file", None)
    assert "文件包含 2002 个修订版本（上限 10 个）" in answer.message and "不予核验" in answer.message
    assert took < 2, f"refused in {took:.1f} s"
    assert (logged().channel, logged().result, logged().report) == ("file", "bad_file", None)


@pytest.mark.pdf
@pytest.mark.django_db
def test_revisions_hidden_from_the_byte_count_are_counted_by_the_parser(client, report, pdf, settings):
    # The time bound out of the way on a busy machine: what is refused, is refused for its revisions.
    limits(settings, VERIFY_FILE_SECONDS=20)
    hostile = with_hidden_revisions(pdf, 2000)
    assert files.raw_counts(hostile)[0] == 3  # what the byte scan sees; the parser finds 2,002
    started = time.monotonic()
    answer = check(client, "api", hostile)
    assert (answer.status, answer.result) == (400, "bad_file")
    assert "文件包含 2002 个修订版本（上限 10 个）" in answer.message
    # Parsing 2,000 xref streams takes 0.5 s of CPU; the diff analysis it spares, 19 s.
    assert time.monotonic() - started < 10


@pytest.mark.pdf
@VIA
@pytest.mark.django_db
def test_a_file_with_too_many_objects_is_refused(client, report, pdf, via, settings):
    limits(settings, VERIFY_FILE_MAX_OBJECTS=100)
    padded = pdf + b"".join(b"%d 0 obj\nnull\nendobj\n" % n for n in range(1000, 1100))
    answer = check(client, via, padded)
    assert (answer.status, answer.result) == (400, "bad_file")
    assert "文件包含的对象超过 100 个" in answer.message
    assert files.raw_counts(padded)[1] == 101  # counting stops past the limit


@pytest.mark.pdf
@pytest.mark.django_db
def test_millions_of_object_headers_are_refused_without_counting_them_all(client, report):
    hostile = b"%PDF-1.7\n" + b"1 0 obj\n" * (2_400_000)  # 19 MB
    answer = check(client, "api", hostile)
    assert (answer.status, answer.result) == (400, "bad_file") and "文件包含的对象超过 50000 个" in answer.message
    started = time.monotonic()  # the check itself, without the test client's encoding of 19 MB
    assert files.check_file(hostile, client="test").problem == files.Problem.TOO_COMPLEX
    assert time.monotonic() - started < 1


@pytest.mark.pdf
@pytest.mark.django_db
def test_a_genuine_report_is_well_within_the_limits(report, pdf, settings):
    revisions, objects = files.raw_counts(pdf)
    assert revisions == 2 and objects < 200
    assert revisions <= settings.CLEANRECORD["VERIFY_FILE_MAX_REVISIONS"]
    assert objects <= settings.CLEANRECORD["VERIFY_FILE_MAX_OBJECTS"]


# -- time and memory ----------------------------------------------------------------------------

@pytest.mark.pdf
@VIA
@pytest.mark.django_db
def test_a_check_that_runs_out_of_time_is_refused_cleanly(client, report, pdf, via, settings):
    # With the revision limit lifted, the reproduction reaches pyHanko's diff analysis (~19 s of CPU).
    limits(settings, VERIFY_FILE_MAX_REVISIONS=100_000, VERIFY_FILE_SECONDS=1)
    started = time.monotonic()
    answer = check(client, via, with_revisions(pdf, 2000))
    took = time.monotonic() - started
    assert (answer.status, answer.result) == (400, "bad_file")
    assert "未能在 1 秒内以限定的内存完成核验" in answer.message
    assert took < 3, f"answered in {took:.1f} s"  # the 1 s bound, and the upload and answer on a busy machine
    # The same worker goes on checking genuine files.
    assert (check(client, via, pdf).result, logged().result) == ("authentic", "authentic")


def _allocate(size: int) -> int:
    return len(bytearray(size))


def _spin(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_the_child_is_bounded_in_memory_and_time_and_returns_what_it_computed():
    assert sandbox.run_bounded(_allocate, 10 << 20, seconds=5, memory=256 << 20) == 10 << 20
    started = time.monotonic()
    assert sandbox.run_bounded(_allocate, 2 << 30, seconds=5, memory=256 << 20) is None  # MemoryError
    assert sandbox.run_bounded(time.sleep, 30, seconds=1, memory=256 << 20) is None  # wall clock
    assert sandbox.run_bounded(_spin, 30, seconds=1, memory=256 << 20) is None  # CPU
    assert time.monotonic() - started < 5
    # A new child takes over after each failure, and one child serves call after call.
    assert [sandbox.run_bounded(_allocate, n, seconds=5, memory=256 << 20) for n in range(3)] == [0, 1, 2]


# -- anything after the signed revision ----------------------------------------------------------

def _info_title_changed(pdf: bytes) -> bytes:
    return with_revisions(pdf, 1)


def _object_appended(pdf: bytes) -> bytes:
    return pdf + b"999 0 obj\n(appended after signing)\nendobj\n"


APPENDED = pytest.mark.parametrize("append", [
    pytest.param(lambda pdf: pdf + b"\n", id="a newline"),
    pytest.param(lambda pdf: pdf + b"  \r\n\t ", id="whitespace"),
    pytest.param(lambda pdf: pdf + b"garbage \x00\xff after the end", id="garbage"),
    pytest.param(_object_appended, id="an unreferenced object"),
    pytest.param(_info_title_changed, id="a changed Info title in an update"),
])


@pytest.mark.pdf
@VIA
@APPENDED
@pytest.mark.django_db
def test_anything_after_the_signed_revision_is_said_with_the_report_the_signed_part_is(client, report, pdf, via,
                                                                                          append):
    answer = check(client, via, append(pdf))
    assert (answer.status, answer.result, answer.label) == (200, "appended", "签名后有追加内容")
    assert answer.number == report.number  # what the signed part is
    assert answer.verify_url.endswith(f"/verify/{report.verification_code}")
    assert answer.message.startswith("签名后有追加内容") and report.number in answer.message
    assert "未被修改" not in answer.message
    assert (logged().channel, logged().result, logged().report_id) == ("file", "appended", report.pk)


@pytest.mark.pdf
@pytest.mark.django_db
def test_appended_content_on_a_revoked_report_says_it_is_revoked(client, report, pdf):
    from cleanrecord.reports.services import revoke_report

    revoke_report(report, reason="主体申请撤回")
    answer = check(client, "page", pdf + b"\n")
    assert (answer.result, answer.number) == ("appended", report.number)
    assert "该报告已被出具机构撤销" in answer.message


# -- the verification budget ---------------------------------------------------------------------

@pytest.mark.pdf
@VIA
@pytest.mark.django_db
def test_file_checks_spend_the_budget_and_answer_429_past_it(client, report, pdf, via, settings):
    limits(settings, VERIFY_BUDGET=3)
    for _ in range(3):
        assert check(client, via, b"%PDF-1.7 not really").status == 400
    checks = VerificationLog.objects.count()
    upload = {"file": _upload(pdf)}
    response = client.post("/api/v1/verify/file" if via == "api" else "/verify/file", upload)
    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    assert 1 <= seconds <= settings.CLEANRECORD["VERIFY_REFILL_SECONDS"] + 1
    text = response.json()["detail"] if via == "api" else response.content.decode()
    assert f"核验请求过于频繁，请在 {seconds} 秒后重试" in text
    if via == "api":
        assert response.json()["retry_after"] == seconds
    assert VerificationLog.objects.count() == checks  # not checked, not logged


@pytest.mark.pdf
@pytest.mark.django_db
def test_checking_files_we_issued_spends_nothing(client, report, pdf, settings):
    limits(settings, VERIFY_BUDGET=2)
    for _ in range(5):
        assert check(client, "api", pdf).result == "authentic"
    assert ClientBudget.objects.get().tokens == pytest.approx(2, abs=0.1)  # each token taken was given back
    check(client, "api", pdf + b"\n")  # appended: not a file we issued
    assert ClientBudget.objects.get().tokens == pytest.approx(1, abs=0.1)


@pytest.mark.pdf
@pytest.mark.django_db
def test_a_check_that_ran_out_of_time_spends_a_token_per_second_of_its_bound(client, report, pdf, settings):
    limits(settings, VERIFY_FILE_MAX_REVISIONS=100_000, VERIFY_FILE_SECONDS=2, VERIFY_BUDGET=20)
    check(client, "api", with_revisions(pdf, 2000))
    assert ClientBudget.objects.get().tokens == pytest.approx(18, abs=0.2)


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("报告.pdf", data, content_type="application/pdf")
