"""无新增数据确认 over the API: a department's feed says "nothing new up to this date" as a page would."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from ninja import Field, Router, Schema

from cleanrecord.accounts.tokens import require_scope

from . import services
from .views import _clerk_department

router = Router()


class NothingNewIn(Schema):
    as_of: dt.date
    kind: str = Field("", max_length=20)
    note: str = Field("", max_length=services.NOTE_MAX)


class NothingNewOut(Schema):
    id: int
    department: str
    as_of: dt.date
    kind: str
    note: str


@router.post("", response={201: NothingNewOut}, summary="确认无新增数据（部门报送员）")
def confirm(request, payload: NothingNewIn):
    """The clerk's department had no new data (of `kind`, or of any kind reports state) up to `as_of`;
    counts as sending data on that date. kind: penalty, compulsion, listing, judgment, or empty for all."""
    require_scope(request, "imports:write")
    try:
        department = _clerk_department(request.user)
    except PermissionDenied:
        raise PermissionDenied(gettext("仅限部门报送员确认本部门无新增数据")) from None
    row = services.confirm_nothing_new(user=request.user, department=department, as_of=payload.as_of,
                                       kind=payload.kind, note=payload.note)
    return 201, {"id": row.pk, "department": department.code, "as_of": row.as_of, "kind": row.kind, "note": row.note}
