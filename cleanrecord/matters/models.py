"""The catalogue of matters (应替尽替清单): per department, the matters for which the special credit report
replaces the certificates of no violation, with the legal basis and the domains the report must cover.

The office keeps it (cleanrecord.matters.services); a public page and the API list it; the report form
starts from a matter (its domains ticked).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleanrecord.reference.models import Department, Domain


class MatterQuerySet(models.QuerySet["Matter"]):
    def active(self) -> "MatterQuerySet":
        return self.filter(is_active=True)

    def search(self, q: str) -> "MatterQuerySet":
        q = q.strip()
        if not q:
            return self
        return self.filter(models.Q(name__icontains=q) | models.Q(legal_basis__icontains=q)
                           | models.Q(department__name__icontains=q))


class Matter(models.Model):
    department = models.ForeignKey(Department, models.PROTECT, related_name="matters", verbose_name=_("受理部门"))
    name = models.CharField(_("事项名称"), max_length=200)
    legal_basis = models.TextField(_("依据"), max_length=2000)
    all_domains = models.BooleanField(_("需要全部领域（完整版）"), default=False)
    domains = models.ManyToManyField(Domain, blank=True, related_name="matters", verbose_name=_("所需领域"))
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MatterQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("办理事项")
        ordering = ["department__name", "name"]
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="matter_unique_name")]

    def __str__(self) -> str:
        return f"{self.department.name}：{self.name}"

    def domain_codes(self) -> list[str]:
        """The codes the report form ticks: [] when the matter needs every domain (全部领域)."""
        return [] if self.all_domains else [d.code for d in self.domains.all()]

    def domains_label(self) -> str:
        if self.all_domains:
            return str(_("全部领域"))
        return "、".join(d.name for d in self.domains.all())
