"""The public refusal feedback form and the office's queue."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cleanrecord.accounts.decorators import office_required
from cleanrecord.lib.refusals import Refused
from cleanrecord.workdays.services import calendar_warning

from . import services
from .forms import HandleForm, RefusalForm
from .models import Refusal

PAGE = 50


@require_http_methods(["GET", "POST"])
def new_refusal(request):
    """某单位不认可专用信用报告: anyone may tell the office, a few times per client and hour."""
    initial = {}
    if request.method == "GET" and request.GET.get("matter", "").isdigit():
        initial["matter"] = request.GET["matter"]
    form = RefusalForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if form.is_valid():
        d = form.cleaned_data
        try:
            refusal = services.file_refusal(
                report_number=d["report_number"], unit=d["unit"], matter=d["matter"], matter_text=d["matter_text"],
                description=d["description"], contact=d["contact"], user=request.user,
                client=services.client_key(request))
        except Refused as e:
            form.refuse(e)
            status = e.status
        else:
            return render(request, "acceptance/filed.html", {"refusal": refusal})
    elif form.errors:
        status = 400
    return render(request, "acceptance/new.html", {"form": form}, status=status)


@office_required
def office_refusals(request):
    """Open refusals by deadline, the overdue ones marked; then the handled ones."""
    today = timezone.localdate()
    which = request.GET.get("status", "open")
    qs = Refusal.objects.select_related("matter__department")
    qs = qs.filter(status=Refusal.Status.SUBMITTED).order_by("due_on", "filed_at") if which == "open" \
        else qs.filter(status=Refusal.Status.HANDLED).order_by("-handled_at")
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(request, "acceptance/office.html", {
        "page": page, "which": which, "today": today, "warning": calendar_warning(today),
        "open_count": Refusal.objects.filter(status=Refusal.Status.SUBMITTED).count(),
        "overdue_count": Refusal.objects.filter(status=Refusal.Status.SUBMITTED, due_on__lt=today).count()})


@office_required
@require_http_methods(["GET", "POST"])
def office_refusal(request, pk: int):
    refusal = Refusal.objects.select_related("matter__department", "report", "handled_by").filter(pk=pk).first()
    if refusal is None:
        raise Http404(_("未找到该反馈"))
    form = HandleForm(request.POST if request.method == "POST" else None)
    if refusal.is_open and form.is_valid():
        try:
            services.handle(refusal, user=request.user, outcome=form.cleaned_data["outcome"],
                            note=form.cleaned_data["note"])
        except Refused as e:
            form.refuse(e)
        else:
            messages.success(request, _("反馈 %(number)s 已办结") % {"number": refusal.number})
            return redirect("office-refusal", pk=refusal.pk)
    elif request.method == "POST" and not refusal.is_open:
        messages.error(request, _("该反馈已办结"))
        return redirect("office-refusal", pk=refusal.pk)
    return render(request, "acceptance/detail.html", {"refusal": refusal, "form": form,
                                                    "today": timezone.localdate()},
                  status=400 if form.errors else 200)
