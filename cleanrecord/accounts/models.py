"""Who may act for which department. Roles and entity bindings grow here (accounts issue)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleanrecord.reference.models import Department


class DepartmentClerk(models.Model):
    """A user who submits and corrects data for one department, and only that one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="clerk", verbose_name=_("用户"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="clerks", verbose_name=_("部门"))

    class Meta:
        verbose_name = verbose_name_plural = _("部门报送员")

    def __str__(self) -> str:
        return f"{self.user} @ {self.department}"


def is_office(user) -> bool:
    """Credit office staff: may act for any department."""
    return user.is_authenticated and user.is_active and (user.is_superuser or user.has_perm("records.add_importbatch"))


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

    def status_label(self, now: dt.datetime | None = None) -> str:
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
