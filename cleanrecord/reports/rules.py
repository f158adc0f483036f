"""What a report says: the rules of domain brief §6, each city-variable one read from settings.

`build_query()` checks what the entity asked for and refuses, with a reason in Chinese, anything a
report cannot answer. `compute()` reads the records and returns the report's content as plain
data; services.issue_report() freezes it into the snapshot that the PDF, the verification page and
the API all render.
"""

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.db.models.lookups import StartsWith
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext

from cleanrecord import conf
from cleanrecord.entities.models import Entity, EntityStatus
from cleanrecord.freshness import services as freshness
from cleanrecord.lib.identifiers import CodeCheck, check_credit_code, looks_like_id_number, mask_id_numbers_in
from cleanrecord.lib.refusals import Refused
from cleanrecord.objections.models import Objection, SeverityExplanation
from cleanrecord.records.models import Compulsion, Judgment, Listing, Penalty, RecordStatus, Verdict, kind_text
from cleanrecord.reference import regions
from cleanrecord.reference.models import Domain, Region

from .models import Purpose, RuleSettings

REPAIRED = "已修复"
UNDER_OBJECTION = "异议处理中"
REMOVED = "已移出名单"
LIFTED = "已解除"
KINDS_PLACEHOLDER = "{kinds}"


@dataclass(frozen=True)
class Query:
    entity: Entity
    domains: tuple[Domain, ...]
    all_domains: bool
    start: dt.date
    end: dt.date
    purpose: str
    purpose_text: str


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last N years up to today (N from settings, 3 by default)."""
    return years_before(today, rule("REPORT_DEFAULT_YEARS")) + dt.timedelta(days=1), today


PURPOSE_TEXT_MAX = 200  # Report.purpose_text


def build_query(*, credit_code: str, domains: str | list[str], start: dt.date | None, end: dt.date | None,
                purpose: str, purpose_text: str = "", today: dt.date) -> Query:
    code = (credit_code or "").strip().upper()
    if check_credit_code(code) is CodeCheck.INVALID:
        raise Refused(gettext("统一社会信用代码“%(credit_code)s”格式不正确（应为 18 位）") % {"credit_code": credit_code})
    if looks_like_id_number(code):  # a person's number stored as a code by older imports: never printed on a report
        raise Refused(gettext("该代码为居民身份证号码，不是经营主体的统一社会信用代码，不能出具专用信用报告"))
    entity = Entity.objects.filter(credit_code=code).first()
    if entity is None:
        raise Refused(gettext("未找到统一社会信用代码为 %(code)s 的经营主体") % {"code": code})
    if not regions.contains(entity.region_code):
        raise Refused(gettext("该主体登记地（%(region)s）不在%(region_name)s行政区域内，不能出具本地专用信用报告")
                      % {"region": entity.region_code, "region_name": region().name})
    if entity.status in (EntityStatus.CANCELLED, EntityStatus.MOVED):
        raise Refused(gettext("该主体登记状态为“%(status)s”，不能出具专用信用报告") % {"status": entity.get_status_display()})

    all_domains = domains == "all" or domains == ["all"]
    by_code = {d.code: d for d in Domain.objects.all()}
    if all_domains:
        chosen = tuple(by_code.values())
    else:
        codes = [c.strip() for c in (domains or []) if c and c.strip()]
        if not codes:
            raise Refused(gettext("请至少选择一个领域"), field="domains")
        unknown = [c for c in codes if c not in by_code]
        if unknown:
            raise Refused(gettext("未知领域：%(domains)s") % {"domains": '、'.join(unknown)}, field="domains")
        chosen = tuple(sorted({by_code[c] for c in codes}, key=lambda d: d.order))
        all_domains = len(chosen) == len(by_code)

    default_start, default_end = default_period(today)
    start, end = start or default_start, end or default_end
    if end > today:
        raise Refused(gettext("查询期止（%(end)s）不能晚于今天（%(today)s）") % {"end": end, "today": today}, field="end")
    if start > end:
        raise Refused(gettext("查询期起（%(start)s）不能晚于查询期止（%(end)s）") % {"start": start, "end": end}, field="start")
    max_years = rule("REPORT_MAX_YEARS")
    if start < years_before(today, max_years):
        raise Refused(gettext("查询期最长追溯 %(max_years)s 年（不早于 %(earliest)s）")
                      % {"max_years": max_years, "earliest": years_before(today, max_years)}, field="start")
    if purpose not in Purpose.values:
        raise Refused(gettext("用途应为：金融、商务经营、行政管理或其他"), field="purpose")
    purpose_text = (purpose_text or "").strip()
    if len(purpose_text) > PURPOSE_TEXT_MAX:
        raise Refused(gettext("用途说明过长（%(length)s 字，最多 %(most)s 字）")
                      % {"length": len(purpose_text), "most": PURPOSE_TEXT_MAX}, field="purpose_text")
    return Query(entity, chosen, all_domains, start, end, purpose, purpose_text)


# One query per process every few seconds rather than one per rule read; a change saved in another
# process is seen here at most this late.
OFFICE_RULES_TTL_SECONDS = 5.0
_office_rules: tuple[float, dict | None] | None = None


def rule(name: str) -> Any:
    """A report rule in force: for those the office may change in its console (RuleSettings.SETTINGS)
    its saved value once it has saved one, else the environment's (cleanrecord.conf)."""
    if name not in RuleSettings.SETTINGS:
        return conf.get(name)
    saved = office_rules()
    return saved[name] if saved is not None else conf.environment(name)


def office_rules() -> dict | None:
    """The rules the office saved, by setting name, or None while it has saved none."""
    global _office_rules
    now = time.monotonic()
    if _office_rules is None or now - _office_rules[0] > OFFICE_RULES_TTL_SECONDS:
        row = RuleSettings.objects.first()
        values = {name: getattr(row, field) for name, field in RuleSettings.SETTINGS.items()} if row else None
        _office_rules = (now, values)
    return _office_rules[1]


def forget_office_rules() -> None:
    """Read the office's rules afresh on the next rule(): called when they are saved."""
    global _office_rules
    _office_rules = None


@receiver(post_save, sender=RuleSettings, dispatch_uid="reports.rules.forget_office_rules")
def _office_rules_saved(**kwargs) -> None:
    forget_office_rules()
    transaction.on_commit(forget_office_rules)  # a read before commit may have cached the old row


def environment_rules() -> dict:
    """The office's rules as the environment sets them, by RuleSettings field (what its console starts from)."""
    return {field: conf.environment(name) for name, field in RuleSettings.SETTINGS.items()}


def rules_in_force() -> dict:
    return {
        "include_simple_procedure": rule("REPORT_INCLUDE_SIMPLE_PROCEDURE"),
        "repaired_records": rule("REPORT_REPAIRED_RECORDS"),
        "nothing_found_text": rule("REPORT_NOTHING_FOUND_TEXT"),
        "default_years": rule("REPORT_DEFAULT_YEARS"),
        "max_years": rule("REPORT_MAX_YEARS"),
        "valid_days": rule("REPORT_VALID_DAYS"),
        "judgments_on_single_domain": conf.get("REPORT_JUDGMENTS_ON_SINGLE_DOMAIN"),
        "listings_any_region": conf.get("REPORT_LISTINGS_ANY_REGION"),
        "national_list_types": list(conf.get("REPORT_NATIONAL_LIST_TYPES")),
    }


def wording() -> dict:
    """The city's wording of the report, frozen into the snapshot: the signed text never changes after issue."""
    return {
        "title": conf.get("REPORT_TITLE"),
        "legal_basis": conf.get("REPORT_LEGAL_BASIS"),
        "replaces": conf.get("REPORT_REPLACES_STATEMENT"),
        "not_covered": list(conf.get("REPORT_NOT_COVERED")),
        "responsibility": conf.get("REPORT_SOURCE_RESPONSIBILITY"),
    }


def nothing_found(template: str, kinds: tuple[str, ...]) -> str:
    """The statement of a domain with no record, naming the kinds searched.

    The text is a template whose `{kinds}` becomes "行政处罚、行政强制、严重失信"; a text saved before it
    was a template (without the placeholder) keeps its words and gets the kinds searched after it.
    """
    names = "、".join(kinds)
    if KINDS_PLACEHOLDER in template:
        return template.replace(KINDS_PLACEHOLDER, names)
    return f"{template}（查询范围：{names}记录）"


def _amounts(p: Penalty) -> str:
    parts = []
    if p.fine_wan:
        parts.append(f"罚款 {p.fine_wan.normalize():f} 万元")
    if p.confiscated_wan:
        parts.append(f"没收违法所得、非法财物 {p.confiscated_wan.normalize():f} 万元")
    return "；".join(parts)


@dataclass(frozen=True)
class Scope:
    """Whose records, in which domains (None: all of them) and which period a report searches."""

    subject: str
    domains: tuple[str, ...] | None
    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, query: "Query") -> "Scope":
        return cls(query.entity.credit_code, None if query.all_domains else tuple(d.code for d in query.domains),
                   query.start, query.end)


def region() -> Region:
    """The platform's region (cached; see reference.regions)."""
    return regions.root()


def decided_in_region() -> Q:
    """Records decided by an authority of the region: their 地方编码 starts with one of the region's
    prefixes or, when the row gave none (the national 双公示 layout has no such column), the authority's
    credit code does in its area part (characters 3–8: where it was registered). Every record kind
    counts by this rule."""
    authority_area = Substr("authority_code", 3, 6)
    by_authority = Q(*(StartsWith(authority_area, p) for p in regions.prefixes()), _connector=Q.OR)
    return regions.in_region("region_code") | (Q(region_code="") & by_authority)


def listings_counted_here(rules: dict) -> Q:
    """Which listings count by where their authority is (CLEANRECORD_REPORT_LISTINGS_ANY_REGION):
    "all" wherever it is, "national" those of the region and any on a national list (失信被执行人 …),
    "none" those of the region only. Reports issued before the setting existed searched every region."""
    mode = rules.get("listings_any_region", "all")
    if mode == "all":
        return Q()
    if mode == "national":
        return decided_in_region() | Q(list_type__in=rules.get("national_list_types", []))
    return decided_in_region()


def _chosen(qs, scope: Scope, rules: dict):
    """Records of the chosen domains (all when scope.domains is None); repaired ones left out when the rules
    say so."""
    if scope.domains is not None:
        qs = qs.filter(domain__in=scope.domains)
    if rules["repaired_records"] == "hide":
        qs = qs.filter(repaired_on__isnull=True)
    return qs


def counted_penalties(scope: Scope, rules: dict):
    """Penalties that count: decided in the period by an authority of the region, in a chosen domain,
    not revoked, not confidential, not 不予处罚; 简易程序 and repaired ones as the rules say."""
    qs = (Penalty.objects.for_subject(scope.subject)
          .filter(decided_in_region(), decided_on__gte=scope.start, decided_on__lte=scope.end, confidential=False,
                  not_penalised=False)
          .exclude(status=RecordStatus.REVOKED))
    if not rules["include_simple_procedure"]:
        qs = qs.exclude(procedure="simple")
    return _chosen(qs, scope, rules).order_by("decided_on", "id")


def counted_compulsions(scope: Scope, rules: dict):
    """行政强制 that count: decided in the period by an authority of the region, in a chosen domain, not
    revoked, not confidential; lifted ones count too (labelled 已解除), repaired ones as the rules say."""
    qs = (Compulsion.objects.for_subject(scope.subject)
          .filter(decided_in_region(), decided_on__gte=scope.start, decided_on__lte=scope.end, confidential=False)
          .exclude(status=RecordStatus.REVOKED))
    return _chosen(qs, scope, rules).order_by("decided_on", "id")


def counted_judgments(scope: Scope, rules: dict):
    """Criminal judgments that count: took effect in the period, by a court of the region, not 无罪, not set
    aside on retrial, not revoked, not confidential; in whatever domain (a conviction belongs to none)."""
    qs = (Judgment.objects.for_subject(scope.subject)
          .filter(decided_in_region(), effective_on__gte=scope.start, effective_on__lte=scope.end, confidential=False,
                  set_aside_on__isnull=True)
          .exclude(status=RecordStatus.REVOKED)
          .exclude(verdict=Verdict.ACQUITTED))
    return _chosen(qs, Scope(scope.subject, None, scope.start, scope.end), rules).order_by("effective_on", "id")


def shows_judgments(all_domains: bool, rules: dict) -> bool:
    """Every report has the 刑事 section, unless the city turned it off for reports on chosen domains."""
    return all_domains or rules.get("judgments_on_single_domain", True)


def counted_listings(scope: Scope, rules: dict):
    """Listings that count: the entity was on the list at any time inside the period, listed by an
    authority the rules take (listings_counted_here)."""
    qs = (Listing.objects.for_subject(scope.subject)
          .filter(listings_counted_here(rules), listed_on__lte=scope.end, confidential=False)
          .filter(Q(removed_on__isnull=True) | Q(removed_on__gte=scope.start))
          .exclude(status=RecordStatus.REVOKED))
    return _chosen(qs, scope, rules).order_by("listed_on", "id")


def _wan(value) -> str:
    return f"{value.normalize():f}"


def _sentence(j: Judgment) -> str:
    parts = []
    if j.verdict == Verdict.EXEMPTED:
        parts.append(str(Verdict.EXEMPTED.label))
    if j.fine_wan:
        parts.append(f"罚金 {_wan(j.fine_wan)} 万元")
    if j.other_sentence:
        parts.append(j.other_sentence)
    return "；".join(parts)


# Only the columns a report prints: an entity may have thousands of records, each with 37 columns.
PENALTY_COLUMNS = ("id", "version", "content_hash", "domain_id", "decision_no", "authority_name", "decided_on",
                   "categories", "content", "violation_type", "facts", "basis", "fine_wan", "confiscated_wan",
                   "procedure", "repaired_on")
COMPULSION_COLUMNS = ("id", "version", "content_hash", "domain_id", "decision_no", "authority_name", "decided_on",
                      "compulsion_type", "category", "reason", "basis", "lifted_on", "repaired_on")
LISTING_COLUMNS = ("id", "version", "content_hash", "domain_id", "case_no", "decision_no", "authority_name",
                   "listed_on", "removed_on", "list_type", "reason", "repaired_on")
JUDGMENT_COLUMNS = ("id", "version", "content_hash", "case_no", "authority_name", "charges", "verdict", "judged_on",
                    "effective_on", "fine_wan", "other_sentence", "summary", "repaired_on")


def _record(kind: str, record, **fields) -> dict:
    """A record as a report prints it: the keys every kind has, then the kind's own."""
    base = {"kind": kind, "id": record.pk, "version": record.version, "content_hash": record.content_hash,
            "violation": "", "facts": "", "basis": "", "amounts": "", "period": "", "procedure": ""}
    return {**base, **fields}


def penalty_record(p: Penalty) -> dict:
    return _record("penalty", p, title=kind_text("penalty"), number=p.decision_no, authority=p.authority_name,
                   date=p.decided_on.isoformat(), category=p.categories, content=p.content,
                   violation=p.violation_type, facts=p.facts, basis=p.basis, amounts=_amounts(p),
                   procedure=p.get_procedure_display() if p.procedure else "")


def compulsion_record(c: Compulsion, today: dt.date) -> dict:
    lifted_on = c.lifted_on if c.lifted_on is not None and c.lifted_on <= today else None
    period = f"{c.decided_on} 决定" + (f"，{lifted_on} 解除" if lifted_on else "，尚未解除")
    return _record("compulsion", c, title=kind_text("compulsion"), number=c.decision_no, authority=c.authority_name,
                   date=c.decided_on.isoformat(), type=str(c.get_compulsion_type_display()), category=c.category,
                   content=c.reason, basis=c.basis, period=period,
                   lifted_on=lifted_on.isoformat() if lifted_on else "", labels=[LIFTED] if lifted_on else [])


def listing_record(li: Listing, today: dt.date) -> dict:
    period = f"{li.listed_on} 列入" + (f"，{li.removed_on} 移出" if li.removed_on else "，至今未移出")
    removed = li.removed_on is not None and li.removed_on <= today
    return _record("listing", li, title=kind_text("listing"), number=li.case_no or li.decision_no,
                   authority=li.authority_name, date=li.listed_on.isoformat(), category=li.list_type,
                   content=li.reason, period=period, labels=[REMOVED] if removed else [])


@dataclass(frozen=True)
class DomainKind:
    """A record kind a domain line searches: which records count, the columns the report reads (and
    `number`, the one naming a record), and the record as the report prints it."""

    kind: str
    counted: Callable[[Scope, dict], QuerySet]
    columns: tuple[str, ...]
    number: str
    printed: Callable[[Any, dt.date], dict]

    @property
    def name(self) -> str:
        """What the line calls the kind (行政处罚, 行政强制, 严重失信): kept in the snapshot's `kinds`."""
        return kind_text(self.kind, short=True)


# In the order a domain lists them; the "nothing found" statement names exactly these. Judgments belong to
# no domain: they have a section of their own.
DOMAIN_KINDS = (
    DomainKind("penalty", counted_penalties, PENALTY_COLUMNS, "decision_no", lambda p, today: penalty_record(p)),
    DomainKind("compulsion", counted_compulsions, COMPULSION_COLUMNS, "decision_no", compulsion_record),
    DomainKind("listing", counted_listings, LISTING_COLUMNS, "listing_ref", listing_record),
)


def judgment_record(j: Judgment) -> dict:
    return _record("judgment", j, title=kind_text("judgment"), number=j.case_no, authority=j.authority_name,
                   date=j.effective_on.isoformat(), judged_on=j.judged_on.isoformat(), category=j.charges,
                   content=j.summary, amounts=_sentence(j))


def _found_statement(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    each = "、".join(f"{kind} {n} 条" for kind, n in counts.items() if n)
    return f"查询期内，该主体在本领域存在 {total} 条违法违规记录（{each}），详见下文"


def compute(query: Query, *, today: dt.date) -> dict:
    """The report's content: entity, query, rules, wording, a summary per domain, the records found and the
    criminal judgments section (None when the city leaves it off this report)."""
    rules = rules_in_force()
    code = query.entity.credit_code
    objected = Objection.objects.open_record_keys(code)
    explanations = {(e.kind, e.record_id): e.to_dict()
                    for e in SeverityExplanation.objects.filter(subject_key=code).order_by("signed_on", "id")}
    found: dict[str, list[dict]] = {d.code: [] for d in query.domains}

    def finished(record, out: dict) -> dict:
        """The labels (objection, repair, then the kind's own) and the severity explanation."""
        own = out.pop("labels", [])
        labels = [UNDER_OBJECTION] if (out["kind"], record.pk) in objected else []
        if record.repaired_on:
            labels.append(REPAIRED)
        out["labels"] = labels + own
        out["explanation"] = explanations.get((out["kind"], record.pk))
        return out

    scope = Scope.of(query)
    counts: dict[str, dict[str, int]] = {d.code: dict.fromkeys((k.name for k in DOMAIN_KINDS), 0)
                                         for d in query.domains}
    for kind in DOMAIN_KINDS:
        for record in kind.counted(scope, rules).only(*kind.columns):
            found[record.domain_id].append(finished(record, kind.printed(record, today)))
            counts[record.domain_id][kind.name] += 1

    searched = tuple(k.name for k in DOMAIN_KINDS)
    nothing = nothing_found(rules["nothing_found_text"], searched)
    summary, details = [], []
    for d in query.domains:
        records = found[d.code]
        statement = _found_statement(counts[d.code]) if records else nothing
        summary.append({"code": d.code, "name": d.name, "order": d.order, "found": len(records),
                        "statement": statement, "kinds": list(searched)})
        if records:
            details.append({"code": d.code, "name": d.name, "records": records})

    judgments = None
    if shows_judgments(query.all_domains, rules):
        # Any domain: the query's domains only decide whether the section is there.
        records = [finished(j, judgment_record(j))
                   for j in counted_judgments(Scope(code, None, query.start, query.end), rules)
                   .only(*JUDGMENT_COLUMNS)]
        judgments = {
            "found": len(records),
            "statement": (f"查询期内，该主体存在 {len(records)} 条生效刑事判决记录，详见下文" if records
                          else "查询期内，未发现刑事判决记录"),
            "records": records,
        }
    fresh = freshness.annotate_summary(summary, today=today)  # each domain's as_of and silence_note
    root = region()
    entity = query.entity
    return _masked({  # whoever holds the code reads the report: a person's ID number written in any text is masked
        "region": {"code": root.code, "name": root.name},
        "entity": {
            "name": entity.name, "credit_code": entity.credit_code, "kind": entity.kind,
            "kind_label": str(entity.get_kind_display()), "legal_rep": entity.legal_rep,
            "status_label": str(entity.get_status_display()),
        },
        "query": {
            "start": query.start.isoformat(), "end": query.end.isoformat(),
            "domains": [d.code for d in query.domains], "all_domains": query.all_domains,
            "purpose": query.purpose, "purpose_label": str(Purpose(query.purpose).label),
            "purpose_text": query.purpose_text,
        },
        "rules": rules,
        "wording": wording(),
        "summary": summary,
        "freshness": fresh,
        "details": details,
        "judgments": judgments,
        "notes": notes(root.name, rules, judgments=judgments is not None),
    })


def _masked(value):
    if isinstance(value, str):
        return mask_id_numbers_in(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def notes(region_name: str, rules: dict, *, judgments: bool) -> list[str]:
    simple = "含" if rules["include_simple_procedure"] else "不含"
    repaired = "标注“已修复”后列示" if rules["repaired_records"] == "label" else "不再列示"
    sources = "行政处罚（“双公示”）、行政强制、严重失信主体名单" + ("和刑事判决" if judgments else "")
    return [
        f"本报告依据{region_name}信用信息共享平台归集的{sources}信息生成，"
        f"反映查询期内该主体在所选领域、{region_name}行政区域内的违法违规记录情况。",
        "本报告不包含涉密信息及依法不予公开的信息，不包含平台数据来源范围以外的事项；"
        "依法不予行政处罚的决定，已撤销、撤回或确认无效的处罚和强制决定，宣告无罪或经再审撤销的判决，"
        "不列入违法违规记录。已解除的行政强制照常列示并标注“已解除”。",
        f"适用简易程序作出的行政处罚：{simple}。已完成信用修复的记录：{repaired}。"
        f"正在异议处理中的记录照常列示并标注“异议处理中”。",
        "核验方式：扫描报告首页二维码，或在平台核验页面输入核验码，可核验报告真实性、有效性及出具后相关信息的变化情况；"
        "报告的电子签名可用平台公布的根证书离线验证。",
        *listing_region_note(rules),
    ]


def listing_region_note(rules: dict) -> list[str]:
    """What the report says about listings by authorities outside the region (none when it takes none)."""
    mode = rules.get("listings_any_region", "all")
    if mode == "national":
        return ["严重失信主体名单中的全国性名单（如失信被执行人名单），不论认定部门所在地，均予列示。"]
    if mode == "all":
        return ["严重失信主体名单不论认定部门所在地，均予列示。"]
    return []
