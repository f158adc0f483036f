"""Recomputing the quality scores and reading them back: one path for the import hook, the nightly
command and the office's pages.
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from cleanrecord.records.models import ImportBatch
from cleanrecord.reference.models import Department, Domain

from .measures import (
    DIMENSION_LABELS,
    MEASURES,
    Context,
    compute_steps,
    step_count,
    thresholds,
)
from .models import Measure, QualityScore

log = logging.getLogger("cleanrecord.quality")

# A recomputation sorts and hashes a million rows at a time; with PostgreSQL's default 4 MB it would
# spill to disk and could no longer hash the duplicate lists it probes once per row. JIT compiling its
# hundred-odd filtered counts costs more than it saves: 3.7 of 4.1 s for one department of 134,000 rows.
PG_SETTINGS = {"work_mem": "256MB", "jit": "off"}


@contextmanager
def _tuned_queries():
    """PostgreSQL: settings for this computation's queries, for its transaction only."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            for name, value in PG_SETTINGS.items():
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        yield


def recompute_all(*, now: dt.datetime | None = None) -> list[QualityScore]:
    """Every department's scores and the platform-wide ones, replacing today's; returns the new rows."""
    return _recompute(Context.make(now=now), Q())


def recompute_for_department(*, department: Department, now: dt.datetime | None = None) -> list[QualityScore]:
    """One department's scores and the platform-wide ones (its file may end a domain's silence), replacing today's."""
    return _recompute(Context.make(now=now, department=department), Q(department=department) | Q(department=None))


def recompute_all_steps(*, now: dt.datetime | None = None) -> Iterator[dict]:
    """recompute_all() that says how far it has got: {"step", "total", "label"} after each step, then
    {"done": True, "scores": n} once today's scores are replaced."""
    ctx = Context.make(now=now)
    total, scores = step_count(platform=True), []
    with _tuned_queries():
        for step, (label, found) in enumerate(compute_steps(ctx, platform=True), start=1):
            scores += found
            yield {"step": step, "total": total, "label": label}
    yield {"done": True, "scores": len(_save(ctx, Q(), scores))}


def _recompute(ctx: Context, replaced: Q) -> list[QualityScore]:
    with _tuned_queries():
        scores = [score for _, found in compute_steps(ctx, platform=True) for score in found]
    return _save(ctx, replaced, scores)


def _save(ctx: Context, replaced: Q, scores: list[QualityScore]) -> list[QualityScore]:
    with transaction.atomic():
        if connection.vendor == "postgresql":  # one writer at a time, or two could both replace the same day
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('cleanrecord.quality'))")
        QualityScore.objects.filter(replaced, as_of=ctx.today).delete()
        return QualityScore.objects.bulk_create(scores)


def recompute_after(batch: ImportBatch) -> list[QualityScore]:
    """The scores an applied import changes: its department's, or everyone's for a file naming no department
    or a register file (which every department's codes and names are checked against)."""
    if batch.department is None or batch.kind == "register":
        return recompute_all()
    return recompute_for_department(department=batch.department)


def after_import(batch: ImportBatch) -> None:
    """Bring the scores up to date after an applied import.

    A department's file changes that department's scores; a file naming no department, or a register
    file (which every department's codes and names are checked against), changes everyone's. The
    import is already applied when this runs, so a failure here is logged, never raised.
    """
    if batch.status != ImportBatch.Status.DONE:
        return
    try:
        recompute_after(batch)
    except Exception:
        log.exception("quality scores not recomputed after import batch %s", batch.pk)


def import_applied(sender=None, *, batch: ImportBatch, **kwargs) -> None:
    """Receiver of records' `import_finished`: a clerk's web or API import has the department's scores
    recomputed by the worker (a background task, retried when it fails); bulk
    command-line loads rely on the nightly `quality_report` run instead of adding a full recompute to every load."""
    if batch.channel != ImportBatch.Channel.CLI:
        # Function-level import: tasks imports this module (the recompute functions).
        from .tasks import recompute_after_import

        # Queued in the import's own transaction (the database backend's queue is a table): a worker sees the task
        # once the import is committed, never before.
        recompute_after_import.enqueue(batch.pk)


# -- reading scores back ----------------------------------------------------------------------


@dataclass
class Shortfall:
    """A department (or, for silent domains, a domain) on the wrong side of a threshold, and what to fix."""

    department: Department | None
    domain: Domain | None
    measure: str
    label: str
    value: float
    threshold: float
    count: int  # rows, cells or domains to fix
    fix: str

    @property
    def gap(self) -> float:
        """How far the value is on the wrong side of the threshold, as a share (0.02: two percentage points)."""
        return self.threshold - self.value if MEASURES[self.measure].better == "higher" else self.value - self.threshold

    def place(self) -> str | int:
        """A department's code, or a silent domain's place in the list of domains."""
        if self.department is not None:
            return self.department.code
        assert self.domain is not None, "a shortfall names a department or a domain"
        return self.domain.order

    def to_dict(self) -> dict:
        d, domain = self.department, self.domain
        return {"department": d.code if d else None, "department_name": d.name if d else None,
                "domain": domain.code if domain else None, "domain_name": domain.name if domain else None,
                "measure": self.measure, "label": str(self.label), "value": self.value, "threshold": self.threshold,
                "count": self.count, "fix": self.fix}


@dataclass
class Total:
    """One measure of one department, summed over its domains and record kinds."""

    measure: str
    numerator: int = 0
    denominator: int = 0
    missing: dict[str, int] | None = None  # completeness: label → empty cells

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def to_fix(self) -> int:
        """Rows or cells to fix: the failing part, whichever way the measure counts."""
        if MEASURES[self.measure].better == "higher":
            return self.denominator - self.numerator
        return self.numerator


def totals(scores) -> dict[tuple[int | None, str | None, str], Total]:
    """Scores summed per (department, domain for silent domains else None, measure)."""
    out: dict[tuple, Total] = {}
    for s in scores:
        key = (s.department_id, s.domain_id if s.measure == Measure.SILENT_DOMAIN else None, s.measure)
        t = out.setdefault(key, Total(s.measure))
        t.numerator += s.numerator
        t.denominator += s.denominator
        labels = s.detail.get("missing_labels")
        if labels:
            t.missing = t.missing or defaultdict(int)
            for label, count in zip(labels, s.detail["missing"].values(), strict=True):
                t.missing[label] += count
    return out


def current_scores(department: Department | None = None, *, on: dt.date | None = None):
    """The newest scores (up to `on`) of active departments (or of one), and the platform-wide ones unless one
    is asked for."""
    scores = (QualityScore.objects.current(on).filter(Q(department=None) | Q(department__is_active=True))
              .select_related("department", "domain"))
    if department is not None:
        scores = scores.filter(department=department)
    return scores


def below_threshold(*, department: Department | None = None, on: dt.date | None = None) -> list[Shortfall]:
    """The office's list: each department and measure on the wrong side of its threshold, with what to fix.

    Read from the current scores, summed over a department's domains and record kinds. Silent domains
    appear with the domain and no department; imports that named no department are left out.
    """
    limits = thresholds()
    ctx = Context.make()
    scores = list(current_scores(department, on=on))
    departments = {s.department_id: s.department for s in scores}
    domains = {s.domain_id: s.domain for s in scores}
    out = []
    for (dept_id, domain_id, code), total in totals(scores).items():
        if dept_id is None and code != Measure.SILENT_DOMAIN:
            continue
        measure, value = MEASURES[code], total.value
        if value is None or not measure.falls_short(value, limits[code]):
            continue
        missing = total.missing or {}
        labels = sorted(missing, key=lambda label: -missing[label])
        detail = {"missing_labels": labels, "domain_name": domains[domain_id].name if domain_id else ""}
        out.append(Shortfall(
            department=departments.get(dept_id), domain=domains.get(domain_id), measure=code, label=measure.label,
            value=value, threshold=limits[code], count=total.to_fix, fix=measure.to_fix(total.to_fix, detail, ctx),
        ))
    order = list(MEASURES)
    return sorted(out, key=lambda s: (s.department is None, s.place(), order.index(s.measure)))


def summary(*, department: Department | None = None, on: dt.date | None = None) -> dict:
    """The current scores (or the newest up to `on`) as plain data, per department and measure (with the
    rows per domain and kind), the silent domains and the shortfalls: what the command writes as JSON or XLSX."""
    limits = thresholds()
    scores = list(current_scores(department, on=on))
    by_department: dict[int | None, list[QualityScore]] = defaultdict(list)
    for s in scores:
        by_department[s.department_id].append(s)
    summed = totals(scores)
    departments: list[dict[str, Any]] = []
    for dept_id, rows in by_department.items():
        if dept_id is None:
            continue
        dept = rows[0].department
        assert dept is not None  # dept_id is not None
        measures = []
        for code, m in MEASURES.items():
            total = summed.get((dept_id, None, code))
            if total is None:
                continue
            measures.append({
                "measure": code, "label": str(m.label), "dimension": m.dimension,
                "dimension_label": str(DIMENSION_LABELS[m.dimension]), "better": m.better,
                "numerator": total.numerator, "denominator": total.denominator, "value": total.value,
                "threshold": limits[code], "below_threshold": m.falls_short(total.value, limits[code]),
                "to_fix": total.to_fix,
                "parts": [_score_dict(s) for s in rows if s.measure == code],
            })
        departments.append({"code": dept.code, "name": dept.name, "region": dept.region_id,
                            "default_domain": dept.default_domain_id, "as_of": rows[0].as_of.isoformat(),
                            "computed_at": max(s.computed_at for s in rows).isoformat(), "measures": measures})
    departments.sort(key=lambda d: d["code"])
    platform = by_department.get(None, [])
    return {
        "thresholds": limits,
        "departments": departments,
        "domains": [_score_dict(s) for s in platform if s.measure == Measure.SILENT_DOMAIN],
        "unattributed_imports": [_score_dict(s) for s in platform if s.measure == Measure.REJECTION_RATE],
        "below_threshold": [s.to_dict() for s in below_threshold(department=department, on=on)],
    }


def _score_dict(s: QualityScore) -> dict:
    return {"department": s.department.code if s.department else None, "domain": s.domain_id,
            "domain_name": s.domain.name if s.domain else None, "kind": s.kind, "measure": s.measure,
            "numerator": s.numerator, "denominator": s.denominator, "value": s.value, "detail": s.detail,
            "as_of": s.as_of.isoformat(), "computed_at": s.computed_at.isoformat()}
