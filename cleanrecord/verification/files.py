"""Checking a report file: is this PDF one we issued, unchanged since, and is the report still valid?

The signature says whether the file is intact and signed by our key; the stored SHA-256 says whether
it is a file we issued. Both are needed: our key signing something we never stored (a leaked key, a
test copy) is not a report. Only an exact file we issued names a report and its status.

Anyone may upload, so a check is bounded: revisions and objects are counted on the raw bytes before
any parsing (a report we issue has 2 revisions and a few hundred objects; pyHanko's diff analysis
grows faster than linearly with revisions), the signature is checked in a child process under CPU,
memory and wall-clock limits (sandbox.py), and a check that does not name a file we issued spends
the client's verification budget, as an unknown code does.
"""

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from enum import StrEnum
from io import BytesIO

from django.core.files import File
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader

from cleanrecord import conf
from cleanrecord.lib import replica
from cleanrecord.reports.models import Report
from cleanrecord.reports.signing import SignatureCheck, Status, check_signature, root_certificate_pem

from . import services
from .models import Channel, Result
from .sandbox import run_bounded

# The PDF header may follow a little junk (PDF 1.7, annex H); other files have no business holding it.
PDF_HEADER, HEADER_WITHIN = b"%PDF-", 1024
# "12 0 obj": one digit before the whitespace is enough, and keeps the scan linear on hostile input.
OBJECT_HEADER = re.compile(rb"(?<=[0-9])[\x00\t\n\f\r ]+obj(?![A-Za-z])")
XREF_STREAM = re.compile(rb"/Type\s*/XRef")


class Problem(StrEnum):
    """Why a file could not be checked at all."""

    MISSING = "missing"
    TOO_LARGE = "too_large"
    NOT_PDF = "not_pdf"
    DAMAGED = "damaged"
    TOO_COMPLEX = "too_complex"  # over the revision or object limit
    OVERRAN = "overran"  # the check ran out of its time or memory
    TOO_MANY = "too_many"  # the client's verification budget is spent


@dataclass(frozen=True)
class FileVerdict:
    result: str  # a Result
    message: str  # what it means for the verifier, in Chinese
    # The report the file is, for authentic / revoked / expired; for modified and appended, the report
    # whose signed part it still carries, so the verifier can look the original up.
    report: Report | None = None
    signed_at: dt.datetime | None = None  # as the signature claims it
    problem: Problem | None = None
    retry_after: int = 0  # seconds, with Problem.TOO_MANY

    @property
    def label(self) -> str:
        if self.problem == Problem.TOO_MANY:
            return _("核验请求过于频繁")
        return str(Result(self.result).label)

    @property
    def http_status(self) -> int:
        if self.problem == Problem.TOO_LARGE:
            return 413
        if self.problem == Problem.TOO_MANY:
            return 429
        return 400 if self.problem else 200

    @property
    def issued_file(self) -> bool:
        """The upload is exactly a file we issued: such a check costs the client nothing."""
        return self.result in (Result.AUTHENTIC, Result.REVOKED, Result.EXPIRED)


def max_bytes() -> int:
    return conf.get("VERIFY_MAX_FILE_BYTES")


def max_megabytes() -> str:
    """The limit as people read it: "20" for 20 MiB."""
    return f"{max_bytes() / 1024 / 1024:g}"


def check_file(upload: File | bytes | None, *, client: str, user=None) -> FileVerdict:
    """Check an uploaded file (or its bytes), and log the check. Never raises on bad input.

    Past the client's budget the file is not looked at (Problem.TOO_MANY, not logged). Every check takes
    one token before the file is read — one atomic step, so parallel uploads cannot all slip past an
    emptied budget — and gets it back when the file proves to be one we issued; one that overran pays
    one token per second of its time bound.
    """
    wait = services.spend(client)
    if wait:
        return FileVerdict(Result.BAD_FILE, _("核验请求过于频繁，请在 %(seconds)s 秒后重试。") % {"seconds": wait},
                           problem=Problem.TOO_MANY, retry_after=wait)
    verdict = _verdict(upload)
    services.log(verdict.report, Channel.FILE, verdict.result, client, user)
    if verdict.issued_file:
        services.refund(client)
    elif verdict.problem == Problem.OVERRAN:
        services.spend(client, tokens=conf.get("VERIFY_FILE_SECONDS") - 1)
    return verdict


def _verdict(upload: File | bytes | None) -> FileVerdict:
    size = 0 if upload is None else len(upload) if isinstance(upload, bytes) else upload.size
    if upload is None or not size:
        return _bad(Problem.MISSING, _("请选择文件：未收到文件或文件为空。"))
    if size > max_bytes():  # before reading: a large upload stays in its temporary file
        return _bad(Problem.TOO_LARGE, _("文件过大（上限 %(mb)s MB）。平台出具的报告通常小于 1 MB，请确认上传的是报告原件。")
                    % {"mb": max_megabytes()})
    data = upload if isinstance(upload, bytes) else b"".join(upload.chunks())
    if PDF_HEADER not in data[:HEADER_WITHIN]:
        return _bad(Problem.NOT_PDF, _("不是 PDF 文件。请上传平台出具的专用信用报告 PDF 原件。"))
    refusal = _over_limits(*raw_counts(data))
    if refusal:
        return refusal
    seconds = conf.get("VERIFY_FILE_SECONDS")
    outcome = run_bounded(_check_counted, data, conf.get("VERIFY_FILE_MAX_REVISIONS"),
                          conf.get("VERIFY_FILE_MAX_OBJECTS"), seconds=seconds,
                          memory=conf.get("VERIFY_FILE_MAX_MEMORY_MB") << 20,
                          # loaded here, so that a configuration error raises here; a new root, a new child
                          generation=root_certificate_pem())
    if isinstance(outcome, tuple):  # the parsed counts, over a limit the raw bytes hid
        refusal = _over_limits(*outcome)
        assert refusal is not None  # the child compared them with the same limits
        return refusal
    if outcome is None:
        return _bad(Problem.OVERRAN, _("文件结构过于复杂，未能在 %(seconds)s 秒内以限定的内存完成核验，平台不予核验。"
                                       "平台出具的报告可在 1 秒内核验完毕，请上传报告原件或使用报告上的核验码核验。")
                    % {"seconds": seconds})
    return _judge(outcome)


def raw_counts(data: bytes) -> tuple[int, int]:
    """(revisions, objects), counted on the bytes without parsing: a few milliseconds for 20 MB.

    Every revision ends in an xref table or stream, a startxref and an %%EOF; the largest count wins,
    so a file must hide all three to pass. What it hides, the parsed count in the child still sees.
    Matches are counted only up to just past the limits, so that millions of them cost no more.
    """
    startxref = data.count(b"startxref")
    tables = data.count(b"xref") - startxref
    streams = _count(XREF_STREAM, data, conf.get("VERIFY_FILE_MAX_REVISIONS") + 1)
    revisions = max(data.count(b"%%EOF"), startxref, tables + streams)
    return revisions, _count(OBJECT_HEADER, data, conf.get("VERIFY_FILE_MAX_OBJECTS") + 1)


def _count(pattern: re.Pattern, data: bytes, most: int) -> int:
    return sum(1 for _match in itertools.islice(pattern.finditer(data), most))


def _over_limits(revisions: int, objects: int) -> FileVerdict | None:
    most_revisions, most_objects = conf.get("VERIFY_FILE_MAX_REVISIONS"), conf.get("VERIFY_FILE_MAX_OBJECTS")
    if revisions > most_revisions:
        return _bad(Problem.TOO_COMPLEX, _("文件包含 %(count)s 个修订版本（上限 %(limit)s 个），不是平台出具的报告原件"
                                           "（原件只有 1 至 2 个版本），平台不予核验。请上传报告原件或使用报告上的核验码核验。")
                    % {"count": revisions, "limit": most_revisions})
    if objects > most_objects:
        # The byte scan stops counting just past the limit: the message says no more than that.
        return _bad(Problem.TOO_COMPLEX, _("文件包含的对象超过 %(limit)s 个，结构过于复杂，不是平台出具的报告原件，"
                                           "平台不予核验。请上传报告原件或使用报告上的核验码核验。")
                    % {"limit": most_objects})
    return None


def _check_counted(data: bytes, most_revisions: int, most_objects: int) -> SignatureCheck | tuple[int, int]:
    """In the child: the revisions and objects the parser finds (xref sections and entries) when over a
    limit, else the signature check.

    Parsing the cross-reference chain is linear and takes milliseconds; the diff analysis that
    follows is what hostile revisions make expensive.
    """
    try:
        xrefs = PdfFileReader(BytesIO(data)).xrefs
        revisions = xrefs.total_revisions
        objects = sum(len(xrefs.explicit_refs_in_revision(r)) for r in range(revisions))
    except Exception:  # unreadable: check_signature says how
        pass
    else:
        if revisions > most_revisions or objects > most_objects:
            return revisions, objects
    return check_signature(data)


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

    if not check.whole_file:
        # The signed part is intact, but something follows it: validation data, a changed /Info title,
        # unreferenced objects, whitespace or garbage. A reader may show what was appended, so the file
        # is not the report; what the signed part is, is said.
        if original is not None:
            status = {
                Result.AUTHENTIC: _("该报告在有效期内。"),
                Result.REVOKED: _("该报告已被出具机构撤销。"),
                Result.EXPIRED: _("该报告有效期至 %(until)s，已过期。") % {"until": original.valid_until},
            }[services.status_of(original)]
            return FileVerdict(Result.APPENDED, _("签名后有追加内容：文件的签名部分与平台出具的报告 %(number)s 一致，%(status)s"
                                                  "但签名之后又追加了内容，追加的内容不受电子签名保护，可能改变文件显示的信息，"
                                                  "此文件不是报告原件。请以核验码核验结果为准。")
                               % {"number": original.number, "status": status}, report=original,
                               signed_at=check.signed_at)
        return FileVerdict(Result.COPY_NOT_OURS, _("文件带有本平台的有效电子签名，但签名部分不是平台存档的任何一份报告，"
                                                   "且签名后追加了内容，不能作为平台出具的报告使用。请使用报告上的核验码核验。"),
                           signed_at=check.signed_at)

    # Valid: our signature covers every byte, and the file is one we stored.
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
    # Read as verification reads (from the replica when there is one), and from the primary when the replica
    # does not know the file yet.
    with replica.reads():
        return replica.or_from_primary(
            lambda: Report.objects.select_related("entity").filter(pdf_sha256=sha256).first())


def _bad(problem: Problem, message: str) -> FileVerdict:
    return FileVerdict(Result.BAD_FILE, message, problem=problem)
