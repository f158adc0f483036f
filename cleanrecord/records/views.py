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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cleanrecord.accounts.models import departments_for, is_office
from cleanrecord.lib.refusals import Refused

from . import changes, display, profiles
from .access import batch_for, batches_for, upload_department
from .changes import may_change
from .downloads import rejected_rows_response
from .forms import CorrectForm, ImportProfileForm, RepairForm, RevokeForm, UploadForm
from .importing import progress
from .models import RECORD_MODELS, ImportBatch, ImportProfile
from .services import KIND_LABELS, ImportResult, mark_if_interrupted

MAX_SHOWN_ISSUES = 200


@login_required
@require_http_methods(["GET", "POST"])
def imports(request):
    departments = departments_for(request.user)
    if not departments:
        raise PermissionDenied(_("账号未绑定报送部门，无权导入数据"))
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
        raise PermissionDenied(_("账号未绑定报送部门，无权导入数据"))
    staged = profiles.staged_upload(user=request.user, token=request.POST.get("token", "")[:100])
    if staged is None:
        raise Http404(_("预览已过期或不存在，请重新上传文件"))
    if request.POST.get("action") == "cancel":
        profiles.discard_staged(staged)
        messages.info(request, _("已取消，文件未导入"))
        return redirect("imports")
    department = upload_department(request.user, staged.department)
    profile = None
    if staged.profile_id is not None:
        profile = profiles.profile_for(request.user, staged.profile_id)
        if profile is None or profile.department != department or profile.kind != staged.kind:
            profiles.discard_staged(staged)
            messages.error(request, _("所选导入方案已被删除或修改，请重新上传文件"))
            return redirect("imports")
    batch = profiles.import_staged(user=request.user, staged=staged, department=department, profile=profile)
    return redirect("import-detail", batch_id=batch.pk)


@login_required
def import_profiles(request):
    if not departments_for(request.user):
        raise PermissionDenied(_("账号未绑定报送部门"))
    return render(request, "records/import_profiles.html", {
        "profiles": profiles.profiles_for(request.user), "kind_labels": KIND_LABELS,
    })


@login_required
@require_http_methods(["GET", "POST"])
def import_profile_edit(request, profile_id: int | None = None):
    departments = departments_for(request.user)
    if not departments:
        raise PermissionDenied(_("账号未绑定报送部门"))
    profile = ImportProfile() if profile_id is None else profiles.profile_for(request.user, profile_id)
    if profile is None:
        raise Http404(_("未找到该导入方案"))
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
                messages.success(request, _("导入方案“%(name)s”已保存") % {"name": profile.name})
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
        raise Http404(_("该批次没有错误文件"))
    return FileResponse(open(batch.error_file, "rb"), as_attachment=True, filename=_("导入批次%(batch)s-错误.csv") % {"batch": batch.pk},
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
        raise PermissionDenied(_("账号未绑定报送部门"))
    kind = request.GET.get("kind", "penalty")
    models = _record_kinds()
    if kind not in models:
        kind = "penalty"
    qs = models[kind].objects.select_related("domain", "department")
    if not is_office(request.user):
        qs = qs.filter(department__in=departments)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        # Any part of the name, the code or the number: a clerk types what they remember (〔2025〕1号, 测试商贸).
        number = RECORD_NUMBERS[kind]
        qs = qs.filter(Q(credit_code__contains=q.upper()) | Q(subject_name__icontains=q)
                       | Q(**{f"{number}__icontains": q}))
    page = Paginator(qs.order_by("-id"), 25).get_page(request.GET.get("page"))
    return render(request, "records/department_records.html", {
        "page": page, "kind": kind, "q": q, "kinds": {k: KIND_LABELS[k] for k in models},
    })


# The column a clerk searches by number: 文号, 案号.
RECORD_NUMBERS = {"penalty": "decision_no", "licence": "doc_no", "listing": "case_no", "compulsion": "decision_no",
                  "judgment": "case_no"}


def _own_record(user, kind: str, record_id: int):
    models = _record_kinds()
    if kind not in models:
        raise Http404(_("未找到该记录"))
    record = models[kind].objects.select_related("domain", "department").filter(pk=record_id).first()
    if record is None or not may_change(user, record):
        raise Http404(_("未找到该记录"))  # another department's record: not even its existence is told
    return record


# The record page's forms, by the action each posts.
RECORD_FORMS: dict[str, type[Form]] = {changes.CORRECT: CorrectForm, changes.REVOKE: RevokeForm,
                                       changes.REPAIR: RepairForm}


def _record_form(action: str, record, data=None) -> Form:
    # auto_id: the forms share field names (原因), and ids must stay unique on the page. No ASCII colon after labels.
    if action == changes.CORRECT:
        return CorrectForm(record, data, auto_id=f"{action}-%s", label_suffix="")
    return RECORD_FORMS[action](data, auto_id=f"{action}-%s", label_suffix="")


def _apply(action: str, record, data: dict, user) -> str:
    """Make the change the form asked for; the message that says it was made. Refused passes through."""
    if action == changes.REVOKE:
        changes.revoke(record, reason=data["reason"], user=user)
        return _("记录已撤销，今后出具的报告不再计入")
    if action == changes.CORRECT:
        changes.correct(record, values={data["field"]: data["parsed"]}, reason=data["reason"], user=user)
        return _("记录已更正，已保存为新版本")
    changes.mark_repaired(record, decision=data["decision"], on=data["repaired_on"], user=user)
    return _("已标记信用修复")


@login_required
@require_http_methods(["GET", "POST"])
def department_record(request, kind: str, record_id: int):
    """One record: its current values, only the changes its state allows, and every version's before/after."""
    record = _own_record(request.user, kind, record_id)
    allowed = changes.allowed_actions(record)
    forms = {action: _record_form(action, record) for action in allowed}
    refused = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in RECORD_FORMS:
            refused = _("未知操作")
        elif action not in allowed:  # a form the page no longer offers, posted anyway: nothing changes
            refused = changes.refusal(record, action)
        else:
            form = forms[action] = _record_form(action, record, request.POST)
            if form.is_valid():
                try:
                    messages.success(request, _apply(action, record, form.cleaned_data, request.user))
                except Refused as e:  # the record refused the change (revoked meanwhile, nothing to correct …)
                    form.add_error(None, str(e))
                else:
                    return redirect("department-record", kind=kind, record_id=record.pk)
    failed = bool(refused) or any(f.is_bound and f.errors for f in forms.values())
    return render(request, "records/department_record.html", {
        "record": record, "kind": kind, "kind_label": KIND_LABELS[kind], "values": display.current_values(record),
        "history": display.history(record), "refused": refused, "forms": forms,
    }, status=400 if failed else 200)
