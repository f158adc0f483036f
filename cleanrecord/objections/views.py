"""Pages of the objection workflow: the entity files and follows, the office accepts, forwards and
closes, the source department answers; severity explanations are asked for and written; and every
user reads the messages addressed to them.

Someone who may not see an objection gets 404, so that not even its existence is told; someone who
may see it but not take a step gets 403 with the reason.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cleanrecord.accounts.decorators import office_required
from cleanrecord.accounts.models import acts_for, entities_for, is_office
from cleanrecord.entities.models import Entity
from cleanrecord.lib.refusals import Refused
from cleanrecord.records.models import KIND_LABELS, Compulsion, Judgment, Listing, Penalty
from cleanrecord.workdays.services import calendar_warning

from . import workflow
from .forms import AnswerForm, ExplanationForm, ObjectionForm, StepForm
from .models import Evidence, ExplanationRequest, Objection, SeverityExplanation

PAGE = 50


def _entity(user, code: str) -> Entity:
    code = code.upper()
    if not acts_for(user, code):
        raise Http404(_("未找到该经营主体"))
    return Entity.objects.get(credit_code=code)


def _clerk_department(user):
    clerk = getattr(user, "clerk", None)
    if clerk is None:
        raise PermissionDenied(_("仅限部门报送员访问"))
    return clerk.department


# -- the entity ------------------------------------------------------------------------------------

@login_required
def entity_records(request, code: str):
    """The entity's penalties, listings, compulsions and judgments on the platform, each with its objection and
    explanation."""
    entity = _entity(request.user, code)
    open_objections = {(o.kind, o.record_id): o for o in Objection.objects.open().filter(subject_key=entity.credit_code)}
    requests = {(r.kind, r.record_id): r for r in ExplanationRequest.objects.filter(subject_key=entity.credit_code)}
    explained = set(SeverityExplanation.objects.filter(subject_key=entity.credit_code).values_list("kind", "record_id"))
    rows = []
    for kind, model, date in (("penalty", Penalty, "decided_on"), ("listing", Listing, "listed_on"),
                              ("compulsion", Compulsion, "decided_on"), ("judgment", Judgment, "effective_on")):
        for r in (model.objects.for_subject(entity.credit_code).public().select_related("domain", "department")
                  .order_by(f"-{date}")[:500]):
            rows.append({"kind": kind, "kind_label": KIND_LABELS[kind], "record": r, "date": getattr(r, date),
                         "objection": open_objections.get((kind, r.pk)), "request": requests.get((kind, r.pk)),
                         "explainable": kind in workflow.EXPLAINABLE, "explained": (kind, r.pk) in explained})
    return render(request, "objections/entity_records.html", {"entity": entity, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def new_objection(request, code: str, kind: str, record_id: int):
    entity = _entity(request.user, code)
    record = workflow.record_of(kind, entity.credit_code, record_id) if kind in workflow.OBJECTABLE else None
    if record is None or record.confidential:
        raise Http404(_("未找到该记录"))
    form = ObjectionForm(request.POST if request.method == "POST" else None, request.FILES or None,
                         initial={"report_number": request.GET.get("report", "")[:40]})
    form.fields["evidence"].help_text = _("PDF、JPG 或 PNG，每个文件不超过 %(mb)d MB，最多 %(n)d 个。") % {
        "mb": workflow.setting("OBJECTION_EVIDENCE_MAX_BYTES") // 1048576,
        "n": workflow.setting("OBJECTION_EVIDENCE_MAX_FILES")}
    if form.is_valid():
        data = form.cleaned_data
        try:
            objection = workflow.file_objection(
                user=request.user, kind=kind, subject_key=entity.credit_code, record_id=record.pk,
                reason=data["reason"], statement=data["statement"], files=data["evidence"],
                report_number=data["report_number"])
        except Refused as e:
            form.refuse(e)
        else:
            messages.success(request, _("异议已提交（%(number)s），该记录已标注“异议处理中”。信用办将于 %(due)s 前受理。")
                             % {"number": objection.number, "due": objection.due_on})
            return redirect("objection-detail", pk=objection.pk)
    return render(request, "objections/new.html", {
        "entity": entity, "record": record, "kind": kind, "kind_label": KIND_LABELS[kind], "form": form,
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def new_explanation(request, code: str, record_id: int):
    entity = _entity(request.user, code)
    try:
        req = workflow.request_explanation(user=request.user, subject_key=entity.credit_code, record_id=record_id,
                                           reason=request.POST.get("reason", ""),
                                           kind=request.POST.get("kind", "penalty")[:20])
    except Refused as e:
        messages.error(request, str(e))
        return redirect("entity-records", code=entity.credit_code)
    messages.success(request, _("情节严重程度说明申请已提交（%(number)s），%(department)s将于 %(due)s 前出具")
                     % {"number": req.number, "department": req.department.name, "due": req.due_on})
    return redirect("explanation-detail", pk=req.pk)


@login_required
def my_objections(request):
    codes = [e.credit_code for e in entities_for(request.user)]
    return render(request, "objections/my.html", {
        "objections": Objection.objects.filter(subject_key__in=codes).select_related("department")[:200],
        "requests": ExplanationRequest.objects.filter(subject_key__in=codes).select_related("department")[:200],
        "today": timezone.localdate(),
    })


# -- one objection ---------------------------------------------------------------------------------

def _visible(user, pk: int) -> Objection:
    objection = Objection.objects.select_related("department", "filed_by").filter(pk=pk).first()
    if objection is None or not workflow.may_view(user, objection):
        raise Http404(_("未找到该异议"))
    return objection


def _take_step(request, objection: Objection, action: str, form: AnswerForm | StepForm | None) -> Objection:
    note = form.cleaned_data["note"] if form is not None else request.POST.get("note", "")
    if action == "accept_forward":  # the office's usual move: accept and forward at once
        objection = workflow.step(objection, "accept", user=request.user, note=note)
        action = "forward"
    if not isinstance(form, AnswerForm):
        return workflow.step(objection, action, user=request.user, note=note)
    data = form.cleaned_data
    return workflow.step(objection, action, user=request.user, note=note, decision=data["decision"],
                         values=data["values"], repair=data["repair"])


def _forms(objection: Objection, record, actions, action: str = "", data=None) -> dict[str, AnswerForm | StepForm]:
    """The form of each step the user may take now; the one just sent bound to what was sent."""
    forms: dict[str, AnswerForm | StepForm] = {}
    for step in actions:
        bound = data if step == action else None
        forms[step] = AnswerForm(record, bound) if step == "answer" else StepForm(step, bound)
    return forms


@login_required
@require_http_methods(["GET", "POST"])
def objection_detail(request, pk: int):
    objection = _visible(request.user, pk)
    record = workflow.record_of(objection.kind, objection.subject_key, objection.record_id)
    error = ""
    forms = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        sent = "accept" if action == "accept_forward" else action
        forms = _forms(objection, record, workflow.actions_for(request.user, objection), sent, request.POST)
        form = forms.get(sent)  # None for a step this user may not take now: the workflow says why
        if form is None or form.is_valid():  # an invalid form shows its errors, each beside its field
            try:
                with transaction.atomic():
                    objection = _take_step(request, objection, action, form)
            except Refused as e:  # the workflow, or records.changes, refused the step
                if form is not None:
                    form.refuse(e)
                else:
                    error = str(e)
            else:
                messages.success(request, _("已%(action)s：%(status)s") % {
                    "action": workflow.ACTION_LABELS.get(action, _("办理")),
                    "status": objection.get_status_display()})
                return redirect("objection-detail", pk=objection.pk)
        objection.refresh_from_db()
    actions = workflow.actions_for(request.user, objection)
    shown = {a: f for a, f in forms.items() if a in actions}
    for f in forms.values():
        if f.errors and f not in shown.values():  # the step is no longer open: its refusal goes to the top
            error = "；".join(str(m) for messages_ in f.errors.values() for m in messages_)
    forms = {**_forms(objection, record, [a for a in actions if a not in shown]), **shown}
    invalid = any(f.errors for f in forms.values())
    return render(request, "objections/detail.html", {
        "o": objection, "record": record, "events": objection.events.select_related("actor"),
        "evidence": objection.evidence.all(), "actions": actions, "forms": forms, "answer": forms.get("answer"),
        "error": error, "today": timezone.localdate(), "overdue": objection.is_overdue(),
    }, status=400 if error or invalid else 200)


@login_required
def evidence(request, pk: int, file_id: int):
    objection = _visible(request.user, pk)
    e = Evidence.objects.filter(pk=file_id, objection=objection).first()
    data = workflow.read_evidence(e) if e is not None else None
    if e is None or data is None:
        raise Http404(_("未找到该文件"))
    response = HttpResponse(data, content_type=e.content_type)
    response["Content-Disposition"] = content_disposition_header(True, e.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- the office and the department ------------------------------------------------------------------

STATUS_FILTERS = {"open": gettext_lazy("全部未办结"), "submitted": gettext_lazy("待受理"),
                  "accepted": gettext_lazy("待转办"), "forwarded": gettext_lazy("待部门答复"),
                  "answered": gettext_lazy("待审核办结"), "overdue": gettext_lazy("已逾期"), "closed": gettext_lazy("已办结")}


def _filtered(qs, which: str, today: dt.date):
    if which == "overdue":
        return qs.overdue(today)
    if which == "closed":
        return qs.filter(status__in=Objection.CLOSED)
    if which in Objection.Status.values:
        return qs.filter(status=which)
    return qs.open()


@office_required
def office_objections(request):
    """Open objections by step, with their age and deadline; the overdue ones first."""
    today = timezone.localdate()
    which = request.GET.get("status", "open")
    qs = _filtered(Objection.objects.select_related("department"), which, today).order_by("due_on", "opened_at")
    counts = {s: Objection.objects.filter(status=s).count()
              for s in (Objection.Status.SUBMITTED, Objection.Status.ACCEPTED, Objection.Status.FORWARDED,
                        Objection.Status.ANSWERED)}
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(request, "objections/office.html", {
        "page": page, "which": which, "filters": STATUS_FILTERS, "counts": counts,
        "overdue_count": Objection.objects.overdue(today).count(), "today": today, "warning": calendar_warning(today),
        "requests": ExplanationRequest.objects.filter(status=ExplanationRequest.Status.REQUESTED)
                    .select_related("department").order_by("due_on")[:100],
    })


@login_required
def department_objections(request):
    department = _clerk_department(request.user)
    today = timezone.localdate()
    forwarded = Objection.objects.filter(department=department).filter(
        Q(status__in=(Objection.Status.FORWARDED, Objection.Status.ANSWERED, Objection.Status.CLOSED)))
    return render(request, "objections/department.html", {
        "department": department, "today": today,
        "todo": forwarded.filter(status=Objection.Status.FORWARDED).order_by("due_on"),
        "done": forwarded.exclude(status=Objection.Status.FORWARDED).order_by("-opened_at")[:100],
        "requests": ExplanationRequest.objects.filter(department=department).order_by("status", "due_on")[:200],
    })


# -- severity explanations --------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def explanation_detail(request, pk: int):
    req = ExplanationRequest.objects.select_related("department", "explanation").filter(pk=pk).first()
    user = request.user
    is_dept = req is not None and workflow.is_source_clerk(user, req.department_id)
    if req is None or not (is_dept or is_office(user) or acts_for(user, req.subject_key)):
        raise Http404(_("未找到该申请"))
    form = ExplanationForm(request.POST if request.method == "POST" else None,
                           initial={"signer": req.department.name, "signed_on": timezone.localdate()})
    if form.is_valid():
        data = form.cleaned_data
        try:
            workflow.write_explanation(req, user=user, category=data["category"], text=data["text"],
                                       signer=data["signer"], signed_on=data["signed_on"])
        except Refused as e:
            form.refuse(e)
        else:
            messages.success(request, _("情节严重程度说明已出具，此后出具的报告将在该记录下列示"))
            return redirect("explanation-detail", pk=req.pk)
    record = workflow.record_of(req.kind, req.subject_key, req.record_id)
    return render(request, "objections/explanation.html", {
        "req": req, "record": record, "may_write": is_dept and req.status == ExplanationRequest.Status.REQUESTED,
        "form": form,
    }, status=400 if form.errors else 200)
