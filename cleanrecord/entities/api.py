from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from cleanrecord.accounts.models import acts_for, is_office, may_read_reports
from cleanrecord.accounts.tokens import require_scope
from cleanrecord.records.models import RECORD_MODELS

from .models import Entity

router = Router()


class EntityOut(Schema):
    credit_code: str
    name: str
    kind: str
    kind_label: str
    region_code: str
    legal_rep: str
    legal_rep_id_masked: str
    status: str
    status_label: str
    checksum_warning: bool
    from_register: bool

    @staticmethod
    def resolve_kind_label(obj: Entity) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj: Entity) -> str:
        return obj.get_status_display()


def _own_or_office(request, code: str) -> None:
    # An entity's records: the credit office, and the entity's own users.
    if not (is_office(request.user) or acts_for(request.user, code.strip().upper())):
        raise PermissionDenied("无权访问：仅限信用办或该经营主体的绑定用户")


@router.get("/{code}", response=EntityOut, summary="按统一社会信用代码查询经营主体")
def entity_detail(request, code: str):
    require_scope(request, "reports:read")
    _own_or_office(request, code)
    return get_object_or_404(Entity, credit_code=code.strip().upper())


@router.get("/{code}/records", summary="经营主体的信用记录（行政处罚、行政许可、严重失信主体名单、行政强制、刑事判决）")
def entity_records(request, code: str, kind: str | None = None, domain: str | None = None) -> dict:
    require_scope(request, "reports:read")
    _own_or_office(request, code)
    entity = get_object_or_404(Entity, credit_code=code.strip().upper())
    if kind is not None and kind not in RECORD_MODELS:
        raise HttpError(400, "kind 应为 " + "、".join(RECORD_MODELS) + " 之一")
    out: dict[str, list] = {}
    for k, model in RECORD_MODELS.items():
        if kind in (None, k):
            qs = model.objects.for_subject(entity.credit_code).order_by("-id")
            if domain:
                qs = qs.filter(domain_id=domain)
            out[k] = [r.to_dict() for r in qs]
    return {"credit_code": entity.credit_code, "name": entity.name, "records": out}


@router.get("/{code}/reports", summary="经营主体已出具的专用信用报告")
def entity_reports(request, code: str) -> list[dict]:
    from cleanrecord.reports.api import report_out
    from cleanrecord.reports.models import Report

    require_scope(request, "reports:read")
    if not may_read_reports(request.user, code.strip().upper()):
        raise PermissionDenied("无权查阅该经营主体的报告")
    entity = get_object_or_404(Entity, credit_code=code.strip().upper())
    return [report_out(r) for r in Report.objects.for_entity(entity.credit_code)]
