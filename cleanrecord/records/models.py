"""Credit records that departments send: penalties, licences, dishonesty listings, administrative
compulsion (行政强制) and criminal judgments against entities (刑事).

Each concrete model keeps every column of its national layout (domain brief §5), the domain and
source department, and a lifecycle. Every change is kept in RecordVersion, so a report issued last
month stays explainable after the record changes.

Every table here carries `subject_key` — the subject's credit code, or for a natural person a
keyed hash of the ID number — and each natural key includes it, so a distributed PostgreSQL (Citus)
can shard all of them by that column alongside the entity register.
"""

import functools
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cleanrecord.reference.models import Department, Domain


class RecordKind(models.TextChoices):
    PENALTY = "penalty", _("行政处罚")
    LICENCE = "licence", _("行政许可")
    LISTING = "listing", _("严重失信主体名单")
    COMPULSION = "compulsion", _("行政强制")
    JUDGMENT = "judgment", _("刑事判决")


# What an import carries: a record kind, or the entity register (which is no record).
IMPORT_KIND_CHOICES = [*RecordKind.choices, ("register", _("经营主体登记信息"))]
# The one set of kind names: pages, refusals, files and the report all read them here.
KIND_LABELS = dict(IMPORT_KIND_CHOICES)
# The name a sentence uses where the full one reads heavily (…存在行政处罚、行政强制、严重失信记录).
_SHORT_KIND_TEXT = {RecordKind.LISTING.value: "严重失信"}


@functools.cache  # the same whatever the language: the source text
def kind_text(kind: str, *, short: bool = False) -> str:
    """A kind's name as plain text in the source language, whatever language is active: for text frozen at
    issue (the signed report's snapshot keeps it as data). `short`: the name a sentence uses."""
    if short and kind in _SHORT_KIND_TEXT:
        return _SHORT_KIND_TEXT[kind]
    with translation.override(None):
        return str(KIND_LABELS[kind])


class SubjectCategory(models.TextChoices):
    ORGANISATION = "org", _("法人及非法人组织")
    PERSON = "person", _("自然人")
    INDIVIDUAL_BUSINESS = "individual", _("个体工商户")


class RecordStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    REVOKED = "revoked", _("已撤销")  # 撤销 / 撤回 / 确认无效
    REMOVED = "removed", _("已移出")  # listings only: 移出日期 reached


class Procedure(models.TextChoices):
    UNKNOWN = "", _("未注明")
    ORDINARY = "ordinary", _("普通程序")
    SIMPLE = "simple", _("简易程序")


class CompulsionType(models.TextChoices):
    """行政强制法 Art. 9 (measures) and Art. 12 (enforcement)."""

    MEASURE = "measure", _("行政强制措施")
    ENFORCEMENT = "enforcement", _("行政强制执行")


# 强制类别 as the law names them, by type; "其他" is allowed for both.
COMPULSION_CATEGORIES: dict[str, tuple[str, ...]] = {
    CompulsionType.MEASURE: ("查封场所设施或者财物", "扣押财物", "冻结存款汇款", "其他"),
    CompulsionType.ENFORCEMENT: ("加处罚款或者滞纳金", "划拨存款汇款", "拍卖或者依法处理查封扣押的场所设施或者财物",
                                 "排除妨碍恢复原状", "代履行", "其他"),
}


class Verdict(models.TextChoices):
    GUILTY = "guilty", _("有罪")
    EXEMPTED = "exempted", _("定罪免予刑事处罚")  # still a conviction
    ACQUITTED = "acquitted", _("无罪")  # never counts


class ImportBatch(models.Model):
    """One file imported, with its counts and error file, kept for later review."""

    class Status(models.TextChoices):
        # Uploaded on the web page or through the API, waiting for the worker (manage.py worker).
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("处理中")
        DONE = "done", _("已完成")
        DRY_RUN = "dry_run", _("试运行（未写入）")
        FAILED = "failed", _("失败（未写入任何数据）")
        # Its process died mid-import (sweep_imports found it): nothing was applied either.
        INTERRUPTED = "interrupted", _("已中断")

    class Channel(models.TextChoices):
        CLI = "cli", _("命令行")
        WEB = "web", _("网页上传")
        API = "api", _("接口")

    kind = models.CharField(_("数据类别"), max_length=20)
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, verbose_name=_("报送部门"))
    file_name = models.CharField(_("文件名"), max_length=255)
    file_sha256 = models.CharField(_("文件 SHA-256"), max_length=64, blank=True)
    file_size = models.BigIntegerField(_("文件大小（字节）"), default=0)
    file_format = models.CharField(_("格式"), max_length=10, blank=True)
    encoding = models.CharField(_("编码"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.RUNNING)
    channel = models.CharField(_("渠道"), max_length=5, choices=Channel.choices, default=Channel.CLI)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("操作人"))
    rows_read = models.PositiveIntegerField(_("读取行数"), default=0)
    # Counted before reading (a CSV's lines, a sheet's declared rows): the progress bar's end; None: unknown.
    rows_total = models.PositiveIntegerField(_("预计行数"), null=True, blank=True)
    rows_created = models.PositiveIntegerField(_("新增"), default=0)
    rows_updated = models.PositiveIntegerField(_("更新"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("未变化"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("文件内重复"), default=0)
    rows_rejected = models.PositiveIntegerField(_("拒收"), default=0)
    rows_warned = models.PositiveIntegerField(_("有提示"), default=0)
    error_file = models.CharField(_("错误文件"), max_length=500, blank=True)
    message = models.TextField(_("说明"), blank=True)
    # The profile as it was when used (it may be edited later), and every value it put in.
    profile_name = models.CharField(_("导入方案"), max_length=100, blank=True)
    profile_note = models.TextField(_("由方案填入"), blank=True)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = verbose_name_plural = _("导入批次")

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    @property
    def rows_accepted(self) -> int:
        """Rows the import took (new, updated or already so): what "导入 N 行" counts."""
        return self.rows_created + self.rows_updated + self.rows_unchanged

    @property
    def outcome(self) -> tuple[str, str]:
        """The status as the import pages show it, with its CSS class: a finished import that rejected rows
        says 部分拒收 (or 全部拒收), never the 已完成 of a clean file."""
        if self.status == self.Status.DONE and self.rows_rejected:
            if self.rows_accepted:
                return "status-partial", str(_("部分拒收"))
            return "status-bad", str(_("全部拒收"))
        css = {self.Status.DONE: "status-ok", self.Status.FAILED: "status-bad", self.Status.INTERRUPTED: "status-bad"}
        return css.get(self.Status(self.status), "status-neutral"), str(self.get_status_display())

    @property
    def counts_text(self) -> str:
        """The counts in words, e.g. "导入 12 行，拒收 88 行": a colour is never the only sign."""
        counts = {"accepted": self.rows_accepted, "rejected": self.rows_rejected}
        if self.status == self.Status.DRY_RUN:  # nothing was written: what would have been
            return str(_("试运行：可导入 %(accepted)s 行，拒收 %(rejected)s 行")) % counts
        return str(_("导入 %(accepted)s 行，拒收 %(rejected)s 行")) % counts

    @property
    def has_counts(self) -> bool:
        """Whether the counts are final: the import finished (or its dry run did)."""
        return self.status in (self.Status.DONE, self.Status.DRY_RUN)


class ImportProfile(models.Model):
    """A department's saved recipe for files that do not fit the national layout (importing/profiles.py)."""

    department = models.ForeignKey(Department, models.CASCADE, verbose_name=_("报送部门"), related_name="import_profiles")
    kind = models.CharField(_("数据类别"), max_length=20, choices=IMPORT_KIND_CHOICES)
    name = models.CharField(_("方案名称"), max_length=100)
    spec = models.JSONField(_("方案内容"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   verbose_name=_("修改人"), related_name="+")

    class Meta:
        ordering = ["department", "name"]
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="import_profile_unique_name")]
        verbose_name = verbose_name_plural = _("导入方案")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Whatever saves it (admin, page, shell), a spec that cannot be applied is never stored.
        self.parsed_spec()
        super().save(*args, **kwargs)

    def parsed_spec(self):
        # Not at the top: importing.profiles imports importing/rows.py, which imports this module.
        from .importing.profiles import parse_spec

        return parse_spec(self.kind, self.spec)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        # Not at the top: as in parsed_spec.
        from .importing.profiles import ProfileError

        try:
            self.parsed_spec()
        except ProfileError as e:
            raise ValidationError({"spec": str(e)}) from e


class RecordQuerySet(models.QuerySet):
    def for_subject(self, subject_key: str) -> "RecordQuerySet":
        """Records of one subject (credit code, or a person's keyed hash): served by the natural-key index."""
        return self.filter(subject_key=subject_key)

    def public(self) -> "RecordQuerySet":
        """Records that may be shown publicly: not confidential, not revoked."""
        return self.filter(confidential=False).exclude(status=RecordStatus.REVOKED)


class CreditRecord(models.Model):
    """Columns shared by every record kind: the subject, where it came from, its lifecycle."""

    KIND: RecordKind

    # Indexes are few on purpose: every one costs time on a million-row import.
    subject_key = models.CharField(_("主体键"), max_length=40, editable=False)
    subject_name = models.CharField(_("行政相对人名称"), max_length=200)
    subject_category = models.CharField(_("行政相对人类别"), max_length=12, choices=SubjectCategory.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    reg_no = models.CharField(_("工商注册号"), max_length=50, blank=True)
    org_code = models.CharField(_("组织机构代码"), max_length=50, blank=True)
    tax_no = models.CharField(_("税务登记号"), max_length=50, blank=True)
    institution_no = models.CharField(_("事业单位证书号"), max_length=50, blank=True)
    social_org_no = models.CharField(_("社会组织登记证号"), max_length=50, blank=True)
    legal_rep = models.CharField(_("法定代表人"), max_length=100, blank=True)
    legal_rep_id_type = models.CharField(_("法定代表人证件类型"), max_length=30, blank=True)
    legal_rep_id_encrypted = models.TextField(_("法定代表人证件号码（加密）"), blank=True)
    legal_rep_id_masked = models.CharField(_("法定代表人证件号码"), max_length=40, blank=True)
    subject_id_type = models.CharField(_("证件类型"), max_length=30, blank=True)
    subject_id_encrypted = models.TextField(_("证件号码（加密）"), blank=True)
    subject_id_masked = models.CharField(_("证件号码"), max_length=40, blank=True)

    # Domains and departments are checked against the reference tables by the import before a row is
    # staged, and reference rows are never deleted (PROTECT; departments are deactivated instead). A
    # database constraint would add two trigger checks per row at commit: seconds per million rows.
    domain = models.ForeignKey(Domain, models.PROTECT, db_index=False, db_constraint=False, verbose_name=_("领域"))
    department = models.ForeignKey(Department, models.PROTECT, db_constraint=False, verbose_name=_("报送部门"))
    source_name = models.CharField(_("数据来源单位"), max_length=200)
    source_code = models.CharField(_("数据来源单位统一社会信用代码"), max_length=18)
    authority_name = models.CharField(_("决定机关"), max_length=200)
    authority_code = models.CharField(_("决定机关统一社会信用代码"), max_length=18)
    region_code = models.CharField(_("地方编码"), max_length=6, blank=True)

    status = models.CharField(_("状态"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.ACTIVE)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销原因"), max_length=500, blank=True)
    repaired_on = models.DateField(_("信用修复日期"), null=True, blank=True)
    repair_decision = models.CharField(_("信用修复决定"), max_length=200, blank=True)
    confidential = models.BooleanField(_("涉密或依法不予公开"), default=False)
    remarks = models.TextField(_("备注"), blank=True)
    extra = models.JSONField(_("其他字段"), default=dict, blank=True)

    version = models.PositiveIntegerField(_("版本"), default=1)
    content_hash = models.CharField(_("内容摘要"), max_length=32, editable=False)
    # Provenance only, and batches are never deleted: no database constraint, whose per-row check
    # at commit would cost a million-row import several seconds.
    batch = models.ForeignKey(ImportBatch, models.SET_NULL, null=True, blank=True, related_name="+", db_index=False,
                              db_constraint=False, verbose_name=_("最近导入批次"))
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.subject_name} {self.natural_number}"

    def to_dict(self) -> dict:
        """Every column as JSON-ready values; ID numbers only masked, never decrypted."""
        out = {"id": self.pk, "kind": self.KIND.value}
        for f in self._meta.concrete_fields:
            if f.attname in ("id", "batch_id") or f.attname.endswith("_encrypted"):
                continue
            value = getattr(self, f.attname)
            out[f.attname.removesuffix("_id") if f.is_relation else f.attname] = (
                value.isoformat() if hasattr(value, "isoformat") else str(value) if isinstance(value, Decimal) else value
            )
        return out

    @property
    def natural_number(self) -> str:
        raise NotImplementedError


# Each natural key starts with subject_key, so its unique index also serves "all records of one
# entity", the query every report makes; no further index is needed for it.


class Penalty(CreditRecord):
    KIND = RecordKind.PENALTY

    decision_no = models.CharField(_("行政处罚决定书文号"), max_length=200)
    violation_type = models.CharField(_("违法行为类型"), max_length=500)
    facts = models.TextField(_("违法事实"))
    basis = models.TextField(_("处罚依据"))
    categories = models.CharField(_("处罚类别"), max_length=200)
    content = models.TextField(_("处罚内容"))
    fine_wan = models.DecimalField(_("罚款金额（万元）"), max_digits=18, decimal_places=6, null=True, blank=True)
    confiscated_wan = models.DecimalField(_("没收违法所得、没收非法财物的金额（万元）"), max_digits=18,
                                          decimal_places=6, null=True, blank=True)
    licence_affected = models.CharField(_("暂扣或吊销证照名称及编号"), max_length=500, blank=True)
    decided_on = models.DateField(_("处罚决定日期"))
    valid_until = models.DateField(_("处罚有效期"), null=True, blank=True)
    publish_until = models.DateField(_("公示截止期"), null=True, blank=True)
    procedure = models.CharField(_("程序类型"), max_length=10, choices=Procedure.choices, blank=True, default="")
    not_penalised = models.BooleanField(_("不予行政处罚"), default=False)

    class Meta:
        verbose_name = verbose_name_plural = _("行政处罚")
        constraints = [
            models.UniqueConstraint(fields=["subject_key", "authority_code", "decision_no"], name="penalty_natural_key"),
        ]

    @property
    def natural_number(self) -> str:
        return self.decision_no


class Licence(CreditRecord):
    KIND = RecordKind.LICENCE

    doc_name = models.CharField(_("行政许可决定文书名称"), max_length=200)
    doc_no = models.CharField(_("行政许可决定文书号"), max_length=200)
    licence_category = models.CharField(_("许可类别"), max_length=20)
    certificate_name = models.CharField(_("许可证书名称"), max_length=200, blank=True)
    licence_no = models.CharField(_("许可编号"), max_length=200, blank=True)
    content = models.TextField(_("许可内容"))
    decided_on = models.DateField(_("许可决定日期"))
    valid_from = models.DateField(_("有效期自"), null=True, blank=True)
    valid_to = models.DateField(_("有效期至"), null=True, blank=True)
    current_state = models.CharField(_("当前状态"), max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("行政许可")
        constraints = [
            models.UniqueConstraint(fields=["subject_key", "authority_code", "doc_no"], name="licence_natural_key"),
        ]

    @property
    def natural_number(self) -> str:
        return self.doc_no


class Listing(CreditRecord):
    KIND = RecordKind.LISTING

    list_type = models.CharField(_("名单类别"), max_length=100)
    listing_ref = models.CharField(_("名单标识"), max_length=200, editable=False,
                                   help_text=_("执行案号或列入文号；均无时为列入日期。"))
    reason = models.TextField(_("列入原因（失信行为简况）"))
    basis = models.TextField(_("认定依据"))
    listed_on = models.DateField(_("列入日期"))
    removed_on = models.DateField(_("移出日期"), null=True, blank=True)
    decision_no = models.CharField(_("列入决定文书号"), max_length=200, blank=True)
    # 失信被执行人 (court list)
    court_name = models.CharField(_("执行法院"), max_length=200, blank=True)
    case_no = models.CharField(_("执行案号"), max_length=200, blank=True)
    filed_on = models.DateField(_("立案时间"), null=True, blank=True)
    basis_doc_no = models.CharField(_("执行依据文号"), max_length=200, blank=True)
    basis_issuer = models.CharField(_("做出执行依据单位"), max_length=200, blank=True)
    obligation = models.TextField(_("生效法律文书确定的义务"), blank=True)
    performance = models.CharField(_("履行情况"), max_length=200, blank=True)
    conduct = models.TextField(_("失信行为具体情形"), blank=True)
    published_on = models.DateField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("严重失信主体名单")
        constraints = [
            models.UniqueConstraint(fields=["subject_key", "authority_code", "list_type", "listing_ref"],
                                    name="listing_natural_key"),
        ]

    @property
    def natural_number(self) -> str:
        return self.case_no or self.decision_no or self.listing_ref


class Compulsion(CreditRecord):
    """行政强制: a measure (查封, 扣押, 冻结 …) or an enforcement (加处罚款, 划拨, 拍卖 …) against the subject.

    The base's authority columns are the 实施机关; `status` revoked means the decision was revoked
    (it never counts), `lifted_on` that the measure was lifted (it counts, labelled 已解除)."""

    KIND = RecordKind.COMPULSION

    decision_no = models.CharField(_("行政强制决定书文号"), max_length=200)
    compulsion_type = models.CharField(_("强制类型"), max_length=12, choices=CompulsionType.choices)
    category = models.CharField(_("强制类别"), max_length=100)
    reason = models.TextField(_("事由"))
    basis = models.TextField(_("依据"))
    decided_on = models.DateField(_("决定日期"))
    lifted_on = models.DateField(_("解除日期"), null=True, blank=True)
    current_state = models.CharField(_("当前状态"), max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("行政强制")
        constraints = [
            models.UniqueConstraint(fields=["subject_key", "authority_code", "decision_no"],
                                    name="compulsion_natural_key"),
        ]

    @property
    def natural_number(self) -> str:
        return self.decision_no


class Judgment(CreditRecord):
    """刑事: a criminal judgment (or ruling) against the entity as 被告单位.

    The base's authority columns are the 审理法院; `subject_*` the 被告单位. A conviction belongs to no
    administrative domain: `domain` is optional and reports print judgments in a section of their
    own. 无罪 (verdict) and a judgment set aside on retrial (`set_aside_on`) never count."""

    KIND = RecordKind.JUDGMENT

    domain = models.ForeignKey(  # type: ignore[assignment]  # optional for judgments alone (see the docstring)
        Domain, models.PROTECT, null=True, blank=True, db_index=False, db_constraint=False, verbose_name=_("领域"))
    case_no = models.CharField(_("案号"), max_length=200)
    charges = models.CharField(_("罪名"), max_length=500)
    verdict = models.CharField(_("判决结果类型"), max_length=10, choices=Verdict.choices, default=Verdict.GUILTY)
    judged_on = models.DateField(_("判决（裁定）日期"))
    effective_on = models.DateField(_("生效日期"))
    fine_wan = models.DecimalField(_("罚金（万元）"), max_digits=18, decimal_places=6, null=True, blank=True)
    other_sentence = models.CharField(_("其他刑罚"), max_length=500, blank=True)
    summary = models.TextField(_("判决结果摘要"))
    set_aside_on = models.DateField(_("再审撤销日期"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("刑事判决")
        constraints = [
            models.UniqueConstraint(fields=["subject_key", "authority_code", "case_no"], name="judgment_natural_key"),
        ]

    @property
    def natural_number(self) -> str:
        return self.case_no


RECORD_MODELS: dict[str, type[CreditRecord]] = {
    RecordKind.PENALTY: Penalty,
    RecordKind.LICENCE: Licence,
    RecordKind.LISTING: Listing,
    RecordKind.COMPULSION: Compulsion,
    RecordKind.JUDGMENT: Judgment,
}


class RecordVersion(models.Model):
    """One state of one record: who changed it, when, why, and the full content after the change.

    The newest version's content is the record row itself, so `data` stays empty until the record
    changes again; then the row's content is copied into it. A million-row first import thus writes
    each record once, not twice. Read a version's content with `state()`.

    Version 1 of an imported record is not stored either while the record is unchanged: its batch,
    time and content are the record row's own, and its user is the batch's (`implicit_first`). The
    first change stores it, with its content, before adding version 2 (records/changes.py and the
    import's merge), so a million-row first import writes no version rows at all. Read a record's
    versions with `history()`.
    """

    class Change(models.TextChoices):
        CREATED = "created", _("新增")
        UPDATED = "updated", _("更新")
        REVOKED = "revoked", _("撤销")
        REPAIRED = "repaired", _("信用修复")
        CORRECTED = "corrected", _("更正")

    kind = models.CharField(_("数据类别"), max_length=10, choices=RecordKind.choices)
    record_id = models.BigIntegerField(_("记录"))
    subject_key = models.CharField(_("主体键"), max_length=40)
    version = models.PositiveIntegerField(_("版本"))
    change = models.CharField(_("变更"), max_length=10, choices=Change.choices)
    data = models.JSONField(_("内容"), null=True, blank=True, help_text=_("为空：即记录的当前内容。"))
    batch = models.ForeignKey(ImportBatch, models.SET_NULL, null=True, blank=True, db_index=False, db_constraint=False,
                              verbose_name=_("导入批次"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, db_index=False,
                             db_constraint=False, verbose_name=_("操作人"))
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["kind", "record_id", "version"]
        verbose_name = verbose_name_plural = _("记录版本")
        constraints = [
            models.UniqueConstraint(fields=["subject_key", "kind", "record_id", "version"], name="record_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.record_id} v{self.version}"

    @classmethod
    def history(cls, record: CreditRecord) -> list["RecordVersion"]:
        """Every version of `record`, oldest first, the unstored version 1 included."""
        stored = list(RecordVersion.objects.filter(kind=record.KIND, subject_key=record.subject_key, record_id=record.pk)
                      .select_related("user", "batch").order_by("version"))
        if not stored or stored[0].version != 1:
            stored.insert(0, cls.implicit_first(record))
        return stored

    @classmethod
    def implicit_first(cls, record: CreditRecord, *, data: dict | None = None) -> "RecordVersion":
        """Version 1 of a record whose first version is not stored: as the record row says (see the class)."""
        batch = ImportBatch.objects.filter(pk=record.batch_id).first() if record.batch_id else None
        return cls(kind=record.KIND, record_id=record.pk, subject_key=record.subject_key, version=1,
                   change=cls.Change.CREATED, data=data, batch=batch, user_id=batch.user_id if batch else None,
                   reason="", created_at=record.created_at)

    def state(self) -> dict:
        """The record's content as of this version."""
        if self.data is not None:
            return self.data
        record = RECORD_MODELS[self.kind].objects.get(subject_key=self.subject_key, pk=self.record_id)
        return record.to_dict()


class SubjectVersion(models.Model):
    """A stamp of one subject's data that every change of it moves forward (records/versions.py): a record
    imported, updated, revoked, corrected or repaired; an objection opened, answered or closed; a severity
    explanation. Verification keys its cached "changes since issue" answer by it, so a change makes the
    old answers unreachable. A subject that never changed since this table came has no row (version 0).

    The key is the subject's, like every record table's, so a distributed PostgreSQL shards it with them.
    """

    subject_key = models.CharField(_("主体键"), max_length=40, primary_key=True)
    # Microseconds since the epoch when it last changed (at least one more than before): never reused, not
    # even after a database is restored from a backup while a shared cache keeps its entries.
    version = models.BigIntegerField(_("数据版本"))

    class Meta:
        verbose_name = verbose_name_plural = _("主体数据版本")

    def __str__(self) -> str:
        return f"{self.subject_key}: {self.version}"
