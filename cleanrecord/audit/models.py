"""An append-only, hash-chained audit trail: each entry's hash covers the previous entry's hash.

Append-only is enforced at three levels: the admin shows entries read-only, the ORM refuses to
update or delete them (below), and on PostgreSQL a trigger refuses UPDATE and DELETE of the table
(migration 0002). Whatever gets past all three, `manage.py verify_audit` finds.
"""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit entry through the application."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries are append-only: they cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit entries are append-only: they cannot be deleted.")


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

    # The default manager refuses bulk changes. Deleting a user still works: Django unlinks their
    # entries (SET NULL) through the plain base manager, and the hash does not cover `user`.
    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = _("审计日志")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.target}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"Audit entry {self.pk} is append-only: it cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"Audit entry {self.pk} is append-only: it cannot be deleted.")

    def compute_hash(self) -> str:
        body = json.dumps(
            [self.prev_hash, self.at.isoformat(), self.actor, self.action, self.target, self.before, self.after],
            ensure_ascii=False, sort_keys=True, default=str,
        )
        return hashlib.sha256(body.encode()).hexdigest()
