"""The official working-day calendar: which days are public holidays and which weekends are worked.

Deadlines (objections) and the 双公示 timeliness measure count working days. A day not in this table
follows the week: Monday to Friday are working days. A row names a day the State Council's holiday
notice sets apart — a holiday, or a make-up working day (调休上班) — for a year the calendar knows
(CalendarYear). Years come from the chinese-calendar package; the credit office enters a year itself
when the package lags behind the notice, and its entries then win over the package for that year.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    class Source(models.TextChoices):
        PACKAGE = "package", _("chinese-calendar 软件包")
        OFFICE = "office", _("信用办录入")

    year = models.PositiveSmallIntegerField(_("年度"), primary_key=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)
    note = models.CharField(_("依据"), max_length=200, blank=True, help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知"))

    class Meta:
        ordering = ["year"]
        verbose_name = verbose_name_plural = _("日历年度")

    def __str__(self) -> str:
        return f"{self.year}（{self.get_source_display()}）"


class CalendarDay(models.Model):
    """A day that is not what its weekday says: a holiday on a weekday or a working weekend day.

    `shift` is -1 for a holiday falling Monday–Friday, +1 for a worked Saturday or Sunday and 0 for a
    holiday on a weekend (kept for its name). `offset` is the running sum of `shift` up to and including
    this day, so that SQL counts working days between two dates with two lookups (see sql.WorkingDays).
    """

    day = models.DateField(_("日期"), primary_key=True)
    working = models.BooleanField(_("上班"), help_text=_("勾选：调休上班日；不勾选：放假"))
    name = models.CharField(_("节日"), max_length=20, blank=True)
    shift = models.SmallIntegerField(default=0, editable=False)
    offset = models.IntegerField(default=0, editable=False)

    class Meta:
        ordering = ["day"]
        verbose_name = verbose_name_plural = _("节假日与调休")

    def __str__(self) -> str:
        words = _("%(day)s %(name)s（调休上班）") if self.working else _("%(day)s %(name)s（放假）")
        return str(words) % {"day": self.day, "name": self.name}
