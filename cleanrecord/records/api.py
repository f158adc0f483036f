import tempfile
from pathlib import Path
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from cleanrecord.accounts.models import is_office
from cleanrecord.accounts.tokens import require_scope
from cleanrecord.entities.api import own_or_office
from cleanrecord.entities.models import Entity

from .access import batch_for, upload_department
from .downloads import rejected_rows_response
from .importing import progress
from .models import RECORD_MODELS, ImportBatch
from .profiles import chosen_profile
from .services import (
    KINDS,
    KINDS_TEXT,
    ImportResult,
    import_upload,
    load_mapping,
    mark_if_interrupted,
    temp_dir,
)

router = Router()
# Mounted at /entities beside entities' own router: an entity's records.
entities_router = Router()
MAX_ISSUES = 200


class IssueOut(Schema):
    row: int
    column: str
    value: str
    level: str
    reason: str


class BatchOut(Schema):
    id: int
    kind: str
    department: str | None
    file_name: str
    status: str
    status_label: str
    rows_read: int
    rows_total: int | None  # expected, counted before reading (a CSV's lines, a sheet's rows); None: unknown
    status_url: str  # GET it until status is no longer queued or running
    rows_created: int
    rows_updated: int
    rows_unchanged: int
    rows_duplicate: int
    rows_rejected: int
    rows_warned: int
    message: str
    profile: str
    profile_note: str
    error_file_url: str | None
    rejected_rows_url: str | None  # the rejected rows as sent, to fix and send again; ?format=csv or xlsx
    issues: list[IssueOut]


def batch_out(batch: ImportBatch) -> dict:
    issues = []
    for n, i in enumerate(ImportResult(batch).issues()):
        if n == MAX_ISSUES:
            break
        issues.append({"row": i.row, "column": i.column, "value": i.value, "level": i.level, "reason": i.reason})
    return {
        "id": batch.pk, "kind": batch.kind, "department": batch.department.code if batch.department else None,
        "file_name": batch.file_name, "status": batch.status, "status_label": batch.get_status_display(),
        "rows_read": _rows_read(batch), "rows_total": batch.rows_total,
        "status_url": f"/api/v1/imports/{batch.pk}", "rows_created": batch.rows_created, "rows_updated": batch.rows_updated,
        "rows_unchanged": batch.rows_unchanged, "rows_duplicate": batch.rows_duplicate,
        "rows_rejected": batch.rows_rejected, "rows_warned": batch.rows_warned, "message": batch.message,
        "profile": batch.profile_name, "profile_note": batch.profile_note,
        "error_file_url": f"/api/v1/imports/{batch.pk}/errors" if batch.error_file else None, "issues": issues,
        "rejected_rows_url": f"/api/v1/imports/{batch.pk}/rejected" if ImportResult(batch).rejected_rows() else None,
    }


def _rows_read(batch: ImportBatch) -> int:
    """While the import runs, the rows read so far; after, the rows the file had."""
    if batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING):
        return progress.rows_read(batch.pk) or 0
    return batch.rows_read


@router.post("", response={200: BatchOut, 202: BatchOut, 422: BatchOut}, summary="上传并导入数据文件")
def create_import(
    request,
    file: File[UploadedFile],
    kind: Form[str],
    department: Form[str | None] = None,
    dry_run: Form[bool] = False,
    mapping: File[UploadedFile | None] = None,
    profile: Form[str | None] = None,
):
    """Import a CSV/XLSX/XLS file. The file is saved and its import queued for the worker: 202 with the batch
    (`id`, `status` queued, `status_url` to poll: rows_read of rows_total while it runs, then the counts). When the
    import is already over (a worker that was idle, or tasks run at once): 200, every row accepted or some rejected
    (see counts); 422: unreadable."""
    require_scope(request, "imports:write")
    if kind not in KINDS:
        raise HttpError(400, gettext("kind 应为 %(KINDS_TEXT)s 之一") % {"KINDS_TEXT": KINDS_TEXT})
    dept = upload_department(request.user, department)
    if kind == "register" and not is_office(request.user):
        raise PermissionDenied(gettext("登记信息只能由信用办导入"))
    chosen = chosen_profile(department=dept, kind=kind, name=profile)
    mapping_dict = None
    if mapping is not None:
        with tempfile.NamedTemporaryFile(dir=temp_dir("imports"), suffix=".json") as tmp:
            for chunk in mapping.chunks():
                tmp.write(chunk)
            tmp.flush()
            mapping_dict = load_mapping(Path(tmp.name))
    # A refusal (an unknown profile, a bad mapping, a file too large) is answered by api.py's handler.
    batch = import_upload(user=request.user, upload=file, kind=kind, department=dept, mapping=mapping_dict,
                          dry_run=dry_run, channel=ImportBatch.Channel.API, profile=chosen)
    if batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING):
        return 202, batch_out(batch)
    return (422 if batch.status == ImportBatch.Status.FAILED else 200), batch_out(batch)


@router.get("/{batch_id}", response=BatchOut, summary="导入批次结果")
def get_import(request, batch_id: int):
    require_scope(request, "imports:write")
    batch = batch_for(request.user, batch_id)
    mark_if_interrupted(batch=batch)  # a batch whose import died answers 已中断, not running forever
    return batch_out(batch)


@router.get("/{batch_id}/errors", summary="下载错误文件（CSV）")
def get_import_errors(request, batch_id: int):
    require_scope(request, "imports:write")
    batch = batch_for(request.user, batch_id)
    if not batch.error_file:
        raise HttpError(404, gettext("该批次没有错误文件"))
    return FileResponse(open(batch.error_file, "rb"), as_attachment=True, filename=gettext("导入批次%(batch)s-错误.csv") % {"batch": batch.pk},
                        content_type="text/csv; charset=utf-8")


@router.get("/{batch_id}/rejected", summary="下载拒收数据行（原样全部列 + 行号、拒收原因；CSV 或 XLSX）")
def get_import_rejected(request, batch_id: int, format: Literal["csv", "xlsx"] = "csv"):
    require_scope(request, "imports:write")
    batch = batch_for(request.user, batch_id)
    return rejected_rows_response(user=request.user, batch=batch, file_format=format)


# The operation id it had in entities/api.py: clients generated from the OpenAPI name their methods by it.
@entities_router.get(
    "/{code}/records", operation_id="cleanrecord_entities_api_entity_records",
    summary="经营主体的信用记录（行政处罚、行政许可、严重失信主体名单、行政强制、刑事判决）")
def entity_records(request, code: str, kind: str | None = None, domain: str | None = None) -> dict:
    require_scope(request, "reports:read")
    own_or_office(request, code)
    entity = get_object_or_404(Entity, credit_code=code.strip().upper())
    if kind is not None and kind not in RECORD_MODELS:
        raise HttpError(400, gettext("kind 应为 %(KINDS_TEXT)s 之一") % {"KINDS_TEXT": "、".join(RECORD_MODELS)})
    out: dict[str, list] = {}
    for k, model in RECORD_MODELS.items():
        if kind in (None, k):
            qs = model.objects.for_subject(entity.credit_code).order_by("-id")
            if domain:
                qs = qs.filter(domain_id=domain)
            out[k] = [r.to_dict() for r in qs]
    return {"credit_code": entity.credit_code, "name": entity.name, "records": out}
