"""The department's pages: uploading files to import (with a preview first), import profiles, each batch's
result and rejected rows; the department's own records, and revoking, correcting or repairing one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import Form
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cleanrecord.accounts.models import departments_for, is_office
from cleanrecord.lib.refusals import Refused

from . import changes, profiles
from .access import batch_for, batches_for, upload_department
from .changes import may_change
from .downloads import rejected_rows_response
from .forms import CorrectForm, ImportProfileForm, RepairForm, RevokeForm, UploadForm, correctable_choices
from .importing import progress
from .models import RECORD_MODELS, CreditRecord, ImportBatch, ImportProfile, RecordVersion
from .services import KIND_LABELS, ImportResult, mark_if_interrupted

MAX_SHOWN_ISSUES = 200


@login_required
@require_http_methods(["GET", "POST"])
def imports(request):
    departments = departments_for(request.user)
    if not departments:
        raise PermissionDenied("账号未绑定报送部门，无权导入数据")
    office = is_office(request.user)
    form = UploadForm(request.POST if request.method == "POST" else None, request.FILES or None,
                      departments=departments, office=office,
                      profiles=profiles.profiles_for(request.user).filter(department__in=departments))
    if form.is_valid():
        data = form.cleaned_data
        kind = data["kind"]
        department = upload_department(request.user, data["department"] or None)
        try:
            profile = profiles.chosen_profile(department=department, kind=kind, name=data["profile"])
            staged = profiles.stage_upload(user=request.user, upload=data["file"], kind=kind, department=department,
                                           profile=profile, dry_run=data["dry_run"])
        except Refused as e:
            form.refuse(e)
        else:
            # Nothing is written before the clerk has seen how the file is read.
            preview = profiles.preview_file(path=staged.path, kind=kind, department=department, profile=profile)
            if preview.error:
                profiles.discard_staged(staged)
            return render(request, "records/import_preview.html", {
                "preview": preview, "staged": staged, "profile": profile, "department": department,
                "kind_label": KIND_LABELS[kind],
            }, status=400 if preview.error else 200)
    page = Paginator(batches_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "records/imports.html", {"form": form, "page": page},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["POST"])
def import_confirm(request):
    """Import the file the preview showed, or drop it: only the user who sent it can do either."""
    if not departments_for(request.user):
        raise PermissionDenied("账号未绑定报送部门，无权导入数据")
    staged = profiles.staged_upload(user=request.user, token=request.POST.get("token", "")[:100])
    if staged is None:
        raise Http404("预览已过期或不存在，请重新上传文件")
    if request.POST.get("action") == "cancel":
        profiles.discard_staged(staged)
        messages.info(request, "已取消，文件未导入")
        return redirect("imports")
    department = upload_department(request.user, staged.department)
    profile = None
    if staged.profile_id is not None:
        profile = profiles.profile_for(request.user, staged.profile_id)
        if profile is None or profile.department != department or profile.kind != staged.kind:
            profiles.discard_staged(staged)
            messages.error(request, "所选导入方案已被删除或修改，请重新上传文件")
            return redirect("imports")
    batch = profiles.import_staged(user=request.user, staged=staged, department=department, profile=profile)
    return redirect("import-detail", batch_id=batch.pk)


@login_required
def import_profiles(request):
    if not departments_for(request.user):
        raise PermissionDenied("账号未绑定报送部门")
    return render(request, "records/import_profiles.html", {
        "profiles": profiles.profiles_for(request.user), "kind_labels": KIND_LABELS,
    })


@login_required
@require_http_methods(["GET", "POST"])
def import_profile_edit(request, profile_id: int | None = None):
    departments = departments_for(request.user)
    if not departments:
        raise PermissionDenied("账号未绑定报送部门")
    profile = ImportProfile() if profile_id is None else profiles.profile_for(request.user, profile_id)
    if profile is None:
        raise Http404("未找到该导入方案")
    office = is_office(request.user)
    form = ImportProfileForm(departments, office, request.POST if request.method == "POST" else None, instance=profile)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                profiles.save_profile(user=request.user, profile=profile, department=data["department"],
                                      kind=data["kind"], name=data["name"], spec=data["spec"])
            except Refused as e:
                form.add_error(None, str(e))
            else:
                messages.success(request, f"导入方案“{profile.name}”已保存")
                return redirect("import-profiles")
        status = 400
    return render(request, "records/import_profile_form.html", {"form": form, "profile": profile}, status=status)


@login_required
def import_detail(request, batch_id: int):
    batch = batch_for(request.user, batch_id)
    mark_if_interrupted(batch=batch)  # a batch whose import died shows 已中断, not 处理中 forever
    issues = []
    for n, issue in enumerate(ImportResult(batch).issues()):
        if n == MAX_SHOWN_ISSUES:
            break
        issues.append(issue)
    in_progress = batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING)
    done = (progress.rows_read(batch.pk) or 0) if in_progress else batch.rows_read
    total = max(batch.rows_total, done) if batch.rows_total is not None else None
    return render(request, "records/import_detail.html", {
        "in_progress": in_progress, "rows_done": done, "rows_total": total,
        "batch": batch, "issues": issues, "kind_label": KIND_LABELS.get(batch.kind, batch.kind),
        "rejected_rows": ImportResult(batch).rejected_rows() is not None,
        "more": batch.rows_rejected + batch.rows_warned > len(issues),
    })


@login_required
def import_errors(request, batch_id: int):
    batch = batch_for(request.user, batch_id)
    if not batch.error_file:
        raise Http404("该批次没有错误文件")
    return FileResponse(open(batch.error_file, "rb"), as_attachment=True, filename=f"导入批次{batch.pk}-错误.csv",
                        content_type="text/csv; charset=utf-8")


@login_required
def import_rejected(request, batch_id: int, file_format: str):
    batch = batch_for(request.user, batch_id)
    return rejected_rows_response(user=request.user, batch=batch, file_format=file_format)


# -- department portal: my department's records ------------------------------------------------

def _record_kinds():
    return RECORD_MODELS


@login_required
def department_records(request):
    """A clerk's own department's records (the office sees every department's), searchable."""
    departments = departments_for(request.user)
    if not departments:
        raise PermissionDenied("账号未绑定报送部门")
    kind = request.GET.get("kind", "penalty")
    models = _record_kinds()
    if kind not in models:
        kind = "penalty"
    qs = models[kind].objects.select_related("domain", "department")
    if not is_office(request.user):
        qs = qs.filter(department__in=departments)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        number = RECORD_NUMBERS[kind]
        qs = qs.filter(Q(credit_code=q.upper()) | Q(subject_name__contains=q) | Q(**{number: q}))
    page = Paginator(qs.order_by("-id"), 25).get_page(request.GET.get("page"))
    return render(request, "records/department_records.html", {
        "page": page, "kind": kind, "q": q, "kinds": {k: KIND_LABELS[k] for k in models},
    })


# The column a clerk searches by number: 文号, 案号.
RECORD_NUMBERS = {"penalty": "decision_no", "licence": "doc_no", "listing": "case_no", "compulsion": "decision_no",
                  "judgment": "case_no"}


def record_details(record) -> list[tuple[str, object]]:
    """The kind's own columns (文号, 类别, 日期 …) with their labels, in the model's order, for the record page."""
    shared = {f.name for f in CreditRecord._meta.get_fields()}
    out = []
    for f in record._meta.concrete_fields:
        if f.name in shared or f.name == "id" or not f.editable:
            continue
        value = getattr(record, f"get_{f.name}_display")() if f.choices else getattr(record, f.name)
        if isinstance(value, bool):
            value = _("是") if value else _("否")
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif hasattr(value, "as_tuple"):  # an amount in 万元, without trailing zeros
            value = f"{value.normalize():f}"
        out.append((f.verbose_name, "—" if value in (None, "") else value))
    return out


def _own_record(user, kind: str, record_id: int):
    models = _record_kinds()
    if kind not in models:
        raise Http404("未找到该记录")
    record = models[kind].objects.select_related("domain", "department").filter(pk=record_id).first()
    if record is None or not may_change(user, record):
        raise Http404("未找到该记录")  # another department's record: not even its existence is told
    return record


@login_required
@require_http_methods(["GET", "POST"])
def department_record(request, kind: str, record_id: int):
    record = _own_record(request.user, kind, record_id)
    error, action = "", ""
    forms: dict[str, Form] = {"revoke": RevokeForm(), "correct": CorrectForm(record), "repair": RepairForm()}
    if request.method == "POST":
        action = request.POST.get("action", "")
        form: Form | None
        if action == "correct":
            form = forms[action] = CorrectForm(record, request.POST)
        elif action in forms:
            form = forms[action] = {"revoke": RevokeForm, "repair": RepairForm}[action](request.POST)
        else:
            form = None
            error = "未知操作"
        try:
            if form is not None and form.is_valid():
                data = form.cleaned_data
                if action == "revoke":
                    changes.revoke(record, reason=data["reason"], user=request.user)
                    messages.success(request, "记录已撤销，今后出具的报告不再计入")
                elif action == "correct":
                    changes.correct(record, values={data["field"]: data["parsed"]}, reason=data["reason"],
                                    user=request.user)
                    messages.success(request, "记录已更正，已保存为新版本")
                else:
                    changes.mark_repaired(record, decision=data["decision"], on=data["repaired_on"], user=request.user)
                    messages.success(request, "已标记信用修复")
                return redirect("department-record", kind=kind, record_id=record.pk)
        except Refused as e:  # the record refused the change (already revoked, nothing to correct …)
            error = str(e)
        if form is not None and not error:
            error = "；".join(f"{form.fields[name].label if name in form.fields else ''}：{m}".lstrip("：")
                             for name, msgs in form.errors.items() for m in msgs)
    versions = RecordVersion.history(record)[::-1]
    return render(request, "records/department_record.html", {
        "record": record, "kind": kind, "kind_label": KIND_LABELS[kind], "details": record_details(record),
        "versions": versions, "error": error,
        "action": action, "forms": forms, "correctable": correctable_choices(record),
        "today": timezone.localdate().isoformat(),
    }, status=400 if error else 200)
