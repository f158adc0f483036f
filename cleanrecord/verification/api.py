from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from cleanrecord.reports.services import verify_url
from cleanrecord.reports.snapshot import Judgments

from . import files, services
from .models import Channel, Result

router = Router(auth=None)  # verification is public: banks and evaluators need no account


class ChangeOut(Schema):
    domain: str
    number: str
    what: str


class DomainOut(Schema):
    code: str
    name: str
    found: int
    statement: str
    as_of: str | None = None  # the domain's data as of this date ('' unknown); None: issued before it was stated
    silence_note: str | None = None


class JudgmentOut(Schema):
    number: str
    court: str
    charges: str
    effective_on: str
    sentence: str
    labels: list[str] = []


class JudgmentsOut(Schema):
    """The report's 刑事 section; absent (null) when the report has none."""

    found: int
    statement: str
    records: list[JudgmentOut] = []


class VerifyOut(Schema):
    result: str
    result_label: str
    number: str | None = None
    entity_name: str | None = None
    credit_code: str | None = None
    issued_at: str | None = None
    valid_until: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    revoked_reason: str | None = None
    language: str | None = Field(None, description="zh-hans / en（报告语言代码）")
    language_label: str | None = Field(None, description="中文 / 英文（报告语言的名称）")
    domains: list[DomainOut] = []
    judgments: JudgmentsOut | None = None
    changes: list[ChangeOut] = []
    changed_since_issue: bool = False


class TooMany(Schema):
    detail: str
    retry_after: int


class FileVerifyOut(Schema):
    result: str
    result_label: str
    message: str
    number: str | None = None
    entity_name: str | None = None
    credit_code: str | None = None
    verify_url: str | None = None
    signed_at: str | None = None


def verification_out(v: services.Verification) -> dict:
    out: dict[str, Any] = {"result": v.result, "result_label": v.label}
    if v.report is not None and (s := v.snapshot) is not None:
        out.update(
            number=s["number"], entity_name=s["entity"]["name"], credit_code=s["entity"]["credit_code"],
            issued_at=s["issued_at"], valid_until=s["valid_until"], period_start=s["query"]["start"],
            period_end=s["query"]["end"], revoked_reason=v.report.revoke_reason or None,
            language=s["language"], language_label=v.language_label,
            domains=[{k: d[k] for k in ("code", "name", "found", "statement", "as_of", "silence_note")}
                     for d in s["summary"]],
            judgments=judgments_out(s["judgments"]),
            changes=[c.__dict__ for c in v.changes], changed_since_issue=bool(v.changes),
        )
    return out


def judgments_out(section: Judgments | None) -> dict | None:
    if section is None:
        return None
    return {"found": section["found"], "statement": section["statement"], "records": [
        {"number": r["number"], "court": r["authority"], "charges": r["category"], "effective_on": r["date"],
         "sentence": r["amounts"], "labels": r["labels"]} for r in section["records"]]}


def file_verdict_out(v: files.FileVerdict) -> dict:
    out = {"result": v.result, "result_label": v.label, "message": v.message,
           "signed_at": v.signed_at.isoformat() if v.signed_at else None}
    if v.report is not None:
        out.update(number=v.report.number, entity_name=v.report.entity.name, credit_code=v.report.entity.credit_code,
                   verify_url=verify_url(v.report.verification_code))
    return out


# Declared before "/{code}", which would otherwise take "file" for a code.
@router.post("/file", response={200: FileVerifyOut, 400: FileVerifyOut, 413: FileVerifyOut, 429: TooMany},
             summary="上传报告 PDF 文件核验",
             # Optional in the signature only so that a missing file gets the same answer as an empty one.
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {"required": ["file"]}}}}})
def verify_file(request: HttpRequest, response: HttpResponse, file: File[UploadedFile | None] = None):
    """Upload a report PDF as multipart field `file` (at most CLEANRECORD_VERIFY_MAX_FILE_BYTES, 20 MB by default).

    - authentic / revoked / expired: our signature, unchanged, and exactly a file we issued; names the report.
    - not_stored: signed with our key, but not a file we issued.
    - modified: changed after signing (`number` is given when the signed part is a report we issued).
    - appended: the signed part is a report we issued (`number`), unchanged, but bytes follow the signature.
    - not_ours: signed, but not by us. unsigned: no signature.
    - bad_file (400): no file, an empty file, not a PDF, damaged, or beyond the revision, object, time or
      memory limits; (413): too large. `message` says which.
    - 429: a check that does not name a file we issued spends the client's verification budget, as an
      unknown code does; past it, `retry_after` seconds (also in the Retry-After header).
    """
    v = files.check_file(file, client=services.client_key(request), user=request.user)
    if v.problem == files.Problem.TOO_MANY:
        response["Retry-After"] = str(v.retry_after)
        return 429, {"detail": v.message, "retry_after": v.retry_after}
    return v.http_status, file_verdict_out(v)


@router.get("/{code}", response={200: VerifyOut, 404: VerifyOut, 429: TooMany}, summary="按核验码核验报告")
def verify_by_code(request: HttpRequest, code: str):
    """真实有效 (authentic) / 已撤销 (revoked) / 已过期 (expired) / 未找到 (not found), what the report says,
    and what changed on the platform since it was issued. Unknown codes count against a per-client budget."""
    client = services.client_key(request)
    try:  # the budget is read with the report: verify_code() raises Throttled past it
        v = services.verify_code(code, channel=Channel.API, client=client, user=request.user)
    except services.Throttled as e:
        return too_many(e.seconds)
    if v.result == Result.NOT_FOUND:
        return 404, verification_out(v)
    # The answer as JSON, kept under everything it depends on (its labels and sentences are in the reader's
    # language): a report verified again costs its two queries.
    body = services.cached_answer(v, f"api:{get_language()}", lambda: VerifyOut.model_validate(verification_out(v)).model_dump_json())
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def too_many(seconds: int) -> tuple[int, dict]:
    return 429, {"detail": _("核验请求过于频繁，请在 %(seconds)s 秒后重试") % {"seconds": seconds}, "retry_after": seconds}
