"""An append-only, hash-chained audit trail: each entry's keyed hash covers all its columns and the
previous entry's hash (chain.py).

Append-only is enforced at four levels: the admin shows entries read-only, the ORM refuses to
update or delete them (below), on PostgreSQL a trigger refuses UPDATE and DELETE of the table
(migration 0002), and the application's database role may only insert and read it
(docs/deploy.md). Whatever gets past them, `manage.py verify_audit` finds: a changed or re-hashed
entry by the key the database does not hold, removed newest entries or a truncated table by the
signed checkpoints kept outside the database (checkpoints.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import chain


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
    # The user's id as written, which the hash covers: `user` goes to NULL when the user is deleted.
    user_ref = models.BigIntegerField(_("操作人编号"), null=True, blank=True, editable=False)
    prev_hash = models.CharField(_("前一条摘要"), max_length=64)
    hash = models.CharField(_("摘要"), max_length=64, unique=True)
    hash_version = models.PositiveSmallIntegerField(_("摘要版本"), default=chain.LEGACY, editable=False)

    # The default manager refuses bulk changes. Deleting a user still works: Django unlinks their
    # entries (SET NULL) through the plain base manager; verify_audit accepts a NULL `user` only
    # when the user `user_ref` names is gone.
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
        if self.hash_version == chain.LEGACY:
            return chain.legacy_hash(self)
        return chain.keyed_hash(self, self.hash_version)
