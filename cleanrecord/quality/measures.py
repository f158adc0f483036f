"""The data quality measures: which rows each one looks at, which of them fail, and how it is scored.

A measure of records is two conditions on a record model: its population (the rows it counts) and
its failing rows. The same Q objects feed the set-based computation — one GROUP BY pass per record
table in which every measure is a filtered COUNT — and `rows()`, the queryset a page lists behind
"show rows", so a figure and the list it links to cannot diverge.

Three measures are not about single records: a department that sent nothing lately, a domain nobody
sent anything in, and the share of rows the import refused.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import (
    Aggregate,
    Avg,
    CharField,
    Count,
    Exists,
    F,
    Field,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    TextField,
    Value,
    Window,
)
from django.db.models.functions import Replace, TruncDate
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cleanrecord import conf
from cleanrecord.entities.models import Entity
from cleanrecord.lib.identifiers import USCC_RE
from cleanrecord.records.importing.layouts import LAYOUTS
from cleanrecord.records.importing.rows import LISTING_COURT, split_categories
from cleanrecord.records.importing.values import COMPULSION_LIFTED
from cleanrecord.records.models import RECORD_MODELS, ImportBatch, RecordKind, RecordStatus, Verdict
from cleanrecord.reference.models import Department, Domain
from cleanrecord.workdays.services import known_years
from cleanrecord.workdays.sql import WorkingDays

from .models import Measure, QualityScore


def thresholds() -> dict[str, float]:
    """Every measure's threshold: the default, unless the settings name another (QUALITY_THRESHOLDS:
    measure code → threshold, a dict, or text such as "on_time=0.95,rejection_rate=0.02")."""
    given = conf.get("QUALITY_THRESHOLDS") or {}
    if isinstance(given, str):
        given = dict(item.split("=", 1) for item in given.replace(" ", "").split(",") if item)
    unknown = set(given) - set(MEASURES)
    if unknown:
        raise ValueError(f"QUALITY_THRESHOLDS names unknown measures: {', '.join(sorted(unknown))}")
    return {code: float(given.get(code, m.threshold)) for code, m in MEASURES.items()}


@dataclass(frozen=True)
class Context:
    """What one computation is measured against: the moment, the window and the limits."""

    now: dt.datetime
    department: Department | None = None  # the scope: one department, or all of them

    @classmethod
    def make(cls, *, now: dt.datetime | None = None, department: Department | None = None) -> "Context":
        return cls(now or timezone.now(), department)

    @cached_property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)

    @cached_property
    def window_days(self) -> int:
        return int(conf.get("QUALITY_WINDOW_DAYS"))

    @cached_property
    def since(self) -> dt.datetime:
        """Start of the window: midnight, local time, `window_days` days ago."""
        start = dt.datetime.combine(self.today - dt.timedelta(days=self.window_days), dt.time())
        return timezone.make_aware(start)

    @cached_property
    def timely_days(self) -> int:
        return int(conf.get("QUALITY_TIMELY_WORKING_DAYS"))

    @cached_property
    def max_amount_wan(self) -> Decimal:
        return Decimal(conf.get("QUALITY_MAX_AMOUNT_WAN"))

    def records(self, kind: str) -> QuerySet:
        model = RECORD_MODELS[kind]
        qs = model.objects.all()
        return qs if self.department is None else qs.filter(department=self.department)

    @cached_property
    def unknown_categories(self) -> tuple[str, ...]:
        """处罚类别 values (as stored) that name something outside 行政处罚法 Art. 9, read as the import reads them.

        Few distinct values exist, so they are judged here with the import's own `split_categories`.
        """
        values = self.records(RecordKind.PENALTY).order_by().values_list("categories", flat=True).distinct()
        return tuple(sorted(v for v in values if split_categories(v)[1]))


# -- helpers in SQL ---------------------------------------------------------------------------


def _normal_name(expression):
    """A name with half-width brackets made full-width and spaces dropped: （） and () are the same name."""
    for old, new in (("(", "（"), (")", "）"), (" ", ""), ("\u3000", "")):
        expression = Replace(expression, Value(old), Value(new))
    return expression


def _label(kind: str, name: str) -> str:
    """The Chinese column name of a record field, as the national layout writes it."""
    plain = name.removesuffix("_encrypted")
    for f in LAYOUTS[kind]:
        if f.name == plain:
            return f.label
    model_field = RECORD_MODELS[kind]._meta.get_field(name)
    assert isinstance(model_field, Field), "a column of the record's own table, not a relation"
    return str(model_field.verbose_name)


# -- which fields each kind should carry (domain brief §5) ------------------------------------

ORGANISATION = Q(subject_category__in=["org", "individual"])  # 法人及非法人组织 and 个体工商户: a credit code
PERSON = Q(subject_category="person")  # 自然人: an ID number
FINED = Q(categories__contains="罚款")
CONFISCATED = Q(categories__contains="没收")
LICENCE_TAKEN = Q(categories__contains="暂扣") | Q(categories__contains="吊销")
PENALISED = Q(not_penalised=False)
COURT_LIST = Q(list_type=LISTING_COURT)
LIFTED = Q(current_state=COMPULSION_LIFTED)  # a compulsion that says it was lifted should say when
SENTENCED_TO_FINE = Q(summary__contains="罚金") & ~Q(verdict=Verdict.ACQUITTED)  # 判处罚金: the amount in its column


@dataclass(frozen=True)
class Expected:
    """A field a record of some kind should carry; `when` narrows it to the rows it applies to."""

    field: str
    when: Q | None = None

    def missing(self, kind: str) -> Q:
        f = RECORD_MODELS[kind]._meta.get_field(self.field)
        if isinstance(f, (CharField, TextField)) and not f.null:
            return Q(**{self.field: ""})
        return Q(**{f"{self.field}__isnull": True})

    def missing_where_expected(self, kind: str) -> Q:
        return self.missing(kind) if self.when is None else self.when & self.missing(kind)


_SUBJECT = (Expected("subject_name"), Expected("subject_category"), Expected("credit_code", ORGANISATION),
            Expected("subject_id_encrypted", PERSON))
_SOURCE = (Expected("authority_name"), Expected("authority_code"), Expected("source_name"), Expected("source_code"))

REQUIRED: dict[str, tuple[Expected, ...]] = {
    RecordKind.PENALTY: (*_SUBJECT, *(Expected(f) for f in (
        "decision_no", "violation_type", "facts", "basis", "categories", "content", "decided_on")), *_SOURCE),
    RecordKind.LICENCE: (*_SUBJECT, *(Expected(f) for f in (
        "doc_name", "doc_no", "licence_category", "content", "decided_on")), *_SOURCE),
    RecordKind.LISTING: (*_SUBJECT, *(Expected(f) for f in (
        "list_type", "reason", "basis", "listed_on")), *_SOURCE),
    RecordKind.COMPULSION: (*_SUBJECT, *(Expected(f) for f in (
        "decision_no", "compulsion_type", "category", "reason", "basis", "decided_on")), *_SOURCE),
    # A judgment's 领域 is optional (a conviction belongs to no administrative domain): never expected.
    RecordKind.JUDGMENT: (*_SUBJECT, *(Expected(f) for f in (
        "case_no", "charges", "verdict", "judged_on", "effective_on", "summary")), *_SOURCE),
}
RECOMMENDED: dict[str, tuple[Expected, ...]] = {
    RecordKind.PENALTY: (
        Expected("legal_rep", ORGANISATION), Expected("fine_wan", FINED), Expected("confiscated_wan", CONFISCATED),
        Expected("licence_affected", LICENCE_TAKEN), Expected("valid_until", PENALISED),
        Expected("publish_until", PENALISED),
    ),
    RecordKind.LICENCE: (
        Expected("legal_rep", ORGANISATION), Expected("certificate_name"), Expected("licence_no"),
        Expected("valid_from"), Expected("valid_to"), Expected("current_state"),
    ),
    RecordKind.LISTING: (
        Expected("legal_rep", ORGANISATION), Expected("decision_no", ~COURT_LIST),
        *(Expected(f, COURT_LIST) for f in ("court_name", "case_no", "filed_on", "basis_doc_no", "basis_issuer",
                                            "obligation", "performance", "published_on")),
    ),
    RecordKind.COMPULSION: (
        Expected("legal_rep", ORGANISATION), Expected("lifted_on", LIFTED), Expected("current_state"),
    ),
    RecordKind.JUDGMENT: (
        Expected("legal_rep", ORGANISATION), Expected("fine_wan", SENTENCED_TO_FINE),
    ),
}
# 文号 / 案号. Co-defendant units share a judgment's 案号, so judgments are checked against other courts only.
NUMBER_FIELD: dict[str, str] = {RecordKind.PENALTY: "decision_no", RecordKind.LICENCE: "doc_no",
                                 RecordKind.COMPULSION: "decision_no", RecordKind.JUDGMENT: "case_no"}


# -- measures ---------------------------------------------------------------------------------

Condition = Callable[[str, Context], Q]  # (kind, ctx) -> the rows of that kind it selects

COMPLETENESS, ACCURACY, TIMELINESS, CONSISTENCY, SUBMISSION = (
    "completeness", "accuracy", "timeliness", "consistency", "submission")
DIMENSION_LABELS = {COMPLETENESS: _("全面性"), ACCURACY: _("准确性"), TIMELINESS: _("及时性"),
                    CONSISTENCY: _("一致性"), SUBMISSION: _("报送")}
# Judgments carry no domain unless the court named one: their scores are kept per department with no domain.
ALL_KINDS = (RecordKind.PENALTY, RecordKind.LICENCE, RecordKind.LISTING, RecordKind.COMPULSION, RecordKind.JUDGMENT)


@dataclass(frozen=True)
class MeasureDef:
    """A measure: its dimension, which way is better, its default threshold and what to tell a department."""

    code: str
    dimension: str
    better: str  # "higher": a share of good rows (threshold is a minimum); "lower": a share of bad ones (a maximum)
    threshold: float
    # Chinese (lazy), with %(count)s (rows or cells to fix), %(days)s, %(working_days)s, %(max)s, %(fields)s
    fix: str | Promise

    @property
    def label(self) -> str:
        return str(Measure(self.code).label)

    def falls_short(self, value: float | None, threshold: float) -> bool:
        if value is None:
            return False
        return value < threshold if self.better == "higher" else value > threshold

    def to_fix(self, count: int, detail: dict, ctx: Context) -> str:
        fields = "、".join(detail.get("missing_labels", [])[:5])
        return str(self.fix) % {"count": count, "days": ctx.window_days, "working_days": ctx.timely_days,
                                "max": ctx.max_amount_wan, "fields": fields, "domain": detail.get("domain_name", "")}


@dataclass(frozen=True)
class RecordMeasure(MeasureDef):
    """A share of records: of the population, those that fail (or, for "higher", those that pass)."""

    kinds: tuple[str, ...] = ALL_KINDS
    population: Condition | None = None  # None: every record
    failing: Condition | None = None  # None only where a subclass overrides failing_q
    averages: dict[str, Callable[[str, Context], Aggregate]] = field(default_factory=dict)  # figures kept in the detail

    def population_q(self, kind: str, ctx: Context) -> Q:
        return self.population(kind, ctx) if self.population else Q()

    def failing_q(self, kind: str, ctx: Context) -> Q:
        assert self.failing is not None, f"{self.code} names its failing rows"
        return self.failing(kind, ctx)

    def aggregates(self, kind: str, ctx: Context) -> dict[str, Aggregate]:
        """Named aggregates for one GROUP BY pass over `kind`'s table."""
        population = self.population_q(kind, ctx)
        out: dict[str, Aggregate] = {f"{self.code}_bad": Count("pk", filter=population & self.failing_q(kind, ctx))}
        if population:  # else the group's row count, "total"
            out[f"{self.code}_den"] = Count("pk", filter=population)
        for name, aggregate in self.averages.items():
            out[f"{self.code}_{name}"] = aggregate(kind, ctx)
        return out

    def score(self, kind: str, row: dict) -> tuple[int, int, dict]:
        """(numerator, denominator, detail) from one row of the GROUP BY."""
        den, bad = row.get(f"{self.code}_den", row["total"]), row[f"{self.code}_bad"]
        detail = {name: round(float(v), 2) for name in self.averages
                  if (v := row[f"{self.code}_{name}"]) is not None}
        return (den - bad if self.better == "higher" else bad), den, detail

    def rows(self, *, kind: str, department: Department | None = None, domain: Domain | str | None = None,
             ctx: Context | None = None, **options) -> QuerySet:
        """The records of `kind` that fail this measure, for one department (and domain) or for all."""
        if kind not in self.kinds:
            raise ValueError(f"{self.code} does not apply to {kind}")
        ctx = ctx or Context.make(department=department)
        qs = ctx.records(kind)
        if department is not None and ctx.department is None:
            qs = qs.filter(department=department)
        if domain is not None:
            qs = qs.filter(domain=domain)
        return qs.filter(self.population_q(kind, ctx) & self.failing_q(kind, ctx))


@dataclass(frozen=True)
class CompletenessMeasure(RecordMeasure):
    """The share of expected cells that are filled: every expected field of every row it applies to."""

    fields: dict[str, tuple[Expected, ...]] = field(default_factory=dict)

    def failing_q(self, kind: str, ctx: Context) -> Q:
        q = Q()
        for e in self.fields[kind]:
            q |= e.missing_where_expected(kind)
        return q

    def aggregates(self, kind: str, ctx: Context) -> dict[str, Aggregate]:
        out: dict[str, Aggregate] = {}
        for e in self.fields[kind]:
            if e.when is not None:  # else the group's row count, "total"
                out[f"{self.code}_{e.field}_den"] = Count("pk", filter=e.when)
            out[f"{self.code}_{e.field}_bad"] = Count("pk", filter=e.missing_where_expected(kind))
        out[f"{self.code}_rows"] = Count("pk", filter=self.failing_q(kind, ctx))
        return out

    def score(self, kind: str, row: dict) -> tuple[int, int, dict]:
        den = bad = 0
        missing = {}
        for e in self.fields[kind]:
            den += row.get(f"{self.code}_{e.field}_den", row["total"])
            n = row[f"{self.code}_{e.field}_bad"]
            bad += n
            if n:
                missing[e.field] = n
        missing = dict(sorted(missing.items(), key=lambda item: -item[1]))
        # "rows": how many records a "show rows" link lists; "missing": empty cells per field, most first.
        detail = {"missing": missing, "missing_labels": [_label(kind, f) for f in missing],
                  "rows": row[f"{self.code}_rows"]}
        return den - bad, den, detail

    def rows(self, *, kind: str, field: str | None = None, **options) -> QuerySet:
        """Records missing any expected field, or only `field` when given."""
        qs = super().rows(kind=kind, **options)
        if field is not None:
            expected = {e.field: e for e in self.fields[kind]}
            qs = qs.filter(expected[field].missing_where_expected(kind))
        return qs


def _code_invalid(kind: str, ctx: Context) -> Q:
    # The shape is checked here; a wrong check character is known to the register, which flags it on arrival.
    flagged = Exists(Entity.objects.filter(credit_code=OuterRef("credit_code"), checksum_warning=True))
    return ~Q(credit_code__regex=USCC_RE.pattern) | Q(flagged)


def _not_in_register(kind: str, ctx: Context) -> Q:
    return ~Q(Exists(Entity.objects.filter(credit_code=OuterRef("credit_code"), from_register=True)))


def _name_mismatch(kind: str, ctx: Context) -> Q:
    other_name = (Entity.objects.filter(credit_code=OuterRef("credit_code"), from_register=True)
                  .alias(normal=_normal_name(F("name"))).exclude(normal=_normal_name(OuterRef("subject_name"))))
    return Q(Exists(other_name))


def _dates_out_of_order(kind: str, ctx: Context) -> Q:
    if kind == RecordKind.PENALTY:
        return Q(valid_until__lt=F("decided_on")) | Q(publish_until__lt=F("decided_on"))
    if kind == RecordKind.LICENCE:
        return Q(valid_to__lt=F("valid_from")) | Q(valid_to__lt=F("decided_on"))
    if kind == RecordKind.COMPULSION:
        return Q(lifted_on__lt=F("decided_on"))
    if kind == RecordKind.JUDGMENT:
        return Q(effective_on__lt=F("judged_on")) | Q(set_aside_on__lt=F("effective_on"))
    return Q(removed_on__lt=F("listed_on"))


AMOUNT_FIELDS: dict[str, tuple[str, ...]] = {  # 万元
    RecordKind.PENALTY: ("fine_wan", "confiscated_wan"), RecordKind.JUDGMENT: ("fine_wan",)}


def _with_amount(kind: str, ctx: Context) -> Q:
    q = Q()
    for name in AMOUNT_FIELDS[kind]:
        q |= Q(**{f"{name}__isnull": False})
    return q


def _amount_out_of_range(kind: str, ctx: Context) -> Q:
    q = Q()
    for name in AMOUNT_FIELDS[kind]:
        q |= Q(**{f"{name}__lt": 0}) | Q(**{f"{name}__gt": ctx.max_amount_wan})
    return q


def _late(kind: str, ctx: Context) -> Q:
    return Q(GreaterThan(_working_days_to_arrival(), ctx.timely_days))


def _same_number(differing: str) -> Condition:
    """Rows whose 文号 another row shares, with the same subject (or authority) but another `differing`.

    The rows are found by one windowed subquery over the table, not a lookup per row: no index serves
    (authority, number), and a department's numbers are checked against every department's rows.
    """

    def failing(kind: str, ctx: Context) -> Q:
        model, number = RECORD_MODELS[kind], NUMBER_FIELD[kind]
        same = "authority_code" if differing == "subject_key" else "subject_key"
        rows = model.objects.exclude(**{number: ""})
        if ctx.department is not None:  # every row sharing a number with the department's, wherever it came from
            rows = rows.filter(**{f"{number}__in": ctx.records(kind).values(number)})
        partition = [F(same), F(number)]
        flagged = (rows.annotate(low=Window(Min(differing), partition_by=partition),
                                 high=Window(Max(differing), partition_by=partition))
                   .filter(low__lt=F("high")).values("pk"))
        return Q(pk__in=flagged)

    return failing


def _revoked_inconsistent(kind: str, ctx: Context) -> Q:
    revoked = Q(status=RecordStatus.REVOKED)
    return (revoked & Q(revoked_on__isnull=True)) | (~revoked & Q(revoked_on__isnull=False))


def _with_code(kind: str, ctx: Context) -> Q:
    return ~Q(credit_code="")


def _arrived_in_window(kind: str, ctx: Context) -> Q:
    return Q(created_at__gte=ctx.since)


def _working_days_to_arrival() -> WorkingDays:
    """Working days on the official calendar from the decision to the day (local time) the record arrived.

    The SQL reads the calendar table, so an empty one is filled from chinese-calendar first.
    """
    known_years()
    return WorkingDays(F("decided_on"), TruncDate("created_at"))


MEASURES: dict[str, MeasureDef] = {m.code: m for m in (
    CompletenessMeasure(
        Measure.REQUIRED_FILLED, COMPLETENESS, "higher", 1.0,
        _("%(count)s 处必填项为空（%(fields)s），请补全后重新报送"), fields=REQUIRED),
    CompletenessMeasure(
        Measure.RECOMMENDED_FILLED, COMPLETENESS, "higher", 0.8,
        _("建议补充 %(count)s 处空缺信息（%(fields)s），以便信用报告完整准确"), fields=RECOMMENDED),
    MeasureDef(
        Measure.SILENT_DEPARTMENT, COMPLETENESS, "lower", 0.0,
        _("近 %(days)s 天未报送任何数据，请核实是否漏报，并按“双公示”要求及时报送")),
    MeasureDef(
        Measure.SILENT_DOMAIN, COMPLETENESS, "lower", 0.0,
        _("%(domain)s领域近 %(days)s 天无任何数据报送，该领域“未发现违法违规记录”的结论缺乏数据支撑，请督促本领域部门报送")),
    RecordMeasure(
        Measure.CODE_INVALID, ACCURACY, "lower", 0.005,
        _("%(count)s 条记录的统一社会信用代码格式错误或校验位不符，请核对更正"),
        population=_with_code, failing=_code_invalid),
    RecordMeasure(
        Measure.NOT_IN_REGISTER, ACCURACY, "lower", 0.05,
        _("%(count)s 条记录的统一社会信用代码在经营主体登记库中查无此主体，请核对代码"),
        population=_with_code, failing=_not_in_register),
    RecordMeasure(
        Measure.NAME_MISMATCH, ACCURACY, "lower", 0.01,
        _("%(count)s 条记录的主体名称与登记库中该代码的名称不一致，请按登记名称更正"),
        population=_with_code, failing=_name_mismatch),
    RecordMeasure(
        Measure.DATES_OUT_OF_ORDER, ACCURACY, "lower", 0.0,
        _("%(count)s 条记录日期先后矛盾（如有效期、公示截止期早于决定日期，移出日期早于列入日期），请更正"),
        failing=_dates_out_of_order),
    RecordMeasure(
        Measure.AMOUNT_OUT_OF_RANGE, ACCURACY, "lower", 0.0,
        _("%(count)s 条记录的罚款、没收或罚金金额为负数或超过 %(max)s 万元，请核实金额及单位（万元）"),
        kinds=(RecordKind.PENALTY, RecordKind.JUDGMENT), population=_with_amount, failing=_amount_out_of_range),
    RecordMeasure(
        Measure.UNKNOWN_CATEGORY, ACCURACY, "lower", 0.0,
        _("%(count)s 条处罚记录的处罚类别不在《行政处罚法》第九条所列种类中，请按规范类别填写"),
        kinds=(RecordKind.PENALTY,), failing=lambda kind, ctx: Q(categories__in=ctx.unknown_categories)),
    RecordMeasure(
        Measure.ON_TIME, TIMELINESS, "higher", 0.9,
        _("近 %(days)s 天报送的记录中有 %(count)s 条超过 %(working_days)s 个工作日才报送，请在作出决定后及时报送"),
        kinds=(RecordKind.PENALTY, RecordKind.LICENCE),
        population=_arrived_in_window, failing=_late,
        averages={"avg_working_days": lambda kind, ctx: Avg(_working_days_to_arrival(),
                                                             filter=_arrived_in_window(kind, ctx))}),
    RecordMeasure(
        Measure.SAME_NUMBER_OTHER_AUTHORITY, CONSISTENCY, "lower", 0.0,
        _("%(count)s 条记录与其他机关报送的同一主体记录文号相同，请核实是否重复报送或决定机关代码填错"),
        kinds=(RecordKind.PENALTY, RecordKind.LICENCE, RecordKind.COMPULSION, RecordKind.JUDGMENT),
        failing=_same_number("authority_code")),
    RecordMeasure(
        Measure.SAME_NUMBER_OTHER_SUBJECT, CONSISTENCY, "lower", 0.0,
        _("%(count)s 条记录与本机关其他主体的记录文号相同，请核实文号或主体是否填错"),
        kinds=(RecordKind.PENALTY, RecordKind.LICENCE, RecordKind.COMPULSION), failing=_same_number("subject_key")),
    RecordMeasure(
        Measure.REVOKED_INCONSISTENT, CONSISTENCY, "lower", 0.0,
        _("%(count)s 条记录的撤销状态与撤销日期不一致（有撤销日期仍为有效，或已撤销无撤销日期），请更正"),
        failing=_revoked_inconsistent),
    RecordMeasure(
        Measure.REMOVAL_OVERDUE, CONSISTENCY, "lower", 0.0,
        _("%(count)s 条失信名单记录已过移出日期仍为有效状态，请及时移出"),
        kinds=(RecordKind.LISTING,), population=lambda kind, ctx: Q(removed_on__isnull=False),
        failing=lambda kind, ctx: Q(removed_on__lte=ctx.today, status=RecordStatus.ACTIVE)),
    MeasureDef(
        Measure.REJECTION_RATE, SUBMISSION, "lower", 0.05,
        _("近 %(days)s 天导入被拒收 %(count)s 行，请按错误文件修正后重新报送")),
)}
RECORD_MEASURES = [m for m in MEASURES.values() if isinstance(m, RecordMeasure)]
assert set(MEASURES) == set(Measure.values), "every Measure has a definition"


# -- computing --------------------------------------------------------------------------------


def _local(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _score(ctx: Context, measure: str, numerator: int, denominator: int, *, department_id=None, domain_id=None,
           kind: str = "", detail: dict | None = None) -> QualityScore:
    return QualityScore(
        as_of=ctx.today, department_id=department_id, domain_id=domain_id, kind=kind, measure=measure,
        numerator=numerator, denominator=denominator, value=numerator / denominator if denominator else None,
        detail=detail or {}, computed_at=ctx.now,
    )


def record_scores(ctx: Context, kind: str) -> tuple[list[QualityScore], dict[int, dt.datetime]]:
    """Every record measure of `kind`, per department and domain, in one GROUP BY pass.

    Also returns when each department's records of this kind last arrived or changed.
    """
    measures = [m for m in RECORD_MEASURES if kind in m.kinds]
    aggregates = {"total": Count("pk"), "last_changed": Max("updated_at")}
    for m in measures:
        aggregates.update(m.aggregates(kind, ctx))
    groups = ctx.records(kind).order_by().values("department_id", "domain_id").annotate(**aggregates)
    scores: list[QualityScore] = []
    last: dict[int, dt.datetime] = {}
    for row in groups:
        dept = row["department_id"]
        last[dept] = max(row["last_changed"], last.get(dept, row["last_changed"]))
        for m in measures:
            numerator, denominator, detail = m.score(kind, row)
            scores.append(_score(ctx, m.code, numerator, denominator, department_id=dept,
                                 domain_id=row["domain_id"], kind=kind, detail=detail))
    return scores, last


def _batches(ctx: Context) -> QuerySet:
    """Import batches applied in the window: what a department sent, whether or not anything changed."""
    return ImportBatch.objects.filter(status=ImportBatch.Status.DONE, started_at__gte=ctx.since)


def rejection_scores(ctx: Context, *, unattributed: bool = False) -> list[QualityScore]:
    """Rows refused over rows read, per department and kind of file, in the window.

    A command-line import without --department names no department; its batches are counted on the
    platform-wide row (`unattributed`), since their refused rows cannot be told apart by department.
    """
    batches = _batches(ctx)
    if unattributed:
        batches = batches.filter(department=None)
    elif ctx.department is not None:
        batches = batches.filter(department=ctx.department)
    else:
        batches = batches.exclude(department=None)
    groups = batches.order_by().values("department_id", "kind").annotate(
        read=Sum("rows_read"), rejected=Sum("rows_rejected"), batches=Count("pk"),
        with_rejections=Count("pk", filter=Q(rows_rejected__gt=0)))
    return [_score(ctx, Measure.REJECTION_RATE, g["rejected"], g["read"], department_id=g["department_id"],
                   kind=g["kind"], detail={"batches": g["batches"], "batches_with_rejections": g["with_rejections"]})
            for g in groups]


def _last_batches(ctx: Context, departments: QuerySet) -> dict[int, dt.datetime]:
    rows = (_batches(ctx).filter(department__in=departments, rows_read__gt=0).order_by()
            .values("department_id").annotate(last=Max("started_at")))
    return {r["department_id"]: r["last"] for r in rows}


def silent_departments(ctx: Context, departments: QuerySet) -> QuerySet:
    """Those of `departments` that sent nothing in the window: no import, no record arriving or changing."""
    sent = Q(pk__in=_batches(ctx).filter(department__in=departments, rows_read__gt=0).values("department_id"))
    for model in RECORD_MODELS.values():
        sent |= Q(pk__in=model.objects.filter(department__in=departments, updated_at__gte=ctx.since)
                  .values("department_id"))
    return departments.filter(is_active=True).exclude(sent)


def silent_department_scores(ctx: Context, last_changed: dict[int, dt.datetime]) -> list[QualityScore]:
    """1 for each active department of the scope that sent nothing in the window, else 0."""
    departments = Department.objects.filter(is_active=True)
    if ctx.department is not None:
        departments = departments.filter(pk=ctx.department.pk)
    silent = set(silent_departments(ctx, departments).values_list("pk", flat=True))
    batches = _last_batches(ctx, departments)
    scores = []
    for d in departments:
        last = max([t for t in (last_changed.get(d.pk), batches.get(d.pk)) if t], default=None)
        scores.append(_score(ctx, Measure.SILENT_DEPARTMENT, int(d.pk in silent), 1, department_id=d.pk,
                             domain_id=d.default_domain_id, detail={"last_sent": _local(last)}))
    return scores


def silent_domain_scores(ctx: Context) -> list[QualityScore]:
    """1 for each domain in which nothing arrived or changed in the window, and no department of it sent a file.

    A silent domain makes every "no record found" statement in it hollow. The detail names the domain's
    departments (those whose default domain it is); `rows_for` lists the silent ones.
    """
    last: dict[str, dt.datetime] = {}
    for kind in ALL_KINDS:
        for row in RECORD_MODELS[kind].objects.order_by().values("domain_id").annotate(last=Max("updated_at")):
            last[row["domain_id"]] = max(row["last"], last.get(row["domain_id"], row["last"]))
    active = Department.objects.filter(is_active=True)
    batches = _last_batches(ctx, active)
    departments = list(active)
    scores = []
    for domain in Domain.objects.all():
        own = [d for d in departments if d.default_domain_id == domain.code]
        latest = max([t for t in (last.get(domain.code), *(batches.get(d.pk) for d in own)) if t], default=None)
        silent = latest is None or latest < ctx.since
        scores.append(_score(ctx, Measure.SILENT_DOMAIN, int(silent), 1, domain_id=domain.code,
                             detail={"last_sent": _local(latest), "departments": [d.code for d in own]}))
    return scores


def compute_steps(ctx: Context, *, platform: bool = False) -> Iterator[tuple[str, list[QualityScore]]]:
    """The scores step by step, as (what was measured, its scores): a long recomputation reports progress
    between steps. There are step_count(platform) steps; with `platform`, the platform-wide scores last."""
    last_changed: dict[int, dt.datetime] = {}
    for kind in ALL_KINDS:
        found, last = record_scores(ctx, kind)
        for dept, when in last.items():
            last_changed[dept] = max(when, last_changed.get(dept, when))
        yield str(RecordKind(kind).label), found
    yield str(_("各部门报送情况")), silent_department_scores(ctx, last_changed)
    yield str(_("导入拒收率")), rejection_scores(ctx)
    if platform:
        yield str(_("全市层面（无数据领域）")), compute_platform(ctx)


def step_count(platform: bool = False) -> int:
    return len(ALL_KINDS) + 2 + platform


def compute(ctx: Context) -> list[QualityScore]:
    """Every department-level score of the context's scope (one department or all), unsaved."""
    return [score for _, found in compute_steps(ctx) for score in found]


def compute_platform(ctx: Context) -> list[QualityScore]:
    """The platform-wide scores (no department): silent domains, and refusals in files naming no department."""
    return silent_domain_scores(ctx) + rejection_scores(ctx, unattributed=True)


# -- the rows behind a score ------------------------------------------------------------------


def rows_for(score: QualityScore, *, field: str | None = None, now: dt.datetime | None = None) -> QuerySet:
    """What a page lists under a score's "show rows", as of now (the data may have changed since it was computed).

    Record measures: the failing records (completeness: optionally only those missing `field`);
    rejection rate: the window's import batches with refused rows; silent department or domain: the silent
    departments.
    """
    measure = MEASURES[score.measure]
    ctx = Context.make(now=now, department=score.department)
    if isinstance(measure, CompletenessMeasure):
        return measure.rows(kind=score.kind, domain=score.domain_id, ctx=ctx, field=field)
    if isinstance(measure, RecordMeasure):
        return measure.rows(kind=score.kind, domain=score.domain_id, ctx=ctx)
    if score.measure == Measure.REJECTION_RATE:
        return _batches(ctx).filter(department=score.department, kind=score.kind, rows_rejected__gt=0)
    if score.measure == Measure.SILENT_DEPARTMENT:
        assert score.department_id is not None, "a silent department's score names it"
        return silent_departments(ctx, Department.objects.filter(pk=score.department_id))
    return silent_departments(ctx, Department.objects.filter(default_domain=score.domain_id))

