"""The report as the verification page shows it: each domain's records with their labels, exactly as the PDF
printed them (read from the snapshot, laid out by the PDF's own print plan), and beside each record what
changed since issue. Plain data for the template; no query.
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cleanrecord import conf
from cleanrecord.reports.render import print_plan
from cleanrecord.reports.snapshot import AnyRecord, Explanation, Snapshot, SummaryRow

from .services import JUDGMENTS, Change

# Per record kind, the keys a record block prints and their labels, in order: the PDF's record-labels
# (reports/typst/report.typ; test_display.py holds the two to the same keys and words).
RECORD_LABELS: dict[str, tuple[tuple[str, str | Promise], ...]] = {
    "penalty": (
        ("number", _("处罚决定书文号")), ("authority", _("处罚机关")), ("date", _("处罚决定日期")),
        ("procedure", _("程序")), ("violation", _("违法行为类型")), ("facts", _("违法事实")),
        ("basis", _("处罚依据")), ("category", _("处罚类别")), ("content", _("处罚内容")),
        ("amounts", _("罚没金额")), ("period", _("处罚期限")),
    ),
    "compulsion": (
        ("number", _("行政强制决定书文号")), ("authority", _("实施机关")), ("type", _("强制类型")),
        ("category", _("强制类别")), ("content", _("事由")), ("basis", _("依据")), ("date", _("决定日期")),
        ("lifted_on", _("解除日期")),
    ),
    "listing": (
        ("number", _("认定文号/案号")), ("authority", _("认定部门")), ("date", _("列入日期")),
        ("category", _("名单类别")), ("content", _("失信行为简况")), ("amounts", _("涉及金额")),
        ("period", _("列入期间")),
    ),
    "judgment": (
        ("number", _("案号")), ("authority", _("审理法院")), ("category", _("罪名")),
        ("judged_on", _("判决（裁定）日期")), ("date", _("生效日期")), ("amounts", _("刑罚")),
        ("content", _("判决结果摘要")),
    ),
}
# Keys whose values are codes or numbers a verifier compares character by character: never wrapped mid-code.
CODE_KEYS = frozenset({"number"})

# A label's look (its colour only repeats the word, as on the PDF).
LABEL_CLASSES = {"异议处理中": "tag-objection", "已修复": "tag-repaired", "已解除": "tag-repaired",
                 "已移出名单": "tag-removed"}


@dataclass
class Label:
    text: str
    css: str


@dataclass
class Fact:
    label: str
    value: str
    code: bool


@dataclass
class ShownRecord:
    index: int
    title: str
    number: str
    authority: str
    date: str
    summary: str  # category；content, for the one-line form of a long domain
    amounts: str
    labels: list[Label]
    facts: list[Fact]
    explanation: Explanation | None
    changes: list[str]  # what changed since issue, in words


@dataclass
class ShownDomain:
    code: str
    name: str
    statement: str
    row: SummaryRow | None  # the summary row (as_of, silence note); None for the 刑事 section
    count: int = 0
    records: list[ShownRecord] = field(default_factory=list)
    compact: bool = False  # a long domain: one line per record, as the PDF prints it
    cut: bool = False  # not every record is shown: the PDF's attachment holds them all
    other_changes: list[Change] = field(default_factory=list)  # changes not on a shown record (new records)

    @property
    def changed(self) -> bool:
        return bool(self.other_changes) or any(r.changes for r in self.records)


def _shown(index: int, record: AnyRecord, changes: list[str]) -> ShownRecord:
    values: dict = dict(record)
    facts = [Fact(str(label), str(values.get(key, "")), key in CODE_KEYS)
             for key, label in RECORD_LABELS.get(record["kind"], RECORD_LABELS["penalty"]) if values.get(key)]
    summary = "；".join(part for part in (record["category"], record["content"]) if part)
    return ShownRecord(
        index=index, title=record["title"], number=record["number"], authority=record["authority"],
        date=record["date"], summary=summary, amounts=record["amounts"] + record["period"],
        labels=[Label(text, LABEL_CLASSES.get(text, "")) for text in record["labels"]], facts=facts,
        explanation=record["explanation"], changes=changes)


def _domain(domain: ShownDomain, records: list[AnyRecord], printed: int, compact: bool,
            changes: list[Change]) -> ShownDomain:
    by_number: dict[str, list[str]] = {}
    for c in changes:
        by_number.setdefault(c.number, []).append(c.what)
    shown = records[:printed]
    numbers = {r["number"] for r in shown}
    domain.count, domain.compact, domain.cut = len(records), compact, printed < len(records)
    domain.records = [_shown(i, r, by_number.get(r["number"], [])) for i, r in enumerate(shown, 1)]
    domain.other_changes = [c for c in changes if c.number not in numbers]
    return domain


def report_domains(snapshot: Snapshot, changes: list[Change]) -> list[ShownDomain]:
    """Each domain of the report in order, with the records the PDF printed for it and their labels, then the 刑事
    section when the report has one; each record carries what changed about it since issue (Change names a
    record by domain and number), and each domain the changes that name no record it shows."""
    by_domain: dict[str, list[Change]] = {}
    for c in changes:
        by_domain.setdefault(c.domain, []).append(c)
    plan = print_plan(snapshot, conf.get("REPORT_MAX_PRINTED_RECORDS"))
    details = {block["code"]: (block, layout) for block, layout in zip(snapshot["details"], plan["domains"],
                                                                         strict=True)}
    out = []
    for row in snapshot["summary"]:
        domain = ShownDomain(row["code"], row["name"], row["statement"], row)
        block, layout = details.get(row["code"], (None, None))
        records: list[AnyRecord] = block["records"] if block else []
        printed, compact = (layout["printed"], layout["compact"]) if layout else (0, False)
        out.append(_domain(domain, records, printed, compact, by_domain.get(row["name"], [])))
    section = snapshot["judgments"]
    if section is not None:
        # Judgments print as blocks, every one (report.typ): they are few.
        domain = ShownDomain(JUDGMENTS, str(_("刑事")), section["statement"], None)
        records = list(section["records"])
        out.append(_domain(domain, records, len(records), False, by_domain.get("刑事", [])))
    return out
