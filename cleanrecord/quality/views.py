"""The office's supervision and statistics pages, and a department's own scorecard.

The office (accounts.is_office) sees every department; a clerk sees their own department only, and
another department's pages answer 404, so not even its existence is told.
"""

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cleanrecord.accounts.decorators import office_required
from cleanrecord.accounts.models import departments_for, is_office
from cleanrecord.accounts.notify import department_clerks
from cleanrecord.audit.services import record_event
from cleanrecord.freshness.services import silent_after, silent_sources
from cleanrecord.lib.refusals import Refused
from cleanrecord.records.models import ImportBatch
from cleanrecord.reference.models import Department

from . import exports, scorecard, stats
from .measures import MEASURES, rows_for
from .services import below_threshold, current_scores, summary
from .tasks import send_scorecard

MAX_ROWS = 200


def _own_department(user, code: str) -> Department:
    for department in departments_for(user):
        if department.code == code:
            return department
    raise Http404(_("未找到该部门"))


def month_checked(view):
    """A wrong `?month=` answers 400 with what is wrong, rather than a server error."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refused as e:
            return HttpResponseBadRequest(str(e), content_type="text/plain; charset=utf-8")

    return wrapper


def _month(request) -> dt.date | None:
    """`?month=YYYY-MM` (a scorecard's month), or None for this month."""
    raw = (request.GET.get("month") or request.POST.get("month") or "").strip()
    if not raw:
        return None
    try:
        month = dt.date.fromisoformat(f"{raw}-01")
    except ValueError:
        raise Refused(_("月份“%(month)s”格式不正确，应为 YYYY-MM") % {"month": raw[:20]}) from None
    if month > timezone.localdate():
        raise Refused(_("月份 %(month)s 尚未到来") % {"month": raw})
    return month


# -- the office ---------------------------------------------------------------------------------


@office_required
def supervision(request):
    """Departments below a threshold, each with what to fix and a link to the rows behind it."""
    groups: dict[str, dict] = {}
    for s in below_threshold():
        key = s.department.code if s.department else ""
        group = groups.setdefault(key, {"department": s.department, "shortfalls": []})
        rows_url = reverse("quality-office-rows", args=[key, s.measure]) if s.department else ""
        group["shortfalls"].append({"shortfall": s, "rows_url": rows_url})
    for group in groups.values():
        group["shortfalls"].sort(key=lambda item: -item["shortfall"].gap)
        group["worst"] = group["shortfalls"][0]["shortfall"]
    # The worst first: most measures short, then the widest gap; the city-wide silent domains last.
    ordered = sorted(groups.values(), key=lambda g: (g["department"] is None, -len(g["shortfalls"]), -g["worst"].gap))
    return render(request, "quality/supervision.html", {"groups": ordered, "months": _recent_months(),
                                                        "this_month": timezone.localdate().strftime("%Y-%m"),
                                                        "silent_sources": silent_sources(), "silent_after": silent_after()})


MONTHS_OFFERED = 24


def _recent_months() -> list[tuple[str, str]]:
    """The months a scorecard may be asked for, newest first, as (YYYY-MM, 2026年12月): a select in Chinese, where
    the browser's own month picker speaks the browser's language."""
    today = timezone.localdate()
    out = []
    year, month = today.year, today.month
    for _i in range(MONTHS_OFFERED):
        out.append((f"{year:04d}-{month:02d}", _("%(year)d年%(month)d月") % {"year": year, "month": month}))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _range(request) -> dict:
    return {"start": _date(request.GET.get("start")), "end": _date(request.GET.get("end"))}


@office_required
def statistics(request):
    span = _range(request)
    data = stats.rollout(**span)
    sections = [{"title": title, "rows": data[key]} for key, title in stats.section_titles().items()]
    query = request.GET.urlencode()
    return render(request, "quality/statistics.html", {"data": data, "sections": sections, "span": span,
                                                       "query": f"?{query}" if query else ""})


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@office_required
def statistics_csv(request):
    return _download(exports.statistics_csv(stats.rollout(**_range(request))), "text/csv; charset=utf-8",
                     "rollout-statistics.csv")


@office_required
def statistics_xlsx(request):
    return _download(exports.statistics_xlsx(stats.rollout(**_range(request))), XLSX, "rollout-statistics.xlsx")


def _office_department(code: str) -> Department:
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise Http404(_("未找到该部门"))
    return department


@office_required
@month_checked
def office_scorecard_pdf(request, code: str):
    return _scorecard_pdf(_office_department(code), _month(request))


@office_required
@month_checked
def office_scorecard_xlsx(request, code: str):
    return _scorecard_xlsx(_office_department(code), _month(request))


@office_required
@require_POST
@month_checked
def office_scorecard_send(request, code: str):
    """Send a department its month's scorecard: a message to each of its clerks, by e-mail with the PDF.
    Rendering and sending are a background task; the office is told it is under way."""
    department = _office_department(code)
    month = _month(request)
    data = scorecard.scorecard_data(department, month=month)
    clerks = list(department_clerks(department.pk))
    if not clerks:
        messages.error(request, _("%(department)s尚无报送员账号，评分卡未能发送") % {"department": department.name})
        return redirect("quality-supervision")
    with transaction.atomic():
        record_event(user=request.user, action="quality.scorecard_send", target=f"department:{department.code}",
                     after={"month": data["month_value"], "recipients": [c.get_username() for c in clerks]})
        # In the same transaction as the audit entry: the database backend's queue is a table.
        send_scorecard.enqueue(department.pk, month.isoformat() if month else None)
    messages.success(request, _("正在向%(department)s的 %(clerks)s 名报送员发送%(month)s评分卡（后台发送，结果见各报送员的站内消息）")
                     % {"department": department.name, "clerks": len(clerks), "month": data["month"]})
    return redirect("quality-supervision")


@office_required
def office_rows(request, code: str, measure: str):
    return _rows(request, _office_department(code), measure, office=True)


# -- a department's clerk ---------------------------------------------------------------------


@login_required
def own_quality(request):
    """A clerk's way in: their department's scorecard (the office is sent to its supervision list)."""
    if is_office(request.user):
        return redirect("quality-supervision")
    departments = departments_for(request.user)
    if not departments:
        raise Http404(_("账号未绑定报送部门"))
    return redirect("quality-department", departments[0].code)


@login_required
@month_checked
def department_scorecard(request, code: str):
    department = _own_department(request.user, code)
    data = scorecard.scorecard_data(department, month=_month(request))
    for m in data["measures"]:
        m["rows_url"] = (reverse("quality-department-rows", args=[code, m["measure"]]) if m["to_fix"] != "0"
                         else "")
    months = _recent_months()
    if data["month_value"] not in dict(months):
        months.append((data["month_value"], data["month"]))
    return render(request, "quality/scorecard.html", {"department": department, "card": data, "months": months})


@login_required
@month_checked
def department_scorecard_pdf(request, code: str):
    return _scorecard_pdf(_own_department(request.user, code), _month(request))


@login_required
@month_checked
def department_scorecard_xlsx(request, code: str):
    return _scorecard_xlsx(_own_department(request.user, code), _month(request))


@login_required
def department_rows(request, code: str, measure: str):
    return _rows(request, _own_department(request.user, code), measure, office=False)


# -- shared -----------------------------------------------------------------------------------


def _scorecard_pdf(department: Department, month: dt.date | None) -> HttpResponse:
    data = scorecard.scorecard_data(department, month=month)
    return _download(scorecard.render_pdf(data), "application/pdf",
                     f"scorecard-{department.code}-{data['month_value']}.pdf")


def _scorecard_xlsx(department: Department, month: dt.date | None) -> HttpResponse:
    on = scorecard.month_end(month) if month else None
    label = (month or timezone.localdate()).strftime("%Y-%m")
    return _download(exports.scorecard_xlsx(summary(department=department, on=on)), XLSX,
                     f"scorecard-{department.code}-{label}.xlsx")


def _rows(request, department: Department, measure: str, *, office: bool):
    """The rows behind one measure of a department, as they stand now, with links to fix them."""
    if measure not in MEASURES:
        raise Http404(_("未知指标"))
    items = []
    for score in current_scores(department).filter(measure=measure):
        for row in rows_for(score)[:MAX_ROWS]:
            items.append(_row_item(row, score))
        if len(items) > MAX_ROWS:  # enough to show the page and say it is cut; no more scores' rows to read
            break
    return render(request, "quality/rows.html", {
        "department": department, "label": MEASURES[measure].label, "items": items[:MAX_ROWS],
        "truncated": len(items) > MAX_ROWS, "office": office,
    })


def _row_item(row, score) -> dict:
    if isinstance(row, ImportBatch):
        return {"text": str(row), "detail": f"{row.rows_rejected}/{row.rows_read}",
                "url": reverse("import-detail", args=[row.pk])}
    if isinstance(row, Department):
        return {"text": row.name, "detail": "", "url": ""}
    return {"text": row.subject_name, "detail": row.credit_code or "",
            "url": reverse("department-record", args=[score.kind, row.pk])}
