"""How fresh each domain's data is, for reports, the office and the departments.

    note_import(batch, feeds)         an applied import: its departments sent data today (records signal)
    confirm_nothing_new(...)          a department's 无新增数据确认, audited
    domain_freshness(codes, today)    per domain: its sources, as-of date and the note a report prints
    annotate_summary(summary, today)  what reports.rules.compute() adds to a report's summary
    silent_sources(today)             the office's list of departments silent too long

A domain's as-of date is the last date by which every department feeding it had sent data: the
oldest of their last data dates. A department silent for more than SOURCE_SILENT_WORKDAYS working
days (the official calendar) gives each domain it feeds a note naming it and the date it last sent.
"""

import datetime as dt
import functools
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import DateField, Q, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from cleanrecord import conf
from cleanrecord.audit.services import record_event
from cleanrecord.lib.refusals import Refused
from cleanrecord.records.changes import EARLIEST
from cleanrecord.records.models import ImportBatch, RecordKind
from cleanrecord.reference.models import Department, Domain
from cleanrecord.workdays.services import is_working_day, working_days_between

from .models import REPORTED_KINDS, Feed, NothingNew, SourceStatus

NOTE_MAX = 200  # NothingNew.note
# A note names at most this many silent departments, then says how many more there are.
NOTE_NAMES = 5


# -- recording -------------------------------------------------------------------------------------

def counts_as_sending(batch: ImportBatch) -> bool:
    """An applied import of a kind reports state; a file whose every row was refused delivered nothing."""
    return (batch.status == ImportBatch.Status.DONE and batch.kind in REPORTED_KINDS
            and not (batch.rows_read and batch.rows_rejected >= batch.rows_read))


def _sent(department_ids: Iterable[int], *, column: str, on: dt.date) -> None:
    """Move each department's `column` forward to `on` (never back: an older confirmation filed late)."""
    ids = set(department_ids)
    existing = set(SourceStatus.objects.filter(department__in=ids).values_list("department_id", flat=True))
    SourceStatus.objects.bulk_create([SourceStatus(department_id=i) for i in ids - existing], ignore_conflicts=True)
    day = Value(on, output_field=DateField())
    SourceStatus.objects.filter(department__in=ids).update(**{column: Greatest(Coalesce(column, day), day)})


@transaction.atomic
def note_import(sender=None, *, batch: ImportBatch, feeds: set[tuple[int, str | None]], **kwargs) -> None:
    """An import was applied: the uploading department and every department its rows came from sent data
    today, and each (department, domain) of its rows is a feed."""
    if not counts_as_sending(batch):
        return
    on = timezone.localdate(batch.finished_at or timezone.now())
    departments = {d for d, _ in feeds} | ({batch.department_id} if batch.department_id else set())
    _sent(departments, column="last_import_on", on=on)
    pairs = {(department_id, domain_id) for department_id, domain_id in feeds if domain_id is not None}
    if not pairs:  # judgments alone: they belong to no domain
        return
    # Two imports at once may both meet a new pair: the second insert is skipped, never an error.
    Feed.objects.bulk_create([Feed(department_id=d, domain_id=c, origin=Feed.Origin.RECORDS, last_records_on=on)
                              for d, c in pairs], ignore_conflicts=True)
    day = Value(on, output_field=DateField())
    Feed.objects.filter(functools.reduce(operator.or_, (Q(department_id=d, domain_id=c) for d, c in pairs))).update(
        last_records_on=Greatest(Coalesce("last_records_on", day), day))


def confirm_nothing_new(*, user, department: Department, as_of: dt.date, kind: str = "", note: str = "",
                        today: dt.date | None = None) -> NothingNew:
    """File a department's 无新增数据确认 up to `as_of`; it counts as sending data on that date."""
    today = today or timezone.localdate()
    if as_of > today:
        raise Refused(_("数据截至日期（%(as_of)s）不能晚于今天（%(today)s）") % {"as_of": as_of, "today": today})
    if as_of < EARLIEST:
        raise Refused(_("数据截至日期过早（不能早于 %(earliest)s），请核实") % {"earliest": EARLIEST})
    if kind and kind not in REPORTED_KINDS:
        raise Refused(_("数据类别“%(kind)s”无效，应为：%(kinds)s")
                               % {"kind": kind[:20], "kinds": "、".join(str(k.label) for k in REPORTED_KINDS)})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise Refused(_("说明过长（%(n)s 字，最多 %(max)s 字）") % {"n": len(note), "max": NOTE_MAX})
    if not department.is_active:
        raise Refused(_("%(name)s已停用，不能确认无新增数据") % {"name": department.name})
    with transaction.atomic():
        row = NothingNew.objects.create(department=department, kind=kind, as_of=as_of, note=note, user=user)
        _sent([department.pk], column="last_confirmed_on", on=as_of)
        record_event(user=user, action="freshness.nothing_new", target=f"department:{department.code}",
                     after={"as_of": as_of.isoformat(), "kind": kind or "all", "note": note, "id": row.pk})
    return row


# -- reading ---------------------------------------------------------------------------------------

def silent_after() -> int:
    return int(conf.get("SOURCE_SILENT_WORKDAYS"))


def silent_before(today: dt.date, workdays: int) -> dt.date:
    """The earliest last-data date that is not silent: data sent before it is more than `workdays` working
    days old today (working_days_between(last, today) > workdays)."""
    day, counted = today, 0
    while True:
        counted += is_working_day(day)  # working days after day - 1, up to today
        if counted > workdays:
            return day
        day -= dt.timedelta(days=1)


@dataclass
class Source:
    department: Department
    last_data_on: dt.date | None


@dataclass
class DomainFreshness:
    code: str
    sources: list[Source] = field(default_factory=list)
    silent: list[Source] = field(default_factory=list)

    @property
    def as_of(self) -> dt.date | None:
        """The last date by which every source had sent data; None when one never did, or none feeds it."""
        dates = [s.last_data_on for s in self.sources]
        return min(d for d in dates if d is not None) if dates and None not in dates else None

    def note(self, workdays: int) -> str:
        """The printed note naming the gap, or '' (plain Chinese, frozen in the snapshot)."""
        if not self.sources:
            return "本领域暂无数据报送部门，平台未归集本领域数据，本领域查询结果不能作为无违法违规记录的依据。"
        if not self.silent:
            return ""
        parts = [f"{s.department.name}自{_date_zh(s.last_data_on)}后未报送数据" if s.last_data_on
                 else f"{s.department.name}尚未向平台报送数据" for s in self.silent[:NOTE_NAMES]]
        if len(self.silent) > NOTE_NAMES:
            parts.append(f"另有 {len(self.silent) - NOTE_NAMES} 个部门超过 {workdays} 个工作日未报送数据")
        return (f"数据时效提示：{'；'.join(parts)}（超过 {workdays} 个工作日未报送数据，也未确认无新增数据），"
                "本领域查询结果可能未包含其后作出的决定。")


def _date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def sources_by_domain(codes: Iterable[str] | None = None) -> dict[str, list[Source]]:
    """The active departments feeding each domain (all domains when `codes` is None), with their last data date."""
    codes = None if codes is None else list(codes)
    departments = {d.pk: d for d in Department.objects.filter(is_active=True)}
    last_sent = {s.department_id: s.last_data_on for s in SourceStatus.objects.all()}
    pairs = {(d.default_domain_id, d.pk) for d in departments.values()}
    feeds = Feed.objects.all() if codes is None else Feed.objects.filter(domain__in=codes)
    for domain_id, department_id, counts in feeds.values_list("domain_id", "department_id", "counts"):
        (pairs.add if counts else pairs.discard)((domain_id, department_id))
    out: dict[str, list[Source]] = {c: [] for c in (codes if codes is not None else
                                                     Domain.objects.values_list("code", flat=True))}
    for domain_id, department_id in pairs:
        if domain_id in out and department_id in departments:
            out[domain_id].append(Source(departments[department_id], last_sent.get(department_id)))
    for sources in out.values():
        sources.sort(key=lambda s: (s.last_data_on or dt.date.min, s.department.name))
    return out


def domain_freshness(codes: Iterable[str] | None, *, today: dt.date) -> dict[str, DomainFreshness]:
    cutoff = silent_before(today, silent_after())
    out = {}
    for code, sources in sources_by_domain(codes).items():
        silent = [s for s in sources if s.last_data_on is None or s.last_data_on < cutoff]
        out[code] = DomainFreshness(code, sources, silent)
    return out


def annotate_summary(summary: list[dict], *, today: dt.date) -> dict:
    """Add `as_of` (ISO date, '' when unknown) and `silence_note` to each domain of a report's summary, and
    return the report's `freshness` block: the rule and how many domains carry a note."""
    workdays = silent_after()
    fresh = domain_freshness([row["code"] for row in summary], today=today)
    for row in summary:
        f = fresh[row["code"]]
        row["as_of"] = f.as_of.isoformat() if f.as_of else ""
        row["silence_note"] = f.note(workdays)
    noted = sum(1 for row in summary if row["silence_note"])
    if noted:
        statement = (f"所查 {len(summary)} 个领域中，有 {noted} 个领域的数据来源超过 {workdays} 个工作日未报送数据"
                     "或尚无数据来源，相关领域已注明数据时效提示，其查询结果仅反映平台已归集的数据。")
    else:
        statement = f"所查 {len(summary)} 个领域的数据报送部门均在 {workdays} 个工作日内报送了数据或确认无新增数据。"
    return {"silent_after_workdays": workdays, "noted_domains": noted, "statement": statement}


@dataclass
class SilentSource:
    department: Department
    domains: list[Domain]
    last_data_on: dt.date | None
    workdays_silent: int | None  # None: never sent data


def silent_sources(*, today: dt.date | None = None) -> list[SilentSource]:
    """Every active department silent for longer than the setting, with the domains whose reports it holds up."""
    today = today or timezone.localdate()
    names = {d.code: d for d in Domain.objects.all()}
    by_department: dict[int, SilentSource] = {}
    for code, f in domain_freshness(None, today=today).items():
        for s in f.silent:
            entry = by_department.setdefault(s.department.pk, SilentSource(
                s.department, [], s.last_data_on,
                working_days_between(s.last_data_on, today) if s.last_data_on else None))
            entry.domains.append(names[code])
    for entry in by_department.values():
        entry.domains.sort(key=lambda d: d.order)
    return sorted(by_department.values(), key=lambda e: (e.last_data_on or dt.date.min, e.department.name))


def history(department: Department, *, limit: int = 100) -> list[dict[str, Any]]:
    """A department's recent sending: applied imports and confirmations, newest first."""
    rows: list[dict[str, Any]] = [{"on": c.as_of, "at": c.created_at, "what": _("无新增数据确认"), "kind": c.get_kind_display(),
             "user": c.user, "note": c.note}
            for c in NothingNew.objects.filter(department=department).select_related("user")[:limit]]
    batches = (ImportBatch.objects.filter(department=department, status=ImportBatch.Status.DONE,
                                          kind__in=REPORTED_KINDS).select_related("user").order_by("-finished_at")[:limit])
    rows += [{"on": timezone.localdate(b.finished_at) if b.finished_at else None, "at": b.finished_at or b.started_at,
              "what": _("导入数据（批次 #%(batch)s，%(rows)s 行）") % {"batch": b.pk, "rows": b.rows_read}, "kind": str(RecordKind(b.kind).label),
              "user": b.user, "note": b.file_name, "batch": b} for b in batches]
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:limit]


def feeds_by_domain(*, today: dt.date | None = None) -> list[dict]:
    """For the office: each domain, its sources (and how each feeds it), as-of date and note."""
    today = today or timezone.localdate()
    workdays = silent_after()
    fresh = domain_freshness(None, today=today)
    origin = {(f.domain_id, f.department_id): f for f in Feed.objects.all()}
    out = []
    for domain in Domain.objects.all():
        f = fresh[domain.code]
        silent = {s.department.pk for s in f.silent}
        out.append({"domain": domain, "as_of": f.as_of, "note": f.note(workdays), "sources": [
            {"department": s.department, "last_data_on": s.last_data_on, "silent": s.department.pk in silent,
             "how": (_("默认领域") if s.department.default_domain_id == domain.code
                     else origin[(domain.code, s.department.pk)].get_origin_display())}
            for s in f.sources]})
    return out


def domain_names(codes: Iterable[str]) -> list[str]:
    names = dict(Domain.objects.values_list("code", "name"))
    return [names[c] for c in codes if c in names]
