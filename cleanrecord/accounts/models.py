"""Who may act for which department. Roles and entity bindings grow here (accounts issue)."""

from django.conf import settings
from django.db import models
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
