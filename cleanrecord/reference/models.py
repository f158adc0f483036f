"""Reference data: the region, the 38 domains and the departments that send data.

All of it is loaded from a folder named by settings (cleanrecord.conf.reference_dir), so another
city deploys the same code with its own region, domains and departments.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """The platform's region (a city) and its districts and counties."""

    code = models.CharField(_("行政区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("上级区划"))
    order = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @classmethod
    def root(cls) -> "Region":
        """The platform's own region: the one without a parent."""
        return cls.objects.get(parent=None)


class RegionPrefix(models.Model):
    """One administrative code prefix of the platform's region (region_prefixes.csv in the reference folder).

    A code belongs to the region when it starts with one of them: "62" for a whole province, "6201" for a
    city, "620102" for a county, several where codes changed (a merged county keeps its old codes).
    """

    prefix = models.CharField(_("行政区划代码前缀"), max_length=6, primary_key=True)
    name = models.CharField(_("说明"), max_length=50, blank=True)

    class Meta:
        ordering = ["prefix"]
        verbose_name = verbose_name_plural = _("本区域代码前缀")

    def __str__(self) -> str:
        return self.prefix


class DomainQuerySet(models.QuerySet["Domain"]):
    def by_code_or_name(self) -> dict[str, "Domain"]:
        """Map every domain's code and Chinese name to the domain, for reading files."""
        out: dict[str, Domain] = {}
        for d in self:
            out[d.code] = out[d.name] = d
        return out


class Domain(models.Model):
    """One of the domains (领域) a report covers; codes are stable and used in data, API and URLs."""

    code = models.SlugField(_("代码"), max_length=40, primary_key=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveIntegerField(_("顺序"), unique=True)

    objects = DomainQuerySet.as_manager()

    class Meta:
        ordering = ["order"]
        verbose_name = verbose_name_plural = _("领域")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A data-submitting unit: a city or district department, a central vertical unit or a court."""

    code = models.SlugField(_("部门代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("所属区划"))
    default_domain = models.ForeignKey(Domain, models.PROTECT, verbose_name=_("默认领域"))
    is_central_vertical = models.BooleanField(_("中央垂直管理单位"), default=False)
    is_court = models.BooleanField(_("司法机关（法院）"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    # Set by the credit office only: a feed (a provincial platform, a court) whose rows name other authorities.
    may_send_for_others = models.BooleanField(
        _("可代其他机关报送"), default=False,
        help_text=_("是：本部门报送的数据中，处罚、许可或认定机关可以是其他机关；否：只能报送本部门作出的决定。"),
    )

    class Meta:
        ordering = ["default_domain__order", "region__order", "name"]
        verbose_name = verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def lookup(cls, value: str) -> "Department | None":
        """Find a department by its short code or its credit code."""
        value = value.strip()
        return cls.objects.filter(models.Q(code=value) | models.Q(credit_code=value.upper())).first()
