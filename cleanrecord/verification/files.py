"""Checking a report file: is this PDF one we issued, unchanged since, and is the report still valid?

The signature says whether the file is intact and signed by our key; the stored SHA-256 says whether
it is a file we issued. Both are needed: our key signing something we never stored (a leaked key, a
test copy) is not a report. Only an exact file we issued names a report and its status.
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.core.files import File
from django.utils.translation import gettext as _

from cleanrecord import conf
from cleanrecord.reports.models import Report
from cleanrecord.reports.signing import SignatureCheck, Status, check_signature

from . import services
from .models import Channel, Result

# The PDF header may follow a little junk (PDF 1.7, annex H); other files have no business holding it.
PDF_HEADER, HEADER_WITHIN = b"%PDF-", 1024


class Problem(StrEnum):
    """Why a file could not be checked at all."""

    MISSING = "missing"
    TOO_LARGE = "too_large"
    NOT_PDF = "not_pdf"
    DAMAGED = "damaged"


@dataclass(frozen=True)
class FileVerdict:
    result: str  # a Result
    message: str  # what it means for the verifier, in Chinese
    # The report the file is, for authentic / revoked / expired; for modified, the report whose
    # signed part it still carries, so the verifier can look the original up.
    report: Report | None = None
    signed_at: dt.datetime | None = None  # as the signature claims it
    problem: Problem | None = None

    @property
    def label(self) -> str:
        return str(Result(self.result).label)

    @property
    def http_status(self) -> int:
        if self.problem == Problem.TOO_LARGE:
            return 413
        return 400 if self.problem else 200


def max_bytes() -> int:
    return conf.get("VERIFY_MAX_FILE_BYTES")


def max_megabytes() -> str:
    """The limit as people read it: "20" for 20 MiB."""
    return f"{max_bytes() / 1024 / 1024:g}"


def check_file(upload: File | bytes | None, *, client: str) -> FileVerdict:
    """Check an uploaded file (or its bytes), and log the check. Never raises on bad input."""
    verdict = _verdict(upload)
    services.log(verdict.report, Channel.FILE, verdict.result, client)
    return verdict


def _verdict(upload: File | bytes | None) -> FileVerdict:
    size = 0 if upload is None else len(upload) if isinstance(upload, bytes) else upload.size
    if not size:
        return _bad(Problem.MISSING, _("请选择文件：未收到文件或文件为空。"))
    if size > max_bytes():  # before reading: a large upload stays in its temporary file
        return _bad(Problem.TOO_LARGE, _("文件过大（上限 %(mb)s MB）。平台出具的报告通常小于 1 MB，请确认上传的是报告原件。")
                    % {"mb": max_megabytes()})
    data = upload if isinstance(upload, bytes) else b"".join(upload.chunks())
    if PDF_HEADER not in data[:HEADER_WITHIN]:
        return _bad(Problem.NOT_PDF, _("不是 PDF 文件。请上传平台出具的专用信用报告 PDF 原件。"))
    return _judge(check_signature(data))


def _judge(check: SignatureCheck) -> FileVerdict:
    if check.status == Status.MALFORMED:
        return _bad(Problem.DAMAGED, _("文件已损坏或不完整，无法读取。请重新下载或向经营主体索取报告原件。"))
    if check.status == Status.UNSIGNED:
        return FileVerdict(Result.UNSIGNED, _("文件没有电子签名，不是平台出具的报告原件（可能是打印件扫描或另存的副本）。"
                                              "请使用报告上的核验码核验。"))
    if check.status == Status.UNTRUSTED:
        return FileVerdict(Result.NOT_OURS, _("文件的电子签名不是本平台签发的，不能作为平台出具的报告使用。"),
                           signed_at=check.signed_at)
    original = _stored(check.signed_sha256)
    if check.status == Status.MODIFIED:
        message = _("文件在签名后被修改，电子签名已失效，文件内容不可信。")
        if original is not None:
            message += _("被修改前为平台出具的报告 %(number)s，请以核验码核验结果为准。") % {"number": original.number}
        return FileVerdict(Result.MODIFIED, message, report=original, signed_at=check.signed_at)

    # Valid: our signature, nothing changed. Appended validation data (Acrobat's "add verification
    # information") leaves the signed part, which is the file we stored, as it was.
    report = original or _stored(check.sha256)
    if report is None:
        return FileVerdict(Result.COPY_NOT_OURS, _("文件带有本平台的有效电子签名，但不是平台存档的任何一份报告，"
                                                   "不能作为平台出具的报告使用。请使用报告上的核验码核验。"),
                           signed_at=check.signed_at)
    result = services.status_of(report)
    message = {
        Result.AUTHENTIC: _("文件由平台出具，签名后未被修改，报告在有效期内。"),
        Result.REVOKED: _("文件由平台出具且未被修改，但该报告已被出具机构撤销，不能再作为证明使用。"),
        Result.EXPIRED: _("文件由平台出具且未被修改，但报告有效期至 %(until)s，已过期，请经营主体重新申请报告。")
                        % {"until": report.valid_until},
    }[result]
    return FileVerdict(result, message, report=report, signed_at=check.signed_at)


def _stored(sha256: str) -> Report | None:
    if not sha256:
        return None
    return Report.objects.select_related("entity").filter(pdf_sha256=sha256).first()


def _bad(problem: Problem, message: str) -> FileVerdict:
    return FileVerdict(Result.BAD_FILE, message, problem=problem)
