"""Keeping the catalogue of matters: only the office adds, edits and withdraws matters; every change audited."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cleanrecord.audit.services import record_event
from cleanrecord.lib.refusals import Refused
from cleanrecord.lib.roles import is_office

from .models import Matter


def _state(matter: Matter) -> dict:
    return {"department": matter.department.code, "name": matter.name, "legal_basis": matter.legal_basis,
            "all_domains": matter.all_domains, "domains": sorted(matter.domain_codes()),
            "is_active": matter.is_active}


@transaction.atomic
def save_matter(matter: Matter | None, *, user, department, name: str, legal_basis: str, all_domains: bool,
                domains, is_active: bool = True) -> Matter:
    """Create (matter None) or change a matter of the catalogue."""
    if not is_office(user):
        raise PermissionDenied(_("仅信用办可以维护事项清单"))
    name, legal_basis = name.strip(), legal_basis.strip()
    domains = list(domains)
    if all_domains and domains:
        raise Refused(_("“全部领域”与单个领域不能同时选择"), field="domains")
    if not all_domains and not domains:
        raise Refused(_("请至少选择一个所需领域，或选择“全部领域”"), field="domains")
    before = _state(matter) if matter is not None else None
    matter = matter or Matter()
    matter.department, matter.name, matter.legal_basis = department, name, legal_basis
    matter.all_domains, matter.is_active = all_domains, is_active
    try:
        with transaction.atomic():
            matter.save()
    except IntegrityError:
        raise Refused(_("该部门已有同名事项"), field="name") from None
    matter.domains.set([] if all_domains else domains)
    record_event(user=user, action="matters.create" if before is None else "matters.change",
                 target=f"matter:{matter.pk}", before=before, after=_state(matter))
    return matter
