from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Router, Schema

from cleanrecord.accounts.models import acts_for, is_office
from cleanrecord.accounts.tokens import require_scope

from .models import Entity

# /entities/{code}/records and /entities/{code}/reports are routed by records/api.py and reports/api.py
# (mounted at /entities too): entities sits below both.
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


def own_or_office(request, code: str) -> None:
    # An entity's records: the credit office, and the entity's own users.
    if not (is_office(request.user) or acts_for(request.user, code.strip().upper())):
        raise PermissionDenied(gettext("无权访问：仅限信用办或该经营主体的绑定用户"))


@router.get("/{code}", response=EntityOut, summary="按统一社会信用代码查询经营主体")
def entity_detail(request, code: str):
    require_scope(request, "reports:read")
    own_or_office(request, code)
    return get_object_or_404(Entity, credit_code=code.strip().upper())
