import datetime as dt
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Router, Schema
from pydantic import Field

from cleanrecord.accounts.models import acts_for, is_office, may_read_reports
from cleanrecord.accounts.tokens import require_scope
from cleanrecord.entities.models import Entity

from . import groups
from .models import GroupBatch, Purpose, Report, ReportLanguage, ReportStatus
from .services import issue_report, revoke_report

router = Router()
# Mounted at /entities beside entities' own router: an entity's reports.
entities_router = Router()


_Domain = Annotated[str, Field(max_length=100)]


class ReportIn(Schema):
    # Bounded as the columns they end in: a longer value is a 422 with the field named, never a database error.
    credit_code: str = Field(max_length=40)
    domains: Annotated[list[_Domain], Field(max_length=100)] | _Domain = "all"
    start: dt.date | None = None
    end: dt.date | None = None
    purpose: str = Field(Purpose.OTHER, max_length=20)
    purpose_text: str = Field("", max_length=200)
    language: ReportLanguage = Field(ReportLanguage.CHINESE, description="zh-hans / en：报告的语言（默认中文）")


class ReportOut(Schema):
    number: str
    verification_code: str
    verification_code_display: str
    entity: str
    domains: list[str]
    period_start: dt.date
    period_end: dt.date
    records_found: int
    issued_at: dt.datetime
    valid_until: dt.date
    pdf_url: str
    verify_url: str
    pdf_sha256: str
    status: ReportStatus = Field(description="valid / expired / revoked（报告状态代码）")
    status_label: str = Field(description="有效 / 已过期 / 已撤销（状态的中文名称）")
    language: str = Field(description="zh-hans / en（报告语言代码）")
    revoke_reason: str


def report_out(r: Report) -> dict:
    return {
        "number": r.number, "verification_code": r.verification_code,
        "verification_code_display": r.snapshot["verification_code_display"], "entity": r.entity_id,
        "domains": r.domains, "period_start": r.period_start, "period_end": r.period_end,
        "records_found": r.records_found, "issued_at": r.issued_at, "valid_until": r.valid_until,
        "pdf_url": f"/api/v1/reports/{r.number}/pdf", "verify_url": r.snapshot["verify_url"],
        "pdf_sha256": r.pdf_sha256, "status": r.status, "status_label": r.get_status_display(),
        "revoke_reason": r.revoke_reason, "language": r.language,
    }


def _readable(request, number: str) -> Report:
    """A report the user may read: the office, the entity's users, members of an organisation granted it, the group
    that applied for it. Others: 404."""
    report = Report.objects.select_related("group_batch").filter(number=number).first()
    if report is None or not (may_read_reports(request.user, report.entity_id) or _group_asked(request, report)):
        raise Http404(gettext("未找到该报告"))
    return report


def _group_asked(request, report: Report) -> bool:
    """The group's users read the reports their group applied for in a batch (and only those)."""
    return report.group_batch is not None and acts_for(request.user, report.group_batch.parent_id)


def _office_only(request) -> None:
    # Revoking is the office's: the views' counterpart is accounts.decorators.office_required.
    if not is_office(request.user):
        raise PermissionDenied(gettext("无权访问：仅限信用办工作人员"))


@router.post("", response={201: ReportOut}, summary="出具专用信用报告")
def create_report(request, body: ReportIn):
    require_scope(request, "reports:write")
    if not (is_office(request.user) or acts_for(request.user, body.credit_code.strip().upper())):
        raise PermissionDenied(gettext("仅限该经营主体的绑定用户或信用办申请报告"))
    report = issue_report(credit_code=body.credit_code, domains=body.domains, start=body.start, end=body.end,
                          purpose=body.purpose, purpose_text=body.purpose_text, language=body.language.value,
                          user=request.user, channel="api")
    return 201, report_out(report)


# Before /{number}: the URL resolver would take "groups" for a report number.
_Code = Annotated[str, Field(max_length=40)]


class GroupBatchIn(ReportIn):
    """A group's request: the single report's fields, `credit_code` naming the group, for its subsidiaries."""

    credit_code: str = Field(max_length=40, description="集团（母公司）的统一社会信用代码")
    subsidiaries: Annotated[list[_Code], Field(max_length=500)] | _Code = Field(
        "all", description="子公司统一社会信用代码的列表，或 all：全部已授权的子公司")
    language: ReportLanguage = Field(ReportLanguage.CHINESE, description="zh-hans / en：各份报告的语言（汇总清单为中文）")


class GroupReportOut(Schema):
    entity: str
    entity_name: str
    number: str
    verification_code: str
    verification_code_display: str
    pdf_url: str


class GroupBatchOut(Schema):
    number: str
    group: str
    issued_at: dt.datetime
    zip_url: str
    summary_sha256: str
    reports: list[GroupReportOut]


@router.post("/groups", response={201: GroupBatchOut}, summary="集团为已授权的子公司批量出具报告")
def create_group_batch(request, body: GroupBatchIn):
    require_scope(request, "reports:write")
    code = body.credit_code.strip().upper()
    if not acts_for(request.user, code):
        raise PermissionDenied(gettext("仅限集团的绑定用户申请集团报告"))
    parent = get_object_or_404(Entity, credit_code=code)
    batch = groups.issue_group(
        parent=parent, subsidiaries=body.subsidiaries, domains=body.domains, start=body.start, end=body.end,
        purpose=body.purpose, purpose_text=body.purpose_text, language=body.language.value, user=request.user,
        channel="api")
    return 201, {
        "number": batch.number, "group": parent.credit_code, "issued_at": batch.issued_at,
        "zip_url": f"/api/v1/reports/groups/{batch.token}/zip", "summary_sha256": batch.summary_sha256,
        "reports": [{"entity": r.entity_id, "entity_name": r.entity.name, "number": r.number,
                     "verification_code": r.verification_code,
                     "verification_code_display": r.snapshot["verification_code_display"],
                     "pdf_url": f"/api/v1/reports/{r.number}/pdf"} for r in groups.reports_of(batch)],
    }


@router.get("/groups/{token}/zip", summary="下载集团批次的 ZIP（各报告 PDF 和汇总清单）")
def get_group_zip(request, token: str):
    require_scope(request, "reports:read")
    batch = GroupBatch.objects.filter(token=token).first()
    if batch is None or not (is_office(request.user) or acts_for(request.user, batch.parent_id)):
        raise Http404(gettext("未找到该批次"))
    response = StreamingHttpResponse(groups.zip_chunks(batch), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{groups.zip_name(batch)}"'
    return response


@router.get("/{number}", response=ReportOut, summary="报告信息")
def get_report(request, number: str):
    require_scope(request, "reports:read")
    return report_out(_readable(request, number))


@router.get("/{number}/pdf", summary="下载报告 PDF")
def get_report_pdf(request, number: str):
    require_scope(request, "reports:read")
    report = _readable(request, number)
    return FileResponse(open(report.pdf_path, "rb"), as_attachment=True, filename=f"{report.number}.pdf",
                        content_type="application/pdf")


class RevokeIn(Schema):
    reason: str = Field(max_length=500)


class VerificationOut(Schema):
    at: dt.datetime
    channel: str
    result: str
    client: str
    organisation: str | None = Field(None, description="核验时登录的机构成员所属机构的名称；匿名核验为空")


@router.post("/{number}/revoke", response=ReportOut, summary="撤销报告（信用办）")
def revoke(request, number: str, body: RevokeIn):
    require_scope(request, "reports:write")
    _office_only(request)
    report = Report.objects.filter(number=number).first()
    if report is None:
        raise Http404(gettext("未找到该报告"))
    revoke_report(report, reason=body.reason, user=request.user)
    return report_out(report)


@router.get("/{number}/verifications", response=list[VerificationOut], summary="报告被核验的记录")
def verifications(request, number: str):
    require_scope(request, "reports:read")
    report = _readable(request, number)
    return [{"at": at, "channel": channel, "result": result, "client": client, "organisation": organisation}
            for at, channel, result, client, organisation in report.verifications.values_list(
                "at", "channel", "result", "client", "organisation__name")]


# The operation id it had in entities/api.py: clients generated from the OpenAPI name their methods by it.
@entities_router.get("/{code}/reports", operation_id="cleanrecord_entities_api_entity_reports",
                     summary="经营主体已出具的专用信用报告")
def entity_reports(request, code: str) -> list[dict]:
    require_scope(request, "reports:read")
    if not may_read_reports(request.user, code.strip().upper()):
        raise PermissionDenied(gettext("无权查阅该经营主体的报告"))
    entity = get_object_or_404(Entity, credit_code=code.strip().upper())
    return [report_out(r) for r in Report.objects.for_entity(entity.credit_code)]

