"""Verifications of reports, and the per-client budget that stops code guessing."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Result(models.TextChoices):
    AUTHENTIC = "authentic", _("真实有效")
    REVOKED = "revoked", _("已撤销")
    EXPIRED = "expired", _("已过期")
    NOT_FOUND = "not_found", _("未找到")
    # File checks
    COPY_NOT_OURS = "not_stored", _("签名属实但非平台存档文件")
    MODIFIED = "modified", _("签名后被修改")
    APPENDED = "appended", _("签名后有追加内容")  # the signed part is intact and ours; bytes follow it
    NOT_OURS = "not_ours", _("非本平台签发")
    UNSIGNED = "unsigned", _("未签名")
    BAD_FILE = "bad_file", _("文件无法识别")


class Channel(models.TextChoices):
    PAGE = "page", _("网页")
    API = "api", _("接口")
    FILE = "file", _("文件核验")


class VerificationLog(models.Model):
    report = models.ForeignKey("reports.Report", models.CASCADE, null=True, blank=True, related_name="verifications",
                               verbose_name=_("报告"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    channel = models.CharField(_("渠道"), max_length=5, choices=Channel.choices)
    result = models.CharField(_("结果"), max_length=12, choices=Result.choices)
    # A keyed hash of the client's address: tells repeat visitors apart without keeping the address.
    client = models.CharField(_("客户端标识"), max_length=32)
    # The organisation (bank, agency) of the member account that verified while signed in; none for anyone else.
    # No index: the log is written on every verification and read only by report.
    organisation = models.ForeignKey("accounts.Organisation", models.SET_NULL, null=True, blank=True, db_index=False,
                                     related_name="+", verbose_name=_("核验机构"))

    class Meta:
        ordering = ["-at"]
        verbose_name = verbose_name_plural = _("核验记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_channel_display()} {self.get_result_display()}"


class ClientBudget(models.Model):
    """A token bucket per client: each unknown code costs a token; tokens come back with time."""

    client = models.CharField(max_length=32, primary_key=True)
    tokens = models.FloatField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = _("核验限额")

    def __str__(self) -> str:
        return f"{self.client}: {self.tokens:.1f}"
