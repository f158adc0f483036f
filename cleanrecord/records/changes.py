"""Changing one record on the platform: revoke, mark repaired, correct.

Every change follows the import's versioning (see RecordVersion): the state being superseded is
copied into its version, the record row takes the new state, and a new version names who changed
it and why. The same functions serve the department portal, the objection workflow and the office.
"""

import datetime as dt
from decimal import Decimal
from functools import partial

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from cleanrecord import conf
from cleanrecord.accounts.models import departments_for, is_office
from cleanrecord.audit.services import record_event
from cleanrecord.lib.refusals import Refused
from cleanrecord.lib.text import has_control

from .importing.values import COMPULSION_IN_FORCE, COMPULSION_LIFTED, amount, compulsion_category
from .models import COMPULSION_CATEGORIES, Compulsion, CreditRecord, RecordStatus, RecordVersion

# Columns a correction may change: the content, not who the record is about or where it came from.
CORRECTABLE = {
    "penalty": {"violation_type", "facts", "basis", "categories", "content", "fine_wan", "confiscated_wan",
                "licence_affected", "decided_on", "valid_until", "publish_until", "procedure", "remarks"},
    "licence": {"doc_name", "licence_category", "certificate_name", "licence_no", "content", "decided_on", "valid_from",
                "valid_to", "current_state", "remarks"},
    "listing": {"reason", "basis", "listed_on", "removed_on", "obligation", "performance", "conduct", "remarks"},
    # 强制类型 follows from 强制类别 (parse_value checks that they agree); 当前状态 follows 解除日期 (correct()).
    "compulsion": {"category", "reason", "basis", "decided_on", "lifted_on", "remarks"},
    "judgment": {"charges", "verdict", "judged_on", "effective_on", "fine_wan", "other_sentence", "summary", "set_aside_on",
                 "remarks"},
}


def may_change(user, record: CreditRecord) -> bool:
    """The office may change any record; a clerk only their own department's."""
    return is_office(user) or any(d.pk == record.department_id for d in departments_for(user))


# What a clerk may do to a record, by the names the record page's forms post.
REVOKE, CORRECT, REPAIR = "revoke", "correct", "repair"
_ACTION_OF_CHANGE: dict[str, str] = {RecordVersion.Change.REVOKED: REVOKE, RecordVersion.Change.CORRECTED: CORRECT,
                     RecordVersion.Change.REPAIRED: REPAIR}


def allowed_actions(record: CreditRecord) -> tuple[str, ...]:
    """The changes the record's state allows, in the order the record page offers them.

    A revoked record no longer counts anywhere: nothing more is done to it (a wrong revocation is sent anew
    by the department). A repaired record is not repaired twice, nor a listing that has left its list:
    its 移出 is its end. Both can still be corrected or revoked."""
    if record.status == RecordStatus.REVOKED:
        return ()
    if record.repaired_on is not None or record.status == RecordStatus.REMOVED:
        return (CORRECT, REVOKE)
    return (CORRECT, REVOKE, REPAIR)


def refusal(record: CreditRecord, action: str) -> str:
    """Why the record's state refuses `action` (one not in allowed_actions)."""
    if record.status == RecordStatus.REVOKED:
        return _("该记录已撤销，不能再撤销、更正或标记信用修复")
    if record.status == RecordStatus.REMOVED:
        return _("该记录已移出名单，不能再标记信用修复")
    if record.repaired_on is not None:
        return _("该记录已于 %(day)s 标记信用修复，不能重复标记") % {"day": record.repaired_on.isoformat()}
    return _("该记录当前状态不允许此操作")


def state(record: CreditRecord) -> dict:
    """The record's content as JSON-ready values, in the shape import versions keep."""
    return {f.attname: _jsonable(getattr(record, f.attname))
            for f in record._meta.concrete_fields if f.attname not in ("id", "batch_id")}


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Model):
        return value.pk
    return str(value) if hasattr(value, "as_tuple") else value


@transaction.atomic
def apply_change(record: CreditRecord, *, values: dict, change: str, user, reason: str) -> CreditRecord:
    """Apply `values` to `record` as one new version; refuses users who may not change it."""
    if user is not None and not may_change(user, record):
        raise PermissionDenied(gettext("无权修改其他部门的记录"))
    model = type(record)
    record = model.objects.select_for_update().get(pk=record.pk)
    action = _ACTION_OF_CHANGE.get(change)
    if action is not None and action not in allowed_actions(record):  # read under the lock: no race lets one by
        raise Refused(refusal(record, action))
    before = {k: _jsonable(getattr(record, k)) for k in values}
    kept = RecordVersion.objects.filter(kind=record.KIND, subject_key=record.subject_key, record_id=record.pk,
                                        version=record.version).update(data=state(record))
    if not kept and record.version == 1:  # an unchanged import's version 1 is not stored until now (RecordVersion)
        RecordVersion.implicit_first(record, data=state(record)).save()
    for name, value in values.items():
        setattr(record, name, value)
    record.version += 1
    record.updated_at = timezone.now()
    record.save()
    RecordVersion.objects.create(
        kind=record.KIND, record_id=record.pk, subject_key=record.subject_key, version=record.version, change=change,
        user=user if user is not None and user.is_authenticated else None, reason=reason[:500], created_at=record.updated_at,
    )
    record_event(user=user, action=f"records.{change}", target=f"{record.KIND}:{record.pk}", before=before,
                 after={**{k: _jsonable(v) for k, v in values.items()}, "reason": reason[:500], "version": record.version})
    return record


def revoke(record: CreditRecord, *, reason: str, on: dt.date | None = None, user=None) -> CreditRecord:
    """撤销 / 撤回 / 确认无效: the record stops counting on reports from now on."""
    if not reason.strip():
        raise Refused(gettext("撤销记录必须填写原因"))
    if record.status == RecordStatus.REVOKED:
        raise Refused(gettext("该记录已撤销"))
    return apply_change(record, values={"status": RecordStatus.REVOKED, "revoked_on": on or timezone.localdate(),
                                        "revoke_reason": reason.strip()[:500]},
                        change=RecordVersion.Change.REVOKED, user=user, reason=reason)


def mark_repaired(record: CreditRecord, *, decision: str, on: dt.date, user=None) -> CreditRecord:
    """信用修复: reports then label the record 已修复 (or leave it out, as the city decides)."""
    if not decision.strip():
        raise Refused(gettext("信用修复必须填写修复决定文书号"))
    if len(decision.strip()) > 200:
        raise Refused(gettext("修复决定文书号过长（%(length)s 字，最多 200 字）")
                      % {"length": len(decision.strip())})
    if on > timezone.localdate():
        raise Refused(gettext("修复日期不能晚于今天"))
    return apply_change(record, values={"repaired_on": on, "repair_decision": decision.strip()[:200]},
                        change=RecordVersion.Change.REPAIRED, user=user, reason=gettext("信用修复：%(decision)s") % {"decision": decision.strip()})


def correct(record: CreditRecord, *, values: dict, reason: str, user=None) -> CreditRecord:
    """更正: new content for the correctable columns, e.g. after an objection is upheld."""
    allowed = CORRECTABLE[record.KIND]
    unknown = set(values) - allowed
    if unknown:
        raise Refused(gettext("以下字段不能更正：%(fields)s") % {"fields": '、'.join(sorted(unknown))})
    if not reason.strip():
        raise Refused(gettext("更正记录必须填写原因"))
    values = {**values, **_follows(record, values)}
    return apply_change(record, values=values, change=RecordVersion.Change.CORRECTED, user=user, reason=reason)


def _follows(record: CreditRecord, values: dict) -> dict:
    """Columns that follow a corrected one (a compulsion's 当前状态 its 解除日期); dates stay in order. 强制类型
    cannot change: parse_value() refuses a 强制类别 of the other type."""
    out: dict = {}
    if isinstance(record, Compulsion):
        if "lifted_on" in values:
            if values["lifted_on"] is not None:
                out["current_state"] = COMPULSION_LIFTED
            elif record.current_state == COMPULSION_LIFTED:
                out["current_state"] = COMPULSION_IN_FORCE
        _in_order(record, values, "decided_on", "lifted_on")
    elif record.KIND == "judgment":
        _in_order(record, values, "judged_on", "effective_on")
        _in_order(record, values, "effective_on", "set_aside_on")
    return out


def _in_order(record: CreditRecord, values: dict, first: str, later: str) -> None:
    start, end = values.get(first, getattr(record, first)), values.get(later, getattr(record, later))
    if start is not None and end is not None and end < start:
        label = partial(column, record)
        raise Refused(gettext("%(later)s（%(end)s）不能早于%(first)s（%(start)s）")
                      % {"later": label(later).verbose_name, "end": end, "first": label(first).verbose_name, "start": start})


def column(record: CreditRecord, name: str) -> models.Field:
    """The column `name` of the record's table; FieldDoesNotExist for a relation's reverse side or no field."""
    field = record._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise FieldDoesNotExist(f"{type(record).__name__} has no column {name}")
    return field



# The longest a corrected free-text column may be: what the import accepts for the same columns.
TEXT_MAX = 20000
EARLIEST = dt.date(1949, 10, 1)
# Decisions are taken, not planned; a measure is lifted, a judgment takes effect or is set aside, on a day past.
_NOT_AFTER_TODAY = {"decided_on", "listed_on", "lifted_on", "judged_on", "effective_on", "set_aside_on"}


def parse_value(record: CreditRecord, name: str, raw: str):
    """A corrected value typed in a form, read as the column's type; Refused says what is wrong.

    Whatever the database would refuse (NUL, too long, too many digits, NaN) is refused here with a
    reason, so that a correction is either applied whole or not at all.
    """
    if name not in CORRECTABLE.get(record.KIND, ()):
        raise Refused(gettext("请选择要更正的字段"))
    try:
        field = column(record, name)
    except FieldDoesNotExist:
        raise Refused(gettext("请选择要更正的字段")) from None
    raw = raw.strip()
    if has_control(raw, text=True):
        raise Refused(gettext("不能包含控制字符（如 NUL）"))
    if isinstance(field, models.DateField):
        if not raw and field.null:
            return None
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise Refused(gettext("日期格式应为 YYYY-MM-DD（如 2024-03-01）")) from None
        if day < EARLIEST:
            raise Refused(gettext("日期过早（不能早于 %(EARLIEST)s），请核实") % {"EARLIEST": EARLIEST})
        if name in _NOT_AFTER_TODAY and day > timezone.localdate():
            raise Refused(gettext("日期不能晚于今天"))
        return day
    if isinstance(field, models.DecimalField):
        if not raw:
            return None
        try:
            wan = amount(raw)  # the import's reading: 元/万元, no NaN, Infinity, exponent or negative amount
        except ValueError as e:  # the import's cell parser says what is wrong with the amount
            raise Refused(str(e)) from None
        most = Decimal(conf.get("MAX_FINE_WAN"))
        if wan is not None and wan > most:
            raise Refused(gettext("金额超出合理范围（大于 %(most)s 万元），请核实单位是否为万元") % {"most": most})
        return wan
    if isinstance(record, Compulsion) and name == "category":
        return _compulsion_category(record, raw)
    limit = field.max_length or TEXT_MAX
    if len(raw) > limit:
        raise Refused(gettext("内容过长（%(len_raw)s 字，最多 %(limit)s 字）") % {"len_raw": len(raw), "limit": limit})
    if field.choices:
        by_label = {str(label): value for value, label in field.choices}
        if raw in by_label:
            raw = by_label[raw]
        elif raw not in dict(field.choices):
            raise Refused(gettext("应为：%(choices)s") % {"choices": "、".join(str(label) for value, label in field.choices if value)})
    if not raw and not field.blank:
        raise Refused(gettext("%(field)s不能为空") % {"field": field.verbose_name})
    return raw


def _compulsion_category(record: Compulsion, raw: str) -> str:
    """A corrected 强制类别, read as the import reads it; "其他" keeps the record's type, and a name of the
    other type (a measure corrected to an enforcement) is refused: that is another decision, sent anew."""
    try:
        parsed = compulsion_category(raw)
    except ValueError as e:  # the import's cell parser says what is wrong with the category
        raise Refused(str(e)) from None
    if not isinstance(parsed, tuple):  # "" for a blank cell
        raise Refused(gettext("强制类别不能为空"))
    prefixed, names = parsed
    types = {t for t, allowed in COMPULSION_CATEGORIES.items() for n in names if n in allowed and n != "其他"}
    types |= {prefixed} if prefixed else set()
    if types - {record.compulsion_type}:
        raise Refused(gettext("“%(join_names)s”不属于%(compulsion_type)s：强制类型不同的是另一项决定，请撤销本记录后重新报送")
                      % {"join_names": '、'.join(names), "compulsion_type": record.get_compulsion_type_display()})
    return "；".join(names)
