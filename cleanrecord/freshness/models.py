"""How fresh each domain's data is: which departments feed a domain, and when each last sent data.

A department feeds the domain that is its default domain (reference data, always current) and every
domain it has sent records for (Feed, kept up to date by each import); the office may add a feed or
switch one off in the admin. A department "sends data" with an applied import or with a 无新增数据确认
(NothingNew): zero records is information too. SourceStatus keeps each department's latest of both,
so a report reads a few dozen rows, never the record tables.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cleanrecord.records.models import RecordKind
from cleanrecord.reference.models import Department, Domain

# The record kinds a report states; licences (and the entity register) say nothing about violations.
REPORTED_KINDS = (RecordKind.PENALTY, RecordKind.COMPULSION, RecordKind.LISTING, RecordKind.JUDGMENT)


class Feed(models.Model):
    """A department that feeds a domain besides its default domain, or the office's decision about one."""

    class Origin(models.TextChoices):
        RECORDS = "records", _("报送过本领域记录")
        OFFICE = "office", _("信用办指定")

    department = models.ForeignKey(Department, models.CASCADE, related_name="feeds", verbose_name=_("报送部门"))
    domain = models.ForeignKey(Domain, models.CASCADE, related_name="feeds", verbose_name=_("领域"))
    origin = models.CharField(_("来源"), max_length=10, choices=Origin.choices, default=Origin.OFFICE)
    counts = models.BooleanField(
        _("计入本领域数据时效"), default=True,
        help_text=_("否：该部门不再视为本领域的数据来源（例如只偶尔报送过本领域记录），其报送情况不影响本领域的数据截至日期。"))
    last_records_on = models.DateField(_("最近报送本领域记录日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["domain__order", "department__name"]
        constraints = [models.UniqueConstraint(fields=["department", "domain"], name="freshness_feed_unique")]
        verbose_name = verbose_name_plural = _("领域数据来源")

    def __str__(self) -> str:
        return f"{self.department} → {self.domain}（{_('计入') if self.counts else _('不计入')}）"


class SourceStatus(models.Model):
    """A department's latest applied import and latest 无新增数据确认 (each as a date)."""

    department = models.OneToOneField(Department, models.CASCADE, primary_key=True, related_name="source_status",
                                      verbose_name=_("报送部门"))
    last_import_on = models.DateField(_("最近导入日期"), null=True, blank=True)
    last_confirmed_on = models.DateField(_("最近确认无新增数据截至日期"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("部门报送时效")

    def __str__(self) -> str:
        return str(self.department)

    @property
    def last_data_on(self):
        """The last date by which the department had sent data: an import, or a confirmation of nothing new."""
        return max((d for d in (self.last_import_on, self.last_confirmed_on) if d), default=None)


class NothingNew(models.Model):
    """无新增数据确认: a department states that it has no new data up to a date (optionally for one kind)."""

    department = models.ForeignKey(Department, models.PROTECT, related_name="nothing_new", verbose_name=_("报送部门"))
    kind = models.CharField(_("数据类别"), max_length=20, blank=True,
                            choices=[("", _("全部类别")), *[(k.value, k.label) for k in REPORTED_KINDS]])
    as_of = models.DateField(_("数据截至日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("确认人"))
    created_at = models.DateTimeField(_("确认时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = _("无新增数据确认")

    def __str__(self) -> str:
        return f"{self.department} {self.as_of}"
