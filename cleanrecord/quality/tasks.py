"""Quality work done in the background (cleanrecord/jobs' worker): scores after an import, a scorecard sent."""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from cleanrecord.accounts.notify import department_clerks, notify
from cleanrecord.records.models import ImportBatch
from cleanrecord.reference.models import Department

from . import scorecard
from .services import recompute_after


@task()
def recompute_after_import(batch_id: int) -> int:
    """The scores an applied web or API import changes. Raises on failure, so the worker tries again (the
    import itself is applied either way)."""
    batch = ImportBatch.objects.select_related("department").get(pk=batch_id)
    if batch.status != ImportBatch.Status.DONE:
        return 0
    return len(recompute_after(batch))


def scorecard_message(department: Department, data: dict) -> str:
    shortfalls = [str(m["label"]) for m in data["measures"] if m["below"]]
    if shortfalls:
        return (_("%(department)s%(month)s数据质量评分卡已发送，请查阅并整改。未达标指标：%(shortfalls)s。")
                % {"department": department.name, "month": data["month"], "shortfalls": "、".join(shortfalls)})
    return (_("%(department)s%(month)s数据质量评分卡已发送，请查阅并整改。各项指标均已达标。")
            % {"department": department.name, "month": data["month"]})


@task()
def send_scorecard(department_id: int, month: str | None) -> int:
    """Render a department's month scorecard and send it to each of its clerks (a message, and e-mail with the
    PDF); the number told."""
    department = Department.objects.get(pk=department_id)
    data = scorecard.scorecard_data(department, month=dt.date.fromisoformat(month) if month else None)
    pdf = scorecard.render_pdf(data)
    with transaction.atomic():
        told = notify(department_clerks(department.pk), _("%(month)s数据质量评分卡") % {"month": data["month"]},
                      scorecard_message(department, data),
                      reverse("quality-department", args=[department.code]) + f"?month={data['month_value']}",
                      attachments=[(f"scorecard-{department.code}-{data['month_value']}.pdf", pdf,
                                    "application/pdf")])
    return len(told)
