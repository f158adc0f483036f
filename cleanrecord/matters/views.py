"""The catalogue of matters: the public list (by department, with search) and the office's pages to keep it."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cleanrecord.accounts.decorators import office_required
from cleanrecord.accounts.models import entities_for
from cleanrecord.lib.refusals import Refused
from cleanrecord.reference.models import Department

from . import services
from .forms import MatterForm
from .models import Matter


def _grouped(matters) -> list[tuple]:
    groups: dict = {}
    for m in matters:
        groups.setdefault(m.department, []).append(m)
    return list(groups.items())


def catalogue(request):
    """应替尽替事项清单: every matter in use, by department; a search over name, basis and department."""
    q = request.GET.get("q", "")[:100]
    dept = request.GET.get("department", "")[:40]
    matters = Matter.objects.active().search(q).select_related("department").prefetch_related("domains")
    if dept:
        matters = matters.filter(department__code=dept)
    departments = Department.objects.filter(matters__is_active=True).distinct().order_by("name")
    return render(request, "matters/catalogue.html", {
        "groups": _grouped(matters.order_by("department__name", "name")), "q": q, "department": dept,
        "departments": departments, "entities": entities_for(request.user)})


@office_required
def office_list(request):
    matters = Matter.objects.select_related("department").prefetch_related("domains").order_by("department__name", "name")
    return render(request, "matters/office_list.html", {"matters": matters})


@office_required
@require_http_methods(["GET", "POST"])
def office_edit(request, pk: int | None = None):
    matter = None
    if pk is not None:
        matter = Matter.objects.filter(pk=pk).select_related("department").first()
        if matter is None:
            raise Http404(_("未找到该事项"))
    initial = {} if matter is None else {
        "department": matter.department, "name": matter.name, "legal_basis": matter.legal_basis,
        "all_domains": matter.all_domains, "domains": list(matter.domains.all()), "is_active": matter.is_active}
    form = MatterForm(request.POST if request.method == "POST" else None, initial=initial or {"is_active": True})
    if form.is_valid():
        d = form.cleaned_data
        try:
            saved = services.save_matter(matter, user=request.user, department=d["department"], name=d["name"],
                                         legal_basis=d["legal_basis"], all_domains=d["all_domains"],
                                         domains=d["domains"], is_active=d["is_active"])
        except Refused as e:
            form.refuse(e)
        else:
            messages.success(request, _("事项“%(name)s”已保存") % {"name": saved.name})
            return redirect("office-matters")
    return render(request, "matters/office_edit.html", {"form": form, "matter": matter},
                  status=400 if form.errors else 200)
