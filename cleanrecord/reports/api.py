import datetime as dt
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Router, Schema
from pydantic import Field

from cleanrecord.accounts.models import acts_for, is_office, may_read_reports
from cleanrecord.accounts.tokens import require_scope
from cleanrecord.entities.models import Entity

from .models import Purpose, Report, ReportLanguage, ReportStatus
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
    """A report the user may read: the office, the entity's users, grantees in their period. Others: 404."""
    report = Report.objects.filter(number=number).first()
    if report is None or not may_read_reports(request.user, report.entity_id):
        raise Http404(gettext("未找到该报告"))
    return report


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
    return list(report.verifications.values("at", "channel", "result", "client"))


# The operation id it had in entities/api.py: clients generated from the OpenAPI name their methods by it.
@entities_router.get("/{code}/reports", operation_id="cleanrecord_entities_api_entity_reports",
                     summary="经营主体已出具的专用信用报告")
def entity_reports(request, code: str) -> list[dict]:
    require_scope(request, "reports:read")
    if not may_read_reports(request.user, code.strip().upper()):
        raise PermissionDenied(gettext("无权查阅该经营主体的报告"))
    entity = get_object_or_404(Entity, credit_code=code.strip().upper())
    return [report_out(r) for r in Report.objects.for_entity(entity.credit_code)]
