"""An append-only, hash-chained audit trail: each entry's hash covers the previous entry's hash."""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    at = models.DateTimeField(_("时间"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, db_index=False,
                             verbose_name=_("操作人"))
    actor = models.CharField(_("操作人标识"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    target = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    prev_hash = models.CharField(_("前一条摘要"), max_length=64)
    hash = models.CharField(_("摘要"), max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = _("审计日志")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.target}"

    def compute_hash(self) -> str:
        body = json.dumps(
            [self.prev_hash, self.at.isoformat(), self.actor, self.action, self.target, self.before, self.after],
            ensure_ascii=False, sort_keys=True, default=str,
        )
        return hashlib.sha256(body.encode()).hexdigest()
