"""Filing and handling feedback that a unit refused the special credit report, and what the dashboard counts.

    file_refusal (anyone, within the per-client budget) → handle (the office: 已沟通接受 / 仍不认可 / 不成立)

The deadline is REFUSAL_HANDLE_DAYS working days on the official calendar, as for objections; the office is
told of each new refusal and of each overdue one (`refusal_deadlines`, nightly), the filer (when signed in)
of the outcome. Every step is audited.
"""

import dataclasses
import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cleanrecord import conf
from cleanrecord.accounts.notify import notify, office_users
from cleanrecord.audit.services import record_event
from cleanrecord.lib.refusals import Refused
from cleanrecord.lib.roles import is_office
from cleanrecord.matters.models import Matter
from cleanrecord.reports.codes import as_report_number
from cleanrecord.reports.models import Report
from cleanrecord.verification import services as verification
from cleanrecord.verification.models import Result, VerificationLog
from cleanrecord.workdays.services import add_working_days

from .models import Refusal

Outcome = Refusal.Outcome


class TooMany(Refused):
    """The client has filed as many refusals as it may for now."""

    status = 429


def client_key(request) -> str:
    """The client's budget row for this form: the verification budget's keyed hash, in its own key space."""
    return "rf" + verification.client_key(request)[:30]


def _url(refusal: Refusal) -> str:
    return reverse("office-refusal", args=[refusal.pk])


@transaction.atomic
def file_refusal(*, report_number: str, unit: str, matter: Matter | None, matter_text: str, description: str,
                 contact: str = "", user=None, client: str) -> Refusal:
    number = as_report_number(report_number)
    if not number:
        raise Refused(_("报告编号格式不正确，应如 LZXY-20261126-000123（印在报告首页）"), field="report_number")
    unit, matter_text, description, contact = unit.strip(), matter_text.strip(), description.strip(), contact.strip()
    if not unit:
        raise Refused(_("请填写不认可报告的单位名称"), field="unit")
    if matter is None and not matter_text:
        raise Refused(_("请从清单中选择办理事项，或填写事项名称"), field="matter")
    if len(description) < 5:
        raise Refused(_("请填写情况说明（至少 5 个字）"), field="description")
    wait = verification.spend(client, capacity=int(conf.get("REFUSAL_BUDGET")),
                              period=int(conf.get("REFUSAL_REFILL_SECONDS")))
    if wait:
        minutes = max(1, (wait + 59) // 60)
        raise TooMany(_("提交过于频繁，请 %(minutes)d 分钟后再试") % {"minutes": minutes})
    report = Report.objects.filter(number=number).first()
    today = timezone.localdate()
    refusal = Refusal.objects.create(
        report_number=number, report=report, unit=unit[:200], matter=matter, matter_text="" if matter else matter_text[:200],
        contact=contact[:100], description=description[:2000], filed_by=user if user is not None and user.is_authenticated else None,
        due_on=add_working_days(today, int(conf.get("REFUSAL_HANDLE_DAYS"))))
    record_event(user=user, action="refusals.file", target=f"refusal:{refusal.pk}",
                 after={"report": number, "report_found": report is not None, "unit": refusal.unit,
                        "matter": matter.pk if matter else refusal.matter_text})
    notify(office_users(), _("不认可报告反馈待处理：%(number)s") % {"number": refusal.number},
           _("%(unit)s 在办理“%(matter)s”时不认可报告 %(report)s。请于 %(due)s 前与该单位沟通并记录处理结果。")
           % {"unit": refusal.unit, "matter": refusal.matter_name, "report": number, "due": refusal.due_on}, _url(refusal))
    return refusal


@transaction.atomic
def handle(refusal: Refusal, *, user, outcome: str, note: str) -> Refusal:
    """The office records what came of contacting the unit."""
    if not is_office(user):
        raise PermissionDenied(_("仅信用办可以处理不认可报告反馈"))
    refusal = Refusal.objects.select_for_update().get(pk=refusal.pk)
    if not refusal.is_open:
        raise Refused(_("该反馈已办结"))
    if outcome not in Outcome.values:
        raise Refused(_("请选择处理结果"), field="outcome")
    note = note.strip()
    if len(note) < 2:
        raise Refused(_("请填写处理情况（与单位沟通的经过）"), field="note")
    refusal.status, refusal.outcome, refusal.office_note = Refusal.Status.HANDLED, outcome, note[:2000]
    refusal.handled_at, refusal.handled_by = timezone.now(), user
    refusal.save()
    record_event(user=user, action="refusals.handle", target=f"refusal:{refusal.pk}",
                 before={"status": Refusal.Status.SUBMITTED},
                 after={"status": refusal.status, "outcome": outcome, "note": note[:500]})
    if refusal.filed_by is not None:
        notify([refusal.filed_by], _("不认可报告反馈已办结：%(number)s") % {"number": refusal.number},
               _("关于 %(unit)s 不认可报告 %(report)s 的反馈已办结，处理结果：%(outcome)s。%(note)s")
               % {"unit": refusal.unit, "report": refusal.report_number, "outcome": refusal.get_outcome_display(),
                  "note": note})
    return refusal


def notify_overdue(today: dt.date | None = None) -> int:
    """Tell the office once of each refusal past its deadline; run nightly (`refusal_deadlines`)."""
    today = today or timezone.localdate()
    told = 0
    for refusal in Refusal.objects.filter(status=Refusal.Status.SUBMITTED, due_on__lt=today, overdue_notified=False):
        with transaction.atomic():
            notify(office_users(), _("不认可报告反馈逾期：%(number)s") % {"number": refusal.number},
                   _("%(unit)s 不认可报告 %(report)s 的反馈已超过办理期限 %(due)s，请尽快处理。")
                   % {"unit": refusal.unit, "report": refusal.report_number, "due": refusal.due_on}, _url(refusal))
            Refusal.objects.filter(pk=refusal.pk).update(overdue_notified=True)
            record_event(user=None, action="refusals.overdue", target=f"refusal:{refusal.pk}",
                         after={"due": refusal.due_on.isoformat()})
        told += 1
    return told


# -- the dashboard's counts -------------------------------------------------------------------------

@dataclasses.dataclass
class AcceptanceRow:
    unit: str
    matter: str
    accepted: int | None  # None: a matter outside the catalogue, whose reports are not known
    refused: int
    settled: int  # refusals after which the unit accepted the report


def acceptance_rows() -> list[AcceptanceRow]:
    """Per unit and matter: 接受 = reports issued for a matter of the catalogue that were verified as authentic
    (each report once; the unit is the matter's department); 不认可 = refusals filed, of which 经沟通接受 ended
    with the unit accepting the report. Refusals naming a matter outside the catalogue count under the unit
    and the matter as typed."""
    verified = dict(VerificationLog.objects.filter(result=Result.AUTHENTIC, report__matter__isnull=False)
                    .values("report__matter").annotate(n=Count("report", distinct=True)).values_list("report__matter", "n"))
    refused: dict[int, tuple[int, int]] = {
        r["matter"]: (r["n"], r["settled"]) for r in Refusal.objects.filter(matter__isnull=False).values("matter")
        .annotate(n=Count("id"), settled=Count("id", filter=Q(outcome=Outcome.ACCEPTED)))}
    rows = []
    for m in Matter.objects.filter(pk__in=set(verified) | set(refused)).select_related("department"):
        n, settled = refused.get(m.pk, (0, 0))
        rows.append(AcceptanceRow(m.department.name, m.name, verified.get(m.pk, 0), n, settled))
    for typed in (Refusal.objects.filter(matter__isnull=True).values("unit", "matter_text")
                  .annotate(n=Count("id"), settled=Count("id", filter=Q(outcome=Outcome.ACCEPTED)))):
        rows.append(AcceptanceRow(typed["unit"], typed["matter_text"], None, typed["n"], typed["settled"]))
    return sorted(rows, key=lambda row: (-row.refused, row.unit, row.matter))
