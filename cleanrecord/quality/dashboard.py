"""The credit office's dashboard: a page of ECharts charts and the JSON they are drawn from.

The page holds no data and no script of its own (the CSP allows our static files only): dashboard.js
fetches data.json and draws the charts, and posts to recompute/ when the office asks for fresh scores.
"""

import datetime as dt
import json
import logging
from collections import Counter

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cleanrecord.acceptance.services import acceptance_rows
from cleanrecord.accounts.decorators import office_required
from cleanrecord.reference import regions
from cleanrecord.reference.models import Department, Domain
from cleanrecord.reports.models import Report
from cleanrecord.verification.models import VerificationLog

from . import services
from .measures import MEASURES
from .models import QualityScore

TREND_DAYS = 90
log = logging.getLogger("cleanrecord.quality")


@require_GET
@office_required
def dashboard(request):
    return render(request, "quality/dashboard.html", {"trend_days": TREND_DAYS, "acceptance": acceptance_rows()})


@require_GET
@office_required
def dashboard_data(request):
    return JsonResponse(data(today=timezone.localdate()))


@require_POST
@office_required
def recompute(request):
    """Recompute every department's quality scores now, streaming one JSON line per finished step
    ({"step", "total", "label"}), then {"done", "scores", "computed_at"}: the page shows the progress,
    then redraws the heat map. A failure mid-way ends the stream with {"error": …} and replaces nothing."""

    def lines():
        try:
            for event in services.recompute_all_steps():
                if event.get("done"):
                    event["computed_at"] = timezone.localtime().isoformat(timespec="seconds")
                yield json.dumps(event, ensure_ascii=False) + "\n"
        except Exception:
            log.exception("quality recomputation from the dashboard failed")
            yield json.dumps({"error": _("计算出错，指标未更新")}, ensure_ascii=False) + "\n"

    response = StreamingHttpResponse(lines(), content_type="application/x-ndjson; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # a proxy in front must pass each line on as it comes
    return response


def data(*, today: dt.date) -> dict:
    """Everything the dashboard draws, as plain data: the last TREND_DAYS days up to `today` (local dates)."""
    days = [today - dt.timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    since = timezone.make_aware(dt.datetime.combine(days[0], dt.time.min))
    reports = Report.objects.filter(issued_at__gte=since)
    return {
        "days": [d.isoformat() for d in days],
        "reports_per_day": _per_day(reports, "issued_at", days),
        "verifications_per_day": _per_day(VerificationLog.objects.filter(at__gte=since), "at", days),
        "domains": _per_domain(reports),
        "districts": _per_district(reports),
        "quality": quality_heat_map(),
    }


def _per_day(queryset, field: str, days: list[dt.date]) -> list[int]:
    counts = dict(queryset.order_by().annotate(day=TruncDate(field)).values("day").annotate(n=Count("id"))
                  .values_list("day", "n"))
    return [counts.get(d, 0) for d in days]


def _per_domain(reports) -> list[dict]:
    """Reports per domain: a report covering all domains counts once in every one of them."""
    full = reports.filter(all_domains=True).count()
    partial = Counter(code for codes in reports.filter(all_domains=False).values_list("domains", flat=True)
                      for code in codes)
    return [{"code": d.code, "name": d.name, "reports": full + partial[d.code]} for d in Domain.objects.all()]


def _per_district(reports) -> list[dict]:
    """Reports by the district the entity is registered in (a county of a city, a city of a province);
    every district of the region appears, the root's own code is its 本级 row, other codes are summed as
    one "other" row."""
    counts = dict(reports.order_by().values("entity__region_code").annotate(n=Count("id"))
                  .values_list("entity__region_code", "n"))
    root = regions.root()
    among = regions.districts()
    out = {r.code: {"code": r.code, "name": r.name, "reports": 0} for r in among}
    own = other = 0
    for code, n in counts.items():
        district = regions.district_of(code, among)
        if district is not None:
            out[district.code]["reports"] += n
        elif code == root.code:
            own += n
        else:
            other += n
    rows = list(out.values())
    if own:
        rows.append({"code": root.code, "name": _("%(name)s（本级）") % {"name": root.name}, "reports": own})
    if other:
        rows.append({"code": "", "name": _("其他地区"), "reports": other})
    return rows


def quality_heat_map() -> dict:
    """Active departments × measures from the current scores, each cell summed over domains and record kinds.

    `value` is the measure's own share (0–1); `score` turns it into a mark of 0–100 where 100 is always good (a
    share of bad rows scores 100 × (1 − value)): what the cells print and the colours and the legend show.
    """
    rows = (QualityScore.objects.current().filter(department__isnull=False, department__is_active=True)
            .order_by().values("department_id", "measure")
            .annotate(numerator=Sum("numerator"), denominator=Sum("denominator")))
    cells = {(r["department_id"], r["measure"]): r for r in rows}
    department_ids = {d for d, _ in cells}
    departments = [d for d in Department.objects.filter(pk__in=department_ids)]
    measures = [code for code in MEASURES if any(m == code for _, m in cells)]
    as_of = (QualityScore.objects.current().filter(department__isnull=False).order_by("-as_of")
             .values_list("as_of", flat=True).first())
    out_cells = []
    for y, dept in enumerate(departments):
        for x, code in enumerate(measures):
            r = cells.get((dept.pk, code))
            if r is None or not r["denominator"]:
                continue
            value = r["numerator"] / r["denominator"]
            score = 100 * (value if MEASURES[code].better == "higher" else 1 - value)
            out_cells.append([x, y, round(score, 1), round(value, 4), r["numerator"], r["denominator"]])
    return {
        "as_of": as_of.isoformat() if as_of else None,
        "measures": [{"code": code, "label": str(MEASURES[code].label), "better": MEASURES[code].better}
                     for code in measures],
        "departments": [{"code": d.code, "name": d.name} for d in departments],
        "cells": out_cells,
    }
