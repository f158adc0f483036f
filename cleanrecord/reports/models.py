"""Issued reports: the frozen snapshot, the signed PDF on disk, and who issued it when."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleanrecord.conf import NATIONAL_MAX_YEARS


class Purpose(models.TextChoices):
    FINANCE = "finance", _("金融")
    BUSINESS = "business", _("商务经营")
    ADMINISTRATION = "administration", _("行政管理")
    OTHER = "other", _("其他")


class ReportLanguage(models.TextChoices):
    """The language a report is printed in (reports.languages); the entity chooses when requesting it."""

    CHINESE = "zh-hans", _("中文")
    ENGLISH = "en", _("英文")


class ReportStatus(models.TextChoices):
    """Where a report stands, derived from its revocation and expiry (not stored): the code the API returns,
    the label pages show."""

    VALID = "valid", _("有效")
    EXPIRED = "expired", _("已过期")
    REVOKED = "revoked", _("已撤销")


class ReportSequence(models.Model):
    """The last report number used on a day: numbers run 000001, 000002 … per day."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("报告编号序列")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class ReportQuerySet(models.QuerySet):
    def for_entity(self, credit_code: str) -> "ReportQuerySet":
        return self.filter(entity_id=credit_code).order_by("-issued_at")


class Report(models.Model):
    number = models.CharField(_("报告编号"), max_length=40, unique=True)
    verification_code = models.CharField(_("核验码"), max_length=32, unique=True)
    entity = models.ForeignKey("entities.Entity", models.PROTECT, related_name="reports", verbose_name=_("经营主体"))
    domains = models.JSONField(_("领域"))
    all_domains = models.BooleanField(_("全部领域"), default=False)
    period_start = models.DateField(_("查询期起"))
    period_end = models.DateField(_("查询期止"))
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices)
    purpose_text = models.CharField(_("用途说明"), max_length=200, blank=True)
    snapshot = models.JSONField(_("报告内容快照"))
    snapshot_hash = models.CharField(_("快照摘要"), max_length=64)
    records_found = models.PositiveIntegerField(_("记录数"), default=0)
    pdf_path = models.CharField(_("PDF 文件"), max_length=500)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, db_index=True)
    pdf_size = models.PositiveIntegerField(_("PDF 大小（字节）"), default=0)
    issued_at = models.DateTimeField(_("出具时间"))
    valid_until = models.DateField(_("有效期至"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                  verbose_name=_("申请人"))
    channel = models.CharField(_("渠道"), max_length=5, default="web")
    language = models.CharField(_("报告语言"), max_length=10, choices=ReportLanguage.choices,
                                default=ReportLanguage.CHINESE)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销原因"), max_length=500, blank=True)
    # Issued in a group batch: counted in the batch (once, for the group), not in the entity's hourly limit.
    group_batch = models.ForeignKey("GroupBatch", models.PROTECT, null=True, blank=True, related_name="reports",
                                    verbose_name=_("集团报告批次"))
    # The matter of the catalogue (应替尽替清单) the report was asked for, when it was started from one.
    matter = models.ForeignKey("matters.Matter", models.SET_NULL, null=True, blank=True, related_name="reports",
                               verbose_name=_("办理事项"))

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = verbose_name_plural = _("专用信用报告")
        permissions = [("revoke_report", _("可以撤销专用信用报告"))]

    def __str__(self) -> str:
        return self.number

    @property
    def is_expired(self) -> bool:
        return timezone.localdate() > self.valid_until

    @property
    def status(self) -> ReportStatus:
        if self.revoked_at:
            return ReportStatus.REVOKED
        return ReportStatus.EXPIRED if self.is_expired else ReportStatus.VALID

    def get_status_display(self) -> str:
        return str(self.status.label)

    def pdf_bytes(self) -> bytes:
        from pathlib import Path

        return Path(self.pdf_path).read_bytes()

    @staticmethod
    def valid_until_for(issued_on: dt.date, days: int) -> dt.date:
        return issued_on + dt.timedelta(days=days)


class RepairedRecords(models.TextChoices):
    LABEL = "label", _("照常列出并标注“已修复”")
    HIDE = "hide", _("不列入报告")


class RuleSettings(models.Model):
    """The report rules as the credit office set them in its console; one row at most.

    While no row exists the environment's values apply (cleanrecord.reports.rules.rule reads this row).
    """

    # The settings (cleanrecord.conf, declared office=True) the office may change here → their fields.
    SETTINGS = {
        "REPORT_INCLUDE_SIMPLE_PROCEDURE": "include_simple_procedure",
        "REPORT_REPAIRED_RECORDS": "repaired_records",
        "REPORT_NOTHING_FOUND_TEXT": "nothing_found_text",
        "REPORT_DEFAULT_YEARS": "default_years",
        "REPORT_MAX_YEARS": "max_years",
        "REPORT_VALID_DAYS": "valid_days",
    }

    include_simple_procedure = models.BooleanField(_("计入适用简易程序作出的行政处罚"), default=True)
    repaired_records = models.CharField(_("已完成信用修复的记录"), max_length=5, choices=RepairedRecords.choices,
                                        default=RepairedRecords.LABEL)
    nothing_found_text = models.CharField(
        _("无记录时的表述"), max_length=200,
        help_text=_("{kinds} 处填入所查询的记录类别（行政处罚、行政强制、严重失信）；不含 {kinds} 时，类别附在表述之后。"))
    default_years = models.PositiveSmallIntegerField(_("默认查询年限"), validators=[
        MinValueValidator(1, _("默认查询年限至少为 1 年")),
        MaxValueValidator(NATIONAL_MAX_YEARS, _("默认查询年限不能超过国家规定的最长追溯年限（5 年）")),
    ])
    max_years = models.PositiveSmallIntegerField(_("最长追溯年限"), validators=[
        MinValueValidator(1, _("最长追溯年限应在 1 到 5 年之间（国家规定查询期最长追溯 5 年）")),
        MaxValueValidator(NATIONAL_MAX_YEARS, _("最长追溯年限应在 1 到 5 年之间（国家规定查询期最长追溯 5 年）")),
    ])
    valid_days = models.PositiveSmallIntegerField(_("报告有效期（天）"), validators=[
        MinValueValidator(1, _("报告有效期应在 1 到 365 天之间")),
        MaxValueValidator(365, _("报告有效期应在 1 到 365 天之间")),
    ])
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("修改人"))

    SINGLETON_PK = 1

    class Meta:
        verbose_name = verbose_name_plural = _("报告规则设置")

    def __str__(self) -> str:
        return str(_("报告规则设置"))

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_PK  # the one row: saving again changes it
        self.nothing_found_text = self.nothing_found_text.strip()
        super().save(*args, **kwargs)  # post_save: reports.rules reads the rules afresh

    def clean(self) -> None:
        errors = {}
        if not (self.nothing_found_text or "").strip():
            errors["nothing_found_text"] = _("无记录时的表述不能为空")
        if self.default_years and self.max_years and self.default_years > self.max_years:
            errors["default_years"] = _("默认查询年限不能超过最长追溯年限")
        if errors:
            raise ValidationError(errors)

    def values(self) -> dict:
        """The rule values as plain data, keyed by field name (for the audit trail)."""
        return {field: getattr(self, field) for field in self.SETTINGS.values()}


class SigningRoot(models.Model):
    """A root certificate report signatures chain to, recorded by `manage.py signing_keys`.

    Recorded in the database so that it outlives the key folder: the current root must be the root
    of the key that signs, or no report is issued (a lost folder never silently becomes a new CA);
    every root ever recorded stays trusted when an older report's file is checked.
    """

    fingerprint = models.CharField(_("SHA-256 指纹"), max_length=95, unique=True)
    certificate = models.TextField(_("根证书（PEM）"))
    # The signing certificate in use under this root: a rotation in one process tells the others to reload.
    signing_fingerprint = models.CharField(_("当前签名证书指纹"), max_length=95, blank=True)
    current = models.BooleanField(_("当前根证书"), default=False)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = _("报告签名根证书")
        constraints = [models.UniqueConstraint(fields=["current"], condition=models.Q(current=True),
                                               name="one_current_signing_root")]

    def __str__(self) -> str:
        return self.fingerprint


class GroupAuthorisationQuerySet(models.QuerySet):
    def active(self, today: dt.date | None = None) -> "GroupAuthorisationQuerySet":
        today = today or timezone.localdate()
        return self.filter(revoked_at__isnull=True, valid_from__lte=today, valid_until__gte=today)


class GroupAuthorisation(models.Model):
    """The credit office lets a group company (its bound users) apply for one subsidiary's reports in a group
    batch, for a period; revocable. One row per subsidiary; made and revoked in the admin, audited there."""

    parent = models.ForeignKey("entities.Entity", models.CASCADE, related_name="group_authorisations",
                               verbose_name=_("集团（母公司）"))
    subsidiary = models.ForeignKey("entities.Entity", models.CASCADE, related_name="group_parents",
                                   verbose_name=_("子公司"))
    valid_from = models.DateField(_("起始日期"), default=timezone.localdate)
    valid_until = models.DateField(_("截止日期"))
    basis = models.CharField(_("授权依据"), max_length=200, blank=True,
                             help_text=_("如：集团出具的授权书编号、信用办审核记录"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = GroupAuthorisationQuerySet.as_manager()

    class Meta:
        ordering = ["parent", "subsidiary"]
        verbose_name = verbose_name_plural = _("集团报告授权")
        constraints = [models.UniqueConstraint(fields=["parent", "subsidiary"], condition=models.Q(revoked_at__isnull=True),
                                               name="one_open_group_authorisation")]

    def __str__(self) -> str:
        state = _("已撤销") if self.revoked_at else f"{self.valid_from}～{self.valid_until}"
        return f"{self.parent_id} → {self.subsidiary_id}（{state}）"

    def clean(self) -> None:
        if self.parent_id and self.parent_id == self.subsidiary_id:
            raise ValidationError({"subsidiary": _("子公司不能是集团本身")})
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("截止日期不能早于起始日期")})


class GroupBatch(models.Model):
    """One group application: a report for each chosen subsidiary (Report.group_batch) and a signed summary.

    The batch counts once in the group's hourly limit; its reports count in no entity's limit."""

    number = models.CharField(_("批次编号"), max_length=40, unique=True)
    # The download's address: unguessable, like a report's verification code.
    token = models.CharField(_("下载令牌"), max_length=43, unique=True, editable=False)
    parent = models.ForeignKey("entities.Entity", models.PROTECT, related_name="group_batches",
                               verbose_name=_("集团（母公司）"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("申请人"))
    issued_at = models.DateTimeField(_("出具时间"))
    channel = models.CharField(_("渠道"), max_length=5, default="web")
    summary_path = models.CharField(_("汇总清单 PDF 文件"), max_length=500)
    summary_sha256 = models.CharField(_("汇总清单 SHA-256"), max_length=64)
    summary_size = models.PositiveIntegerField(_("汇总清单大小（字节）"), default=0)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = verbose_name_plural = _("集团报告批次")

    def __str__(self) -> str:
        return self.number
