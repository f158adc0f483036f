"""Objections to records and severity explanations by the deciding authority.

Reports need to know two things today: whether a record is under objection (label 异议处理中) and
whether its authority has explained how serious it was (printed under the record). The workflow
that moves objections along, with deadlines and notifications, grows here (objections issue).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cleanrecord.records.models import RecordKind


class ObjectionQuerySet(models.QuerySet):
    def open(self) -> "ObjectionQuerySet":
        return self.exclude(status__in=Objection.CLOSED)

    def open_record_keys(self, subject_key: str) -> set[tuple[str, int]]:
        """(kind, record id) of every record of one subject that is under objection now."""
        return set(self.filter(subject_key=subject_key).open().values_list("kind", "record_id"))


class Objection(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        ACCEPTED = "accepted", _("已受理")
        REJECTED = "rejected", _("不予受理")
        FORWARDED = "forwarded", _("已转办")
        ANSWERED = "answered", _("部门已答复")
        CLOSED = "closed", _("已办结")

    CLOSED = (Status.REJECTED, Status.CLOSED)

    kind = models.CharField(_("数据类别"), max_length=10, choices=RecordKind.choices)
    record_id = models.BigIntegerField(_("记录"))
    subject_key = models.CharField(_("主体键"), max_length=40)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    opened_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("异议")
        indexes = [models.Index(fields=["subject_key", "kind", "record_id"], name="objection_record_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.record_id}：{self.get_status_display()}"


class SeverityExplanation(models.Model):
    """情节严重程度说明: the deciding authority says how serious a violation was."""

    kind = models.CharField(_("数据类别"), max_length=10, choices=RecordKind.choices)
    record_id = models.BigIntegerField(_("记录"))
    subject_key = models.CharField(_("主体键"), max_length=40)
    category = models.CharField(_("认定"), max_length=50, help_text=_("如：不属于重大违法违规行为、情节轻微"))
    text = models.TextField(_("说明"))
    signer = models.CharField(_("出具单位"), max_length=200)
    signed_on = models.DateField(_("出具日期"))
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("情节严重程度说明")
        indexes = [models.Index(fields=["subject_key", "kind", "record_id"], name="explanation_record_idx")]

    def __str__(self) -> str:
        return f"{self.category}（{self.signer}，{self.signed_on}）"

    def to_dict(self) -> dict:
        return {"category": self.category, "text": self.text, "signer": self.signer, "date": self.signed_on.isoformat()}
