"""What a report says: the rules of domain brief §6, each city-variable one read from settings.

`build_query()` checks what the entity asked for and refuses, with a reason in Chinese, anything a
report cannot answer. `compute()` reads the records and returns the report's content as plain
data; services.issue_report() freezes it into the snapshot that the PDF, the verification page and
the API all render.
"""

import datetime as dt
import functools
from dataclasses import dataclass

from django.db.models import Q

from cleanrecord import conf
from cleanrecord.entities.models import Entity, EntityStatus
from cleanrecord.freshness import services as freshness
from cleanrecord.lib.identifiers import CodeCheck, check_credit_code, looks_like_id_number, mask_id_numbers_in
from cleanrecord.objections.models import Objection, SeverityExplanation
from cleanrecord.records.models import Listing, Penalty, RecordStatus
from cleanrecord.reference.models import Domain, Region

from .models import Purpose

REPAIRED = "已修复"
UNDER_OBJECTION = "异议处理中"
REMOVED = "已移出名单"


class ReportRefused(ValueError):
    """The request cannot be answered by a report; the message says why, in Chinese."""


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
    return years_before(today, conf.get("REPORT_DEFAULT_YEARS")) + dt.timedelta(days=1), today


PURPOSE_TEXT_MAX = 200  # Report.purpose_text


def build_query(*, credit_code: str, domains: str | list[str], start: dt.date | None, end: dt.date | None,
                purpose: str, purpose_text: str = "", today: dt.date) -> Query:
    code = (credit_code or "").strip().upper()
    if check_credit_code(code) is CodeCheck.INVALID:
        raise ReportRefused(f"统一社会信用代码“{credit_code}”格式不正确（应为 18 位）")
    if looks_like_id_number(code):  # a person's number stored as a code by older imports: never printed on a report
        raise ReportRefused("该代码为居民身份证号码，不是经营主体的统一社会信用代码，不能出具专用信用报告")
    entity = Entity.objects.filter(credit_code=code).first()
    if entity is None:
        raise ReportRefused(f"未找到统一社会信用代码为 {code} 的经营主体")
    if not entity.region_code.startswith(region_prefix()):
        raise ReportRefused(f"该主体登记地（{entity.region_code}）不在{region().name}行政区域内，不能出具本地专用信用报告")
    if entity.status in (EntityStatus.CANCELLED, EntityStatus.MOVED):
        raise ReportRefused(f"该主体登记状态为“{entity.get_status_display()}”，不能出具专用信用报告")

    all_domains = domains == "all" or domains == ["all"]
    by_code = {d.code: d for d in Domain.objects.all()}
    if all_domains:
        chosen = tuple(by_code.values())
    else:
        codes = [c.strip() for c in (domains or []) if c and c.strip()]
        if not codes:
            raise ReportRefused("请至少选择一个领域")
        unknown = [c for c in codes if c not in by_code]
        if unknown:
            raise ReportRefused(f"未知领域：{'、'.join(unknown)}")
        chosen = tuple(sorted({by_code[c] for c in codes}, key=lambda d: d.order))
        all_domains = len(chosen) == len(by_code)

    default_start, default_end = default_period(today)
    start, end = start or default_start, end or default_end
    if end > today:
        raise ReportRefused(f"查询期止（{end}）不能晚于今天（{today}）")
    if start > end:
        raise ReportRefused(f"查询期起（{start}）不能晚于查询期止（{end}）")
    max_years = conf.get("REPORT_MAX_YEARS")
    if start < years_before(today, max_years):
        raise ReportRefused(f"查询期最长追溯 {max_years} 年（不早于 {years_before(today, max_years)}）")
    if purpose not in Purpose.values:
        raise ReportRefused("用途应为：金融、商务经营、行政管理或其他")
    purpose_text = (purpose_text or "").strip()
    if len(purpose_text) > PURPOSE_TEXT_MAX:
        raise ReportRefused(f"用途说明过长（{len(purpose_text)} 字，最多 {PURPOSE_TEXT_MAX} 字）")
    return Query(entity, chosen, all_domains, start, end, purpose, purpose_text)


def rules_in_force() -> dict:
    return {
        "include_simple_procedure": conf.get("REPORT_INCLUDE_SIMPLE_PROCEDURE"),
        "repaired_records": conf.get("REPORT_REPAIRED_RECORDS"),
        "nothing_found_text": conf.get("REPORT_NOTHING_FOUND_TEXT"),
        "default_years": conf.get("REPORT_DEFAULT_YEARS"),
        "max_years": conf.get("REPORT_MAX_YEARS"),
        "valid_days": conf.get("REPORT_VALID_DAYS"),
    }


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


@functools.cache
def region() -> Region:
    """The platform's region. Cached for the life of the process: it is reference data, set once per
    deployment, and every report and every verification needs it."""
    return Region.root()


def region_prefix() -> str:
    """The first four digits of the region's code: records of authorities elsewhere do not count."""
    return region().code[:4]


def counted_penalties(scope: Scope, rules: dict):
    """Penalties that count: decided in the period by an authority of the region, in a chosen domain,
    not revoked, not confidential, not 不予处罚; 简易程序 and repaired ones as the rules say."""
    qs = (Penalty.objects.for_subject(scope.subject)
          .filter(decided_on__gte=scope.start, decided_on__lte=scope.end, confidential=False, not_penalised=False,
                  region_code__startswith=region_prefix())
          .exclude(status=RecordStatus.REVOKED))
    if scope.domains is not None:
        qs = qs.filter(domain__in=scope.domains)
    if not rules["include_simple_procedure"]:
        qs = qs.exclude(procedure="simple")
    if rules["repaired_records"] == "hide":
        qs = qs.filter(repaired_on__isnull=True)
    return qs.order_by("decided_on", "id")


def counted_listings(scope: Scope, rules: dict):
    """Listings that count: the entity was on the list at any time inside the period."""
    qs = (Listing.objects.for_subject(scope.subject)
          .filter(listed_on__lte=scope.end, confidential=False)
          .filter(Q(removed_on__isnull=True) | Q(removed_on__gte=scope.start))
          .exclude(status=RecordStatus.REVOKED))
    if scope.domains is not None:
        qs = qs.filter(domain__in=scope.domains)
    if rules["repaired_records"] == "hide":
        qs = qs.filter(repaired_on__isnull=True)
    return qs.order_by("listed_on", "id")


def compute(query: Query, *, today: dt.date) -> dict:
    """The report's content: entity, query, rules, a summary per domain and the records found."""
    rules = rules_in_force()
    code = query.entity.credit_code
    objected = Objection.objects.open_record_keys(code)
    explanations = {(e.kind, e.record_id): e.to_dict()
                    for e in SeverityExplanation.objects.filter(subject_key=code).order_by("signed_on", "id")}
    found: dict[str, list[dict]] = {d.code: [] for d in query.domains}

    def labels(kind: str, record) -> list[str]:
        out = []
        if (kind, record.pk) in objected:
            out.append(UNDER_OBJECTION)
        if record.repaired_on:
            out.append(REPAIRED)
        return out

    scope = Scope.of(query)
    # Only the columns a report prints: an entity may have thousands of records, each with 37 columns.
    penalties = counted_penalties(scope, rules).only(
        "id", "version", "content_hash", "domain_id", "decision_no", "authority_name", "decided_on", "categories",
        "content", "violation_type", "fine_wan", "confiscated_wan", "procedure", "repaired_on")
    listings = counted_listings(scope, rules).only(
        "id", "version", "content_hash", "domain_id", "case_no", "decision_no", "authority_name", "listed_on",
        "removed_on", "list_type", "reason", "repaired_on")
    for p in penalties:
        found[p.domain_id].append({
            "kind": "penalty", "id": p.pk, "version": p.version, "content_hash": p.content_hash,
            "title": "行政处罚", "number": p.decision_no, "authority": p.authority_name,
            "date": p.decided_on.isoformat(), "category": p.categories, "content": p.content,
            "violation": p.violation_type, "amounts": _amounts(p), "period": "",
            "procedure": p.get_procedure_display() if p.procedure else "",
            "labels": labels("penalty", p), "explanation": explanations.get(("penalty", p.pk)),
        })
    for li in listings:
        period = f"{li.listed_on} 列入" + (f"，{li.removed_on} 移出" if li.removed_on else "，至今未移出")
        record_labels = labels("listing", li)
        if li.removed_on and li.removed_on <= today:
            record_labels.append(REMOVED)
        found[li.domain_id].append({
            "kind": "listing", "id": li.pk, "version": li.version, "content_hash": li.content_hash,
            "title": "严重失信主体名单", "number": li.case_no or li.decision_no, "authority": li.authority_name,
            "date": li.listed_on.isoformat(), "category": li.list_type, "content": li.reason,
            "violation": "", "amounts": "", "period": period, "procedure": "",
            "labels": record_labels, "explanation": explanations.get(("listing", li.pk)),
        })

    nothing = rules["nothing_found_text"]
    summary, details = [], []
    for d in query.domains:
        records = found[d.code]
        statement = nothing if not records else f"查询期内，该主体在本领域存在 {len(records)} 条违法违规记录，详见下文"
        summary.append({"code": d.code, "name": d.name, "order": d.order, "found": len(records), "statement": statement})
        if records:
            details.append({"code": d.code, "name": d.name, "records": records})
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
        "summary": summary,
        "freshness": fresh,
        "details": details,
        "notes": notes(root.name, rules),
    })


def _masked(value):
    if isinstance(value, str):
        return mask_id_numbers_in(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def notes(region_name: str, rules: dict) -> list[str]:
    simple = "含" if rules["include_simple_procedure"] else "不含"
    repaired = "标注“已修复”后列示" if rules["repaired_records"] == "label" else "不再列示"
    return [
        f"本报告依据{region_name}信用信息共享平台归集的行政处罚（“双公示”）信息和严重失信主体名单信息生成，"
        f"反映查询期内该主体在所选领域、{region_name}行政区域内的违法违规记录情况。",
        "本报告不包含涉密信息及依法不予公开的信息，不包含平台数据来源范围以外的事项；"
        "依法不予行政处罚的决定，以及已撤销、撤回或确认无效的处罚决定，不列入违法违规记录。",
        f"适用简易程序作出的行政处罚：{simple}。已完成信用修复的记录：{repaired}。"
        f"正在异议处理中的记录照常列示并标注“异议处理中”。",
        "核验方式：扫描报告首页二维码，或在平台核验页面输入核验码，可核验报告真实性、有效性及出具后相关信息的变化情况；"
        "报告的电子签名可用平台公布的根证书离线验证。",
    ]
