"""Who may act for which department. Roles and entity bindings grow here (accounts issue)."""

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleanrecord.lib.roles import OFFICE_PERMISSION, is_office  # noqa: F401  (the office's role, read from here too)
from cleanrecord.reference.models import Department

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DepartmentClerk(models.Model):
    """A user who submits and corrects data for one department, and only that one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="clerk", verbose_name=_("用户"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="clerks", verbose_name=_("部门"))

    class Meta:
        verbose_name = verbose_name_plural = _("部门报送员")

    def __str__(self) -> str:
        return f"{self.user} @ {self.department}"




def departments_for(user) -> list[Department]:
    """The departments `user` may import for: all for the office, their own for a clerk, none otherwise."""
    if not user.is_authenticated or not user.is_active:
        return []
    if is_office(user):
        return list(Department.objects.filter(is_active=True))
    clerk = getattr(user, "clerk", None)
    return [clerk.department] if clerk is not None and clerk.department.is_active else []


class ApiToken(models.Model):
    """A credential for another system. It acts for its owner, within its scopes, until it expires or is revoked.

    Only a hash of the secret is kept: the full token ("cr_<prefix>_<secret>") is shown once, when it is made.
    Services that create and check tokens live in cleanrecord.accounts.tokens.
    """

    name = models.CharField(_("名称"), max_length=100, help_text=_("调用方系统的名称，例如“市市场监管局数据对接”"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens",
                              verbose_name=_("代表用户"), help_text=_("令牌以该用户的身份和权限访问接口"))
    scopes = models.JSONField(_("权限范围"), default=list)
    prefix = models.CharField(_("前缀"), max_length=8, unique=True, editable=False)
    secret_hash = models.CharField(_("密钥摘要"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（cr_{self.prefix}_…）"

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        """Not revoked, not expired, and its owner may still log in."""
        now = now or timezone.now()
        return self.revoked_at is None and now < self.expires_at and self.owner.is_active

    def status_label(self, now: dt.datetime | None = None) -> "StrOrPromise":
        now = now or timezone.now()
        if self.revoked_at is not None:
            return _("已撤销")
        if now >= self.expires_at:
            return _("已过期")
        return _("有效")

    def mark_used(self, now: dt.datetime | None = None) -> None:
        """Record use, at most once a minute: a busy feed must not cost a write per request."""
        now = now or timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= dt.timedelta(minutes=1):
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now


class EntityUser(models.Model):
    """A person who acts for an entity (its legal representative or an authorised agent).

    Bindings are made by the credit office after checking identity; an entity user sees and applies
    for the entity's reports and nothing of other entities.
    """

    class Role(models.TextChoices):
        LEGAL_REP = "legal_rep", _("法定代表人（负责人）")
        AGENT = "agent", _("授权代理人")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="entity_bindings",
                             verbose_name=_("用户"))
    entity = models.ForeignKey("entities.Entity", models.CASCADE, related_name="users", verbose_name=_("经营主体"))
    role = models.CharField(_("身份"), max_length=10, choices=Role.choices, default=Role.AGENT)
    created_at = models.DateTimeField(_("绑定时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("经营主体用户")
        constraints = [models.UniqueConstraint(fields=["user", "entity"], name="entity_user_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.entity}"


class Organisation(models.Model):
    """A bank, an agency or another body that accepts the report: entities grant it their reports, and its member
    accounts read them. Made and deactivated by the office (accounts.office)."""

    class Kind(models.TextChoices):
        BANK = "bank", _("银行等金融机构")
        AGENCY = "agency", _("行政机关（审批部门）")
        TENDER = "tender", _("招标采购单位")
        OTHER = "other", _("其他单位")

    name = models.CharField(_("机构名称"), max_length=200, unique=True)
    kind = models.CharField(_("机构类型"), max_length=10, choices=Kind.choices, default=Kind.BANK)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    active = models.BooleanField(_("启用"), default=True,
                                 help_text=_("停用后，其成员不能再查阅任何经营主体授权的报告，经营主体也不能再向其授权"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = verbose_name_plural = _("查阅机构")

    def __str__(self) -> str:
        return self.name


class OrganisationMember(models.Model):
    """An account that acts for an organisation: it reads what entities granted the organisation, and what it
    verifies while signed in is attributed to the organisation. An account acts for one organisation at most."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="membership",
                                verbose_name=_("用户"))
    organisation = models.ForeignKey(Organisation, models.PROTECT, related_name="members", verbose_name=_("机构"))
    added_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("机构成员")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


def organisation_of(user) -> Organisation | None:
    """The active organisation `user` acts for, or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    member = OrganisationMember.objects.filter(user=user, organisation__active=True).select_related("organisation").first()
    return member.organisation if member is not None else None


class ReportGrantQuerySet(models.QuerySet):
    def active(self) -> "ReportGrantQuerySet":
        today = timezone.localdate()
        return self.filter(revoked_at__isnull=True, valid_from__lte=today, valid_until__gte=today,
                           organisation__active=True)

    def readable_by(self, user) -> "ReportGrantQuerySet":
        """Grants in force to the active organisation `user` is a member of."""
        return self.active().filter(organisation__members__user=user)


class ReportGrant(models.Model):
    """An entity lets an organisation (a bank, an agency) read its reports for a period, and may take that back:
    every member account of the organisation reads them while the grant is in force."""

    entity = models.ForeignKey("entities.Entity", models.CASCADE, related_name="grants", verbose_name=_("经营主体"))
    organisation = models.ForeignKey(Organisation, models.PROTECT, related_name="grants", verbose_name=_("被授权机构"))
    valid_from = models.DateField(_("起始日期"))
    valid_until = models.DateField(_("截止日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("授权人"))
    created_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ReportGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = _("报告查阅授权")

    def __str__(self) -> str:
        return f"{self.entity} → {self.organisation}（{self.valid_from}～{self.valid_until}）"


def entities_for(user) -> list:
    """Entities `user` acts for."""
    if not user.is_authenticated or not user.is_active:
        return []
    return [b.entity for b in EntityUser.objects.filter(user=user).select_related("entity")]


def acts_for(user, credit_code: str) -> bool:
    return (user.is_authenticated and user.is_active
            and EntityUser.objects.filter(user=user, entity_id=credit_code).exists())


def may_read_reports(user, credit_code: str) -> bool:
    """The office, the entity's own users, and members of an organisation the entity granted its reports to, while
    the grant is in force, read an entity's reports. Asked on every request: a revoked grant closes them at once."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (is_office(user) or acts_for(user, credit_code)
            or ReportGrant.objects.readable_by(user).filter(entity_id=credit_code).exists())


class Notification(models.Model):
    """An in-app message: whose turn it is, or the outcome of something the user started.

    Created with accounts.notify.notify(), which also sends it by e-mail when the user has an address.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications",
                             verbose_name=_("收件人"))
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed = models.BooleanField(_("已发邮件"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = _("站内消息")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.user}：{self.subject}"
