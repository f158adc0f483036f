"""Rollout statistics as plain data: what the office page shows and the CSV/XLSX exports write.

Every function takes an optional date range (local dates, both ends included) and returns lists of
{"key", "label", "count"} rows, or a dict for objections, so a page, a file and a test read the same
figures. Reports are counted by issue date, verifications by when they happened, objections by when
they were opened.
"""

import datetime as dt
import statistics
from collections import Counter

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cleanrecord.objections.models import Objection
from cleanrecord.records.models import RECORD_MODELS, RecordKind
from cleanrecord.reference import regions
from cleanrecord.reference.models import Domain, Region
from cleanrecord.reports.models import Purpose, Report
from cleanrecord.verification.models import Channel, Result, VerificationLog


def _in_range(qs: QuerySet, field: str, start: dt.date | None, end: dt.date | None) -> QuerySet:
    """Rows whose `field` falls on a local day from `start` to `end`, both included."""
    if start is not None:
        qs = qs.filter(**{f"{field}__gte": timezone.make_aware(dt.datetime.combine(start, dt.time()))})
    if end is not None:
        qs = qs.filter(**{f"{field}__lt": timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1),
                                                                                    dt.time()))})
    return qs


def _reports(start: dt.date | None, end: dt.date | None) -> QuerySet:
    return _in_range(Report.objects.order_by(), "issued_at", start, end)


def _rows(counts: Counter, labels: dict[str, str] | None = None, *, order: list[str] | None = None) -> list[dict]:
    keys = order if order is not None else sorted(counts)
    return [{"key": k, "label": (labels or {}).get(k, k), "count": counts[k]} for k in keys]


def reports_per_day(*, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """[{"key": "2024-03-01", "label": same, "count": n}] for each local day with a report, oldest first."""
    counts = Counter(timezone.localdate(t).isoformat() for t in _reports(start, end).values_list("issued_at", flat=True))
    return _rows(counts)


def reports_per_month(*, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """[{"key": "2024-03", ...}] for each month with a report, oldest first."""
    counts = Counter(timezone.localdate(t).strftime("%Y-%m")
                     for t in _reports(start, end).values_list("issued_at", flat=True))
    return _rows(counts)


def _covered(domains: list[str], all_domains: bool, every: list[str]) -> list[str]:
    """The domains a report covers: all of them for a full report."""
    return every if all_domains else list(domains or [])


def reports_per_domain(*, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """Every domain in order, with the reports covering it (a full report counts for every domain)."""
    domains = list(Domain.objects.order_by("order"))
    every = [d.code for d in domains]
    counts: Counter = Counter()
    for chosen, full in _reports(start, end).values_list("domains", "all_domains"):
        counts.update(set(_covered(chosen, full, every)))
    return _rows(counts, {d.code: d.name for d in domains}, order=every)


def reports_per_purpose(*, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """The four purposes (金融, 商务经营, 行政管理, 其他), each with its count, zero included."""
    counts = Counter(_reports(start, end).values_list("purpose", flat=True))
    return _rows(counts, {p.value: str(p.label) for p in Purpose}, order=list(Purpose.values))


def reports_per_district(*, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """Reports per district of the entity's registration (a county of a city, a city of a province), keyed by
    the district's code; a code in no district of the region is its own row (named when it is the root's)."""
    among = regions.districts()
    counts: Counter = Counter()
    for code in _reports(start, end).values_list("entity__region_code", flat=True):
        district = regions.district_of(code, among)
        counts[district.code if district is not None else code] += 1
    names = dict(Region.objects.filter(code__in=list(counts)).values_list("code", "name"))
    return _rows(counts, names)


def records_per_kind(*, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """Records that arrived on the platform in the range, for each record kind (zero included), in RecordKind's order."""
    counts = Counter({kind: _in_range(model.objects.order_by(), "created_at", start, end).count()
                      for kind, model in RECORD_MODELS.items()})
    return _rows(counts, {k.value: str(k.label) for k in RecordKind}, order=list(RECORD_MODELS))


def objections_per_kind(*, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """Objections opened in the range, by the kind of record objected to (zero included)."""
    counts = Counter(_in_range(Objection.objects.order_by(), "opened_at", start, end).values_list("kind", flat=True))
    return _rows(counts, {k.value: str(k.label) for k in RecordKind}, order=list(RECORD_MODELS))


def certificates_replaced(*, start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Certificates a report stands in for: one per domain it covers, summed over the reports."""
    every = list(Domain.objects.values_list("code", flat=True))
    return sum(len(_covered(chosen, full, every))
               for chosen, full in _reports(start, end).values_list("domains", "all_domains"))


def verifications(*, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """[{"channel", "channel_label", "result", "result_label", "count"}] for each pair seen, by channel then result."""
    qs = _in_range(VerificationLog.objects.order_by(), "at", start, end)
    rows = qs.values("channel", "result").annotate(n=Count("pk")).order_by("channel", "result")
    channels, results = dict(Channel.choices), dict(Result.choices)
    return [{"channel": r["channel"], "channel_label": str(channels.get(r["channel"], r["channel"])),
             "result": r["result"], "result_label": str(results.get(r["result"], r["result"])), "count": r["n"]}
            for r in rows]


def verifications_per_channel(*, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """Every channel with its verifications, zero included."""
    counts: Counter = Counter()
    for row in verifications(start=start, end=end):
        counts[row["channel"]] += row["count"]
    return _rows(counts, {c.value: str(c.label) for c in Channel}, order=list(Channel.values))


def objections(*, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """Objections opened in the range by status, and how long the closed ones took, in days.

    {"by_status": rows, "by_decision": rows (closed ones: 维持/更正/撤销), "total": n, "closed": n, "median_days": float | None, "average_days": float | None}
    """
    qs = _in_range(Objection.objects.order_by(), "opened_at", start, end)
    counts = Counter(qs.values_list("status", flat=True))
    decisions = Counter(qs.filter(status=Objection.Status.CLOSED).values_list("decision", flat=True))
    days = [(closed - opened).total_seconds() / 86400
            for opened, closed in qs.filter(closed_at__isnull=False).values_list("opened_at", "closed_at")]
    statuses = Objection.Status
    return {
        "by_status": _rows(counts, {s.value: str(s.label) for s in statuses}, order=list(statuses.values)),
        "by_decision": _rows(decisions, {d.value: str(d.label) for d in Objection.Decision},
                             order=list(Objection.Decision.values)),
        "total": sum(counts.values()),
        "closed": len(days),
        "median_days": round(statistics.median(days), 2) if days else None,
        "average_days": round(statistics.fmean(days), 2) if days else None,
    }


def rollout(*, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """All of the above in one structure, with the range it covers."""
    span = {"start": start, "end": end}
    per_day = reports_per_day(**span)
    return {
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "reports": sum(r["count"] for r in per_day),
        "per_day": per_day,
        "per_month": reports_per_month(**span),
        "per_domain": reports_per_domain(**span),
        "per_purpose": reports_per_purpose(**span),
        "per_district": reports_per_district(**span),
        "certificates_replaced": certificates_replaced(**span),
        "verifications": verifications(**span),
        "verifications_per_channel": verifications_per_channel(**span),
        "objections": objections(**span),
        "records_per_kind": records_per_kind(**span),
        "objections_per_kind": objections_per_kind(**span),
    }


def section_titles() -> dict[str, str]:
    """Titles of the row sections, for the page and the exports."""
    return {
        "per_day": _("按日出具报告"), "per_month": _("按月出具报告"), "per_domain": _("按领域出具报告"),
        "per_purpose": _("按用途出具报告"), "per_district": _("按区县出具报告"),
        "verifications_per_channel": _("按渠道核验次数"),
        "records_per_kind": _("按类别归集记录"), "objections_per_kind": _("按记录类别异议"),
    }
