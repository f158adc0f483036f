"""A department's monthly data quality scorecard as a PDF, typeset by Typst like the reports.

The scorecard is the department's part of services.summary(), with its figures turned into display
strings here; it travels into Typst as JSON data (sys.inputs), never as markup.
"""

import datetime as dt
import json
import logging
import threading
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from cleanrecord.reference.models import Department
from cleanrecord.reports.render import compiler

from .services import summary

logger = logging.getLogger(__name__)

TEMPLATE = Path(__file__).parent / "typst" / "scorecard.typ"
_lock = threading.Lock()  # the compiler holds its inputs as state


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def month_end(month: dt.date) -> dt.date | None:
    """The last day whose scores a month's scorecard shows: None (the newest) for the current month."""
    today = timezone.localdate()
    if (month.year, month.month) >= (today.year, today.month):
        return None
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def scorecard_data(department: Department, *, month: dt.date | None = None) -> dict:
    """The scorecard as plain data: the department, the month, each measure and what to fix.

    A past month shows the scores as they stood at its end (the newest day computed up to then).
    """
    month = month or timezone.localdate()
    data = summary(department=department, on=month_end(month))
    (dept,) = [d for d in data["departments"] if d["code"] == department.code] or [None]
    measures = []
    for m in dept["measures"] if dept else []:
        measures.append({
            "measure": m["measure"], "dimension": m["dimension_label"], "label": m["label"], "value": _share(m["value"]),
            "threshold": _share(m["threshold"]), "to_fix": str(m["to_fix"]),
            "status": _("未达标") if m["below_threshold"] else _("达标"), "below": m["below_threshold"],
        })
    return {
        "department": {"code": department.code, "name": department.name},
        "month": _("%(year)s年%(month)s月") % {"year": month.year, "month": month.month},
        "month_value": f"{month.year:04d}-{month.month:02d}",
        "as_of": dept["as_of"] if dept else "",
        "measures": measures,
        "fixes": [{"label": s["label"], "fix": s["fix"]} for s in data["below_threshold"]],
    }


def render_pdf(data: dict) -> bytes:
    """Typeset a scorecard (scorecard_data) as an A4 PDF."""
    with _lock:
        pdf, warnings = compiler(TEMPLATE).compile_with_warnings(
            sys_inputs={"scorecard": json.dumps(data, ensure_ascii=False)}, pdf_tags=False)
    for warning in warnings:
        logger.warning("scorecard %s: typst: %s", data["department"]["code"], warning.message)
    assert isinstance(pdf, bytes)  # a PDF is one document (a list of pages only for image formats)
    return pdf
