"""The register of business entities (经营主体), keyed by their unified social credit code."""

from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from cleanrecord.lib import fieldcrypt
from cleanrecord.lib.identifiers import division_of, mask_id_number


class EntityKind(models.TextChoices):
    COMPANY = "company", _("公司")
    BRANCH = "branch", _("分支机构")
    NON_COMPANY = "non_company", _("非公司企业法人")
    SOLE = "sole", _("个人独资企业")
    PARTNERSHIP = "partnership", _("合伙企业")
    COOPERATIVE = "cooperative", _("农民专业合作社")
    INDIVIDUAL = "individual", _("个体工商户")
    FOREIGN_BRANCH = "foreign_branch", _("外国公司分支机构")
    OTHER = "other", _("其他组织")


class EntityStatus(models.TextChoices):
    ACTIVE = "active", _("存续（在业）")
    REVOKED = "revoked", _("吊销")
    CANCELLED = "cancelled", _("注销")
    MOVED = "moved", _("迁出")


def guess_kind(code: str, name: str, declared: str = "") -> str:
    """Work out an entity's kind from a declared type, its name and its credit code.

    Register files say it in words (有限责任公司（自然人独资）, 个体工商户 …); penalty files often
    don't, so positions 1–2 of the code (92 = 个体工商户, 93 = cooperative) and the name decide.
    """
    text = declared + " " + name
    if "外国" in declared or ("外国" in name and "分" in name):
        return EntityKind.FOREIGN_BRANCH
    if "个体" in declared or code.startswith("92"):
        return EntityKind.INDIVIDUAL
    if "合作社" in text or "联合社" in text or code.startswith("93"):
        return EntityKind.COOPERATIVE
    if "个人独资" in text:
        return EntityKind.SOLE
    if "合伙" in text:
        return EntityKind.PARTNERSHIP
    if "分公司" in text or "分支" in declared or "分厂" in name or "分店" in name:
        return EntityKind.BRANCH
    if "非公司" in declared:
        return EntityKind.NON_COMPANY
    if "公司" in text or code.startswith("91"):
        return EntityKind.COMPANY
    return EntityKind.OTHER


class EntityQuerySet(models.QuerySet["Entity"]):
    def by_secondary_code(self, *, org_code: str = "", reg_no: str = "") -> "models.QuerySet[Entity, str]":
        """Credit codes of the entities with this 组织机构代码 (which a credit code embeds, positions 9-17, served
        by entity_org_code_idx) or 工商注册号: at most two, enough to tell one from several."""
        qs: models.QuerySet[Entity]
        if org_code:
            qs = self.annotate(org=Substr("credit_code", 9, 9)).filter(org=org_code)
        else:
            qs = self.filter(reg_no=reg_no)
        return qs.order_by().values_list("credit_code", flat=True)[:2]

    def credit_code_for(self, *, org_code: str = "", reg_no: str = "") -> str | None:
        """The credit code of the one registered entity with this 组织机构代码 or 工商注册号; None when there is
        none, or more than one."""
        if not org_code and not reg_no:
            return None
        found = list(self.by_secondary_code(org_code=org_code, reg_no=reg_no))
        return found[0] if len(found) == 1 else None

    def search(self, q: str) -> "EntityQuerySet":
        """Entities whose credit code is `q` (any case) or whose name contains it."""
        q = q.strip()
        if not q:
            return self.none()
        return self.filter(models.Q(credit_code=q.upper()) | models.Q(name__contains=q))


class Entity(models.Model):
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, primary_key=True)
    # No index on name: search is by substring, which a B-tree cannot serve anyway.
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("主体类型"), max_length=20, choices=EntityKind.choices, default=EntityKind.OTHER)
    region_code = models.CharField(_("登记地行政区划"), max_length=6)
    legal_rep = models.CharField(_("法定代表人（负责人）"), max_length=100, blank=True)
    # From the register file: what older records name the entity by. db_default: entities made by an import's
    # INSERT … SELECT do not name it.
    reg_no = models.CharField(_("工商注册号"), max_length=15, blank=True, default="", db_default="", db_index=True)
    legal_rep_id_encrypted = models.TextField(_("法定代表人证件号码（加密）"), blank=True)
    legal_rep_id_masked = models.CharField(_("法定代表人证件号码"), max_length=40, blank=True)
    status = models.CharField(_("登记状态"), max_length=20, choices=EntityStatus.choices, default=EntityStatus.ACTIVE)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    checksum_warning = models.BooleanField(
        _("代码校验位不符"), default=False, help_text=_("早期试点代码：校验位不符但其余部分有效，保留并提示。")
    )
    from_register = models.BooleanField(
        _("来自登记库"), default=False, help_text=_("否：仅由信用记录导入自动建立，尚未与登记库核对。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        ordering = ["credit_code"]
        # Records that name an entity only by its 组织机构代码 find its credit code through this index.
        indexes = [models.Index(Substr("credit_code", 9, 9), name="entity_org_code_idx")]
        verbose_name = verbose_name_plural = _("经营主体")

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）"

    def set_legal_rep_id(self, number: str) -> None:
        """Keep the legal representative's ID number encrypted, and its masked form for display."""
        self.legal_rep_id_encrypted = fieldcrypt.encrypt(number)
        self.legal_rep_id_masked = mask_id_number(number) if number else ""

    @property
    def division(self) -> str:
        return division_of(self.credit_code)
