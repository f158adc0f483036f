"""Feedback when a unit refuses the special credit report (某单位不认可专用信用报告).

Anyone files it on a public form (rate-limited per client); it lands in the office's queue with a deadline
in working days; the office contacts the unit and records the outcome. The dashboard counts refusals per
unit and matter beside the verifications of reports issued for that matter.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleanrecord.matters.models import Matter
from cleanrecord.reports.models import Report


class Refusal(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待信用办处理")
        HANDLED = "handled", _("已办结")

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("已沟通，单位接受报告")
        STILL_REFUSED = "still_refused", _("已沟通，单位仍不认可")
        UNFOUNDED = "unfounded", _("反馈不成立")

    report_number = models.CharField(_("报告编号"), max_length=40)
    report = models.ForeignKey(Report, models.SET_NULL, null=True, blank=True, related_name="refusals",
                               verbose_name=_("报告"))
    unit = models.CharField(_("不认可报告的单位"), max_length=200)
    matter = models.ForeignKey(Matter, models.SET_NULL, null=True, blank=True, related_name="refusals",
                               verbose_name=_("办理事项"))
    matter_text = models.CharField(_("办理事项（清单外）"), max_length=200, blank=True)
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    description = models.TextField(_("情况说明"), max_length=2000)
    filed_at = models.DateTimeField(_("反馈时间"), default=timezone.now)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("反馈人账号"))

    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    due_on = models.DateField(_("办理期限"))
    outcome = models.CharField(_("处理结果"), max_length=15, choices=Outcome.choices, blank=True)
    office_note = models.TextField(_("处理情况"), blank=True)
    handled_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("办理人"))
    overdue_notified = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("不认可报告反馈")
        ordering = ["-filed_at"]
        indexes = [models.Index(fields=["status", "due_on"], name="refusal_status_idx")]

    def __str__(self) -> str:
        return f"{self.number}：{self.get_status_display()}"

    @property
    def number(self) -> str:
        return f"FK{timezone.localtime(self.filed_at):%Y%m%d}-{self.pk:06d}"

    @property
    def matter_name(self) -> str:
        return self.matter.name if self.matter else self.matter_text

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SUBMITTED

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())
