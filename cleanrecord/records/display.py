"""A record's values as a clerk reads them: labels without units in brackets, amounts in 元 with thousands
separators, choices by their names; and what each version changed, field by field (before → after).

The versions' content (RecordVersion.data) is the JSON the import or records.changes wrote: dates as ISO
text, amounts as numbers or text, booleans as 0/1 on SQLite. Values are read back as the column's type
before they are compared, so that a version never shows a "change" that is only a different spelling.
"""

import dataclasses
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cleanrecord.lib.formats import wan_yuan
from cleanrecord.reference.models import Department, Domain

from . import changes
from .models import CreditRecord, RecordVersion

# Columns that are bookkeeping, not content: never listed as a value nor as a change.
_BOOKKEEPING = {"id", "subject_key", "batch_id", "version", "content_hash", "created_at", "updated_at", "extra"}
_WAN = gettext_noop("（万元）")  # the end of an amount's label, in the label's language


def label(field: models.Field) -> str:
    """A column's label; an amount's "（万元）" goes, since its value is shown in 元."""
    return str(field.verbose_name).replace(_(_WAN), "") if isinstance(field, models.DecimalField) else str(field.verbose_name)


def _fields(record: CreditRecord) -> list[models.Field]:
    return [f for f in record._meta.concrete_fields
            if f.attname not in _BOOKKEEPING and not f.attname.endswith("_encrypted")]


def _typed(field: models.Field, raw):
    """A value from a version's JSON (or the record) as the column's Python type; None for empty."""
    if raw is None or raw == "":
        return None
    if isinstance(field, models.DecimalField):
        try:
            return Decimal(str(raw)).normalize()
        except InvalidOperation:
            return raw
    if isinstance(field, models.DateField) and isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw[:10])
        except ValueError:
            return raw
    if isinstance(field, models.BooleanField):
        return bool(raw)
    return raw


def _shown(field: models.Field, value, names: dict) -> str:
    """A typed value as the page prints it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(field, models.DecimalField) and isinstance(value, Decimal):
        return wan_yuan(value)  # kept in 万元, read in 元
    if isinstance(value, dt.date):
        return value.isoformat()
    if field.is_relation:
        return names.get((field.name, value), str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


# Columns every kind shares that the page lists even when empty; the other shared ones (注册号, 证件 …) only if given.
_ALWAYS = ("subject_name", "subject_category", "credit_code", "domain", "department", "authority_name", "status")


def current_values(record: CreditRecord) -> list[tuple[str, str]]:
    """The content columns of `record` with their labels and shown values: the kind's own columns first (文号,
    内容, 日期, 金额), in the model's order, then who it is about and where it came from."""
    names: dict[tuple[str, object], str] = {}
    if record.domain_id is not None:
        names[("domain", record.domain_id)] = record.domain.name
    names[("department", record.department_id)] = record.department.name
    shared = {f.name for f in CreditRecord._meta.get_fields()}
    own, common = [], []
    for f in _fields(record):
        value = _typed(f, getattr(record, f.attname))
        if f.name not in shared:
            own.append((label(f), _shown(f, value, names)))
        elif f.name in _ALWAYS or value not in (None, False):
            common.append((label(f), _shown(f, value, names)))
    return own + common


def _reference_names(keys: set[tuple[str, Any]]) -> dict:
    """The names of the domains and departments a history mentions: one query each, and only if one changed."""
    names: dict = {}
    for name, model in (("domain", Domain), ("department", Department)):
        ids = {v for n, v in keys if n == name}
        if ids:
            names.update({(name, pk): n for pk, n in model.objects.filter(pk__in=ids).values_list("pk", "name")})
    return names


@dataclasses.dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclasses.dataclass(frozen=True)
class VersionChanges:
    version: RecordVersion
    fields: list[FieldChange]


def history(record: CreditRecord) -> list[VersionChanges]:
    """The record's versions, newest first, each with the fields it changed from the version before.

    Version 1 lists nothing (it is how the record arrived); a version whose predecessor's content was not
    kept lists nothing either rather than guess."""
    versions = RecordVersion.history(record)
    fields = _fields(record)
    states = [v.data for v in versions[:-1]] + [changes.state(record)]
    diffs: list[list[tuple[models.Field, object, object]]] = [[]]
    for before, after in zip(states, states[1:], strict=False):
        if before is None or after is None:
            diffs.append([])
            continue
        diffs.append([(f, old, new) for f in fields
                      if (old := _typed(f, before.get(f.attname))) != (new := _typed(f, after.get(f.attname)))])
    names = _reference_names({(f.name, v) for diff in diffs for f, *values in diff if f.is_relation
                             for v in values if v is not None})
    out = [VersionChanges(v, [FieldChange(label(f), _shown(f, old, names), _shown(f, new, names))
                              for f, old, new in diff])
           for v, diff in zip(versions, diffs, strict=True)]
    return out[::-1]
