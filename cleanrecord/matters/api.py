"""The catalogue of matters through the API: public, like the page."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from .models import Matter

router = Router(auth=None)  # the catalogue is public: agencies and entities read it without an account


class DomainRef(Schema):
    code: str
    name: str


class MatterOut(Schema):
    id: int
    department_code: str
    department_name: str
    name: str
    legal_basis: str
    all_domains: bool
    domains: list[DomainRef]


def _out(m: Matter) -> MatterOut:
    return MatterOut(id=m.pk, department_code=m.department.code, department_name=m.department.name, name=m.name,
                     legal_basis=m.legal_basis, all_domains=m.all_domains,
                     domains=[DomainRef(code=d.code, name=d.name) for d in m.domains.all()])


@router.get("", response=list[MatterOut], summary="应替尽替事项清单")
def list_matters(request, q: str = "", department: str = ""):
    """Every matter in use, by department: `q` searches name, basis and department; `department` is its code."""
    matters = Matter.objects.active().search(q[:100]).select_related("department").prefetch_related("domains")
    if department:
        matters = matters.filter(department__code=department[:40])
    return [_out(m) for m in matters.order_by("department__name", "name")]


@router.get("/{matter_id}", response=MatterOut, summary="单个事项")
def get_matter(request, matter_id: int):
    m = Matter.objects.active().select_related("department").prefetch_related("domains").filter(pk=matter_id).first()
    if m is None:
        raise Http404(_("未找到该事项"))
    return _out(m)
