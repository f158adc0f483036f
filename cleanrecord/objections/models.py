"""Objections to records, severity explanations and the requests for them (domain brief §8).

An objection moves submitted → accepted (or rejected) → forwarded → answered → closed, each step
with a deadline in working days (objections.workflow); while it is open, reports and verification
pages label the record 异议处理中. Rows are keyed by the record's subject, like the records themselves,
so that a distributed database keeps an entity's objections beside its records.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleanrecord.records.models import RecordKind
from cleanrecord.reference.models import Department


class ObjectionQuerySet(models.QuerySet):
    def open(self) -> "ObjectionQuerySet":
        return self.exclude(status__in=Objection.CLOSED)

    def open_record_keys(self, subject_key: str) -> set[tuple[str, int]]:
        """(kind, record id) of every record of one subject that is under objection now."""
        return set(self.filter(subject_key=subject_key).open().values_list("kind", "record_id"))

    def overdue(self, today: dt.date | None = None) -> "ObjectionQuerySet":
        today = today or timezone.localdate()
        return self.open().filter(models.Q(due_on__lt=today) | models.Q(hard_due_on__lt=today))


class Objection(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已提交，待信用办受理")
        ACCEPTED = "accepted", _("已受理，待转办")
        REJECTED = "rejected", _("不予受理")
        FORWARDED = "forwarded", _("已转办，待部门答复")
        ANSWERED = "answered", _("部门已答复，待信用办审核")
        CLOSED = "closed", _("已办结")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Reason(models.TextChoices):
        NOT_OURS = "not_ours", _("非本主体的记录")
        CONTENT_WRONG = "content_wrong", _("记录内容有误")
        SHOULD_BE_REVOKED = "should_revoke", _("处罚决定已撤销或应当撤销")
        REPAIRED = "repaired", _("已完成信用修复")
        OTHER = "other", _("其他")

    class Decision(models.TextChoices):
        UPHOLD = "uphold", _("维持")
        CORRECT = "correct", _("更正")
        REVOKE = "revoke", _("撤销")

    CLOSED = (Status.REJECTED, Status.CLOSED, Status.WITHDRAWN)

    kind = models.CharField(_("数据类别"), max_length=10, choices=RecordKind.choices)
    record_id = models.BigIntegerField(_("记录"))
    subject_key = models.CharField(_("主体键"), max_length=40)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    opened_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    # What the entity says, about which record.
    department = models.ForeignKey(Department, models.PROTECT, null=True, related_name="objections",
                                   verbose_name=_("数据来源部门"))
    record_number = models.CharField(_("文书号"), max_length=200, blank=True)
    reason = models.CharField(_("异议类型"), max_length=15, choices=Reason.choices, default=Reason.OTHER)
    statement = models.TextField(_("异议理由"), blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                 verbose_name=_("提出人"))
    report_number = models.CharField(_("所涉报告编号"), max_length=40, blank=True)

    # Where it stands: the deadline of the current step and the hard cap of the whole objection.
    due_on = models.DateField(_("本环节期限"), null=True, blank=True)
    hard_due_on = models.DateField(_("办结期限"), null=True, blank=True)
    overdue_notified = models.CharField(max_length=10, blank=True, editable=False,
                                        help_text="the status whose lateness was last notified")

    # The department's answer and the office's word.
    decision = models.CharField(_("答复结论"), max_length=10, choices=Decision.choices, blank=True)
    answer = models.TextField(_("答复意见"), blank=True)
    corrected = models.JSONField(_("更正内容"), default=dict, blank=True,
                                 help_text=_("字段 → [原值, 更正后的值]"))
    office_note = models.TextField(_("信用办意见"), blank=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("异议")
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["subject_key", "kind", "record_id"], name="objection_record_idx"),
            models.Index(fields=["status", "due_on"], name="objection_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number}：{self.get_status_display()}"

    @property
    def number(self) -> str:
        return f"YY{timezone.localtime(self.opened_at):%Y%m%d}-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and any(d is not None and d < today for d in (self.due_on, self.hard_due_on))

    @property
    def department_name(self) -> str:
        return self.department.name if self.department else str(_("数据来源部门"))

    @property
    def whose_turn(self) -> str:
        office = str(_("信用办"))
        turns: dict[str, str] = {self.Status.SUBMITTED: office, self.Status.ACCEPTED: office,
                                 self.Status.ANSWERED: office, self.Status.FORWARDED: self.department_name}
        return turns.get(self.status, "")


class ObjectionEvent(models.Model):
    """One step of an objection, shown as its history to everyone who may see it."""

    LABELS = {"file": _("提出异议"), "accept": _("受理"), "reject": _("不予受理"), "forward": _("转办"),
              "answer": _("部门答复"), "close": _("审核办结"), "withdraw": _("撤回")}

    objection = models.ForeignKey(Objection, models.CASCADE, related_name="events")
    subject_key = models.CharField(max_length=40, editable=False)  # the objection's, for distribution by subject
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                              verbose_name=_("办理人"))
    actor_role = models.CharField(_("办理方"), max_length=100, blank=True)
    action = models.CharField(_("环节"), max_length=20)
    status = models.CharField(_("办理后状态"), max_length=10, choices=Objection.Status.choices)
    note = models.TextField(_("意见"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = _("异议办理记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_role} {self.action_label}"

    @property
    def action_label(self) -> str:
        return str(self.LABELS.get(self.action, self.action))


class Evidence(models.Model):
    """A file the entity attached: kept under DATA_DIR/evidence (never served as static), named by a random id."""

    objection = models.ForeignKey(Objection, models.CASCADE, related_name="evidence")
    subject_key = models.CharField(max_length=40, editable=False)  # the objection's, for distribution by subject
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    stored_as = models.CharField(max_length=64, unique=True, editable=False)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = _("证明材料")

    def __str__(self) -> str:
        return self.name


class SeverityExplanation(models.Model):
    """情节严重程度说明: the deciding authority says how serious a violation was."""

    class Category(models.TextChoices):
        NOT_MAJOR = "不属于重大违法违规行为", _("不属于重大违法违规行为")
        MINOR = "情节轻微", _("情节轻微")
        ORDINARY = "一般", _("一般")
        SERIOUS = "较重", _("较重")
        GRAVE = "严重", _("严重")

    kind = models.CharField(_("数据类别"), max_length=10, choices=RecordKind.choices)
    record_id = models.BigIntegerField(_("记录"))
    subject_key = models.CharField(_("主体键"), max_length=40)
    category = models.CharField(_("认定"), max_length=50, help_text=_("如：不属于重大违法违规行为、情节轻微"))
    text = models.TextField(_("说明"))
    signer = models.CharField(_("出具单位"), max_length=200)
    signed_on = models.DateField(_("出具日期"))
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("出具部门"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("录入人"))

    class Meta:
        verbose_name = verbose_name_plural = _("情节严重程度说明")
        indexes = [models.Index(fields=["subject_key", "kind", "record_id"], name="explanation_record_idx")]

    def __str__(self) -> str:
        return f"{self.category}（{self.signer}，{self.signed_on}）"

    def to_dict(self) -> dict:
        return {"category": self.category, "text": self.text, "signer": self.signer, "date": self.signed_on.isoformat()}


class ExplanationRequest(models.Model):
    """The entity asks the deciding department to explain how serious a penalty was."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待部门出具")
        ANSWERED = "answered", _("已出具")

    kind = models.CharField(_("数据类别"), max_length=10, choices=RecordKind.choices)
    record_id = models.BigIntegerField(_("记录"))
    subject_key = models.CharField(_("主体键"), max_length=40)
    department = models.ForeignKey(Department, models.PROTECT, related_name="explanation_requests",
                                   verbose_name=_("决定部门"))
    record_number = models.CharField(_("文书号"), max_length=200, blank=True)
    reason = models.TextField(_("申请理由"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                     verbose_name=_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    due_on = models.DateField(_("出具期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    explanation = models.OneToOneField(SeverityExplanation, models.SET_NULL, null=True, blank=True,
                                       related_name="request", verbose_name=_("说明"))
    overdue_notified = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = verbose_name_plural = _("情节说明申请")
        indexes = [models.Index(fields=["subject_key", "kind", "record_id"], name="explanation_request_idx")]

    def __str__(self) -> str:
        return f"{self.record_number}：{self.get_status_display()}"

    @property
    def number(self) -> str:
        return f"SM{timezone.localtime(self.requested_at):%Y%m%d}-{self.pk:06d}"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.REQUESTED and self.due_on is not None and self.due_on < today
