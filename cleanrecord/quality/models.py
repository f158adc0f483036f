"""Data quality scores: one row per department (or domain), record kind and measure, per day.

A recomputation replaces the day's rows of the departments it covers, so each day keeps its last
figures: the newest day of a department is its current score, older days draw its trend. Numerator
and denominator are kept beside the share, so any total (a district, a domain, the whole city) is a
SUM away and never an average of averages.
"""

import datetime as dt

from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from cleanrecord.reference.models import Department, Domain


class Measure(models.TextChoices):
    """What is measured. Definitions, thresholds and what to fix: cleanrecord.quality.measures."""

    # completeness (全面性)
    REQUIRED_FILLED = "required_filled", _("必填项完整率")
    RECOMMENDED_FILLED = "recommended_filled", _("建议项完整率")
    SILENT_DEPARTMENT = "silent_department", _("部门未报送")
    SILENT_DOMAIN = "silent_domain", _("领域无数据报送")
    # accuracy (准确性)
    CODE_INVALID = "code_invalid", _("信用代码校验不通过")
    NOT_IN_REGISTER = "not_in_register", _("信用代码未在登记库中")
    NAME_MISMATCH = "name_mismatch", _("主体名称与登记库不符")
    DATES_OUT_OF_ORDER = "dates_out_of_order", _("日期先后矛盾")
    AMOUNT_OUT_OF_RANGE = "amount_out_of_range", _("金额超出合理范围")
    UNKNOWN_CATEGORY = "unknown_category", _("处罚类别不规范")
    # timeliness (及时性)
    ON_TIME = "on_time", _("按时报送率")
    # consistency (一致性)
    SAME_NUMBER_OTHER_AUTHORITY = "same_number_other_authority", _("同一主体同一文号、机关代码不同")
    SAME_NUMBER_OTHER_SUBJECT = "same_number_other_subject", _("同一机关同一文号、主体不同")
    REVOKED_INCONSISTENT = "revoked_inconsistent", _("撤销状态与撤销日期不一致")
    REMOVAL_OVERDUE = "removal_overdue", _("已过移出日期仍在名单")
    # the import itself
    REJECTION_RATE = "rejection_rate", _("导入拒收率")


class QualityScoreQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None) -> "QualityScoreQuerySet":
        """The newest day's rows of each department, and of the platform-wide rows (department empty);
        with `on`, the newest day's rows up to that date (a past month's scorecard)."""
        days = QualityScore.objects.filter(as_of__lte=on) if on is not None else QualityScore.objects
        newest = days.filter(department=OuterRef("department")).order_by("-as_of").values("as_of")[:1]
        newest_platform = days.filter(department=None).order_by("-as_of").values("as_of")[:1]
        return self.filter(Q(department__isnull=False, as_of=Subquery(newest))
                           | Q(department__isnull=True, as_of=Subquery(newest_platform)))


class QualityScore(models.Model):
    """One measure over one department's records of one domain and kind (or over a domain, or a department)."""

    as_of = models.DateField(_("日期"))
    department = models.ForeignKey(Department, models.CASCADE, null=True, blank=True, related_name="+",
                                   verbose_name=_("部门"), help_text=_("为空：全市层面（领域无数据报送、未指定部门的导入）。"))
    domain = models.ForeignKey(Domain, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("领域"))
    kind = models.CharField(_("数据类别"), max_length=10, blank=True,
                            help_text=_("penalty / licence / listing / register；为空：不分类别。"))
    measure = models.CharField(_("指标"), max_length=40, choices=Measure.choices)
    numerator = models.BigIntegerField(_("分子"))
    denominator = models.BigIntegerField(_("分母"))
    value = models.FloatField(_("比率"), null=True, blank=True, help_text=_("分子 ÷ 分母；分母为 0 时为空。"))
    detail = models.JSONField(_("明细"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))

    objects = QualityScoreQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("数据质量指标")
        ordering = ["department_id", "measure", "domain_id", "kind"]
        indexes = [
            models.Index(fields=["department", "as_of"], name="quality_department_day"),
            models.Index(fields=["measure", "as_of"], name="quality_measure_day"),
        ]

    def __str__(self) -> str:
        return f"{self.department or _('全市')} {self.get_measure_display()} {self.value}"
