"""A department's 无新增数据确认 page, and the office's view of which departments feed which domain."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cleanrecord.accounts.decorators import office_required
from cleanrecord.lib.refusals import Refused

from . import services
from .forms import NothingNewForm
from .models import SourceStatus


def _clerk_department(user):
    """The clerk's own department: a confirmation speaks for one department, so only its clerks file it."""
    clerk = getattr(user, "clerk", None)
    if clerk is None or not clerk.department.is_active:
        raise PermissionDenied(_("仅限部门报送员访问"))
    return clerk.department


@login_required
@require_http_methods(["GET", "POST"])
def nothing_new(request):
    department = _clerk_department(request.user)
    form = NothingNewForm(request.POST or None, initial={"as_of": timezone.localdate().isoformat()})
    error = ""
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = services.confirm_nothing_new(user=request.user, department=department, as_of=data["as_of"],
                                                   kind=data["kind"], note=data["note"])
            except Refused as e:
                error = str(e)
            else:
                messages.success(request, _("已确认：%(department)s截至 %(as_of)s 无新增%(kind)s数据")
                                 % {"department": department.name, "as_of": row.as_of,
                                    "kind": row.get_kind_display() if row.kind else ""})
                return redirect("freshness-nothing-new")
        else:
            error = "；".join(f"{form.fields[name].label}：{m}" if name in form.fields else m
                             for name, msgs in form.errors.items() for m in msgs)
    status = SourceStatus.objects.filter(department=department).first()
    today = timezone.localdate()
    fresh = services.domain_freshness(None, today=today)
    domains = [f for f in fresh.values() if any(s.department.pk == department.pk for s in f.sources)]
    return render(request, "freshness/nothing_new.html", {
        "department": department, "form": form, "error": error, "status": status, "today": today,
        "silent_after": services.silent_after(), "domains": [d.code for d in domains],
        "domain_names": services.domain_names([d.code for d in domains]),
        "silent": any(department.pk in {s.department.pk for s in d.silent} for d in domains),
        "history": services.history(department),
    }, status=400 if error else 200)


@office_required
def sources(request):
    """Every domain, the departments feeding it, their last data date, and the domain's as-of date."""
    return render(request, "freshness/sources.html", {
        "domains": services.feeds_by_domain(), "silent_after": services.silent_after(),
    })
