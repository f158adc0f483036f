"""The report as the verification page shows it: each domain's records with their labels, exactly as the PDF
printed them (read from the snapshot, laid out by the PDF's own print plan), and beside each record what
changed since issue. Plain data for the template; no query.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from cleanrecord import conf
from cleanrecord.reports import rules
from cleanrecord.reports.languages import text_of
from cleanrecord.reports.render import print_plan
from cleanrecord.reports.snapshot import AnyRecord, Explanation, Snapshot, SummaryRow

from .services import JUDGMENTS, JUDGMENTS_NAME, Change

# Keys whose values are codes or numbers a verifier compares character by character: never wrapped mid-code.
CODE_KEYS = frozenset({"number"})

# A label's look (its colour only repeats the word, as on the PDF), by the label the snapshot keeps.
LABEL_CLASSES = {rules.UNDER_OBJECTION: "tag-objection", rules.REPAIRED: "tag-repaired", rules.LIFTED: "tag-repaired",
                 rules.REMOVED: "tag-removed"}


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


@dataclass(frozen=True)
class Printed:
    """The words the report printed: its own table (report.typ's T, frozen into an English report's snapshot),
    so the page shows a record's fields and labels in the report's language, exactly as on the PDF."""

    record_labels: dict[str, dict[str, str]]  # per record kind, the keys a record block prints, in order
    words: dict[str, str]  # the platform's Chinese words as the report printed them (labels, kinds): English only

    @classmethod
    def of(cls, snapshot: Snapshot) -> "Printed":
        text = text_of(snapshot)
        return cls(text["record_labels"], text.get("values", {}) if snapshot.get("labels") else {})

    def word(self, text: str) -> str:
        return self.words.get(text, text)


def _shown(index: int, record: AnyRecord, changes: list[str], printed: Printed) -> ShownRecord:
    values: dict = dict(record)
    table = printed.record_labels.get(record["kind"], printed.record_labels["penalty"])
    facts = [Fact(label, str(values.get(key, "")), key in CODE_KEYS) for key, label in table.items() if values.get(key)]
    summary = "；".join(part for part in (record["category"], record["content"]) if part)
    return ShownRecord(
        index=index, title=printed.word(record["title"]), number=record["number"], authority=record["authority"],
        date=record["date"], summary=summary, amounts=record["amounts"] + record["period"],
        labels=[Label(printed.word(text), LABEL_CLASSES.get(text, "")) for text in record["labels"]], facts=facts,
        explanation=record["explanation"], changes=changes)


def _domain(domain: ShownDomain, records: list[AnyRecord], printed: int, compact: bool,
            changes: list[Change], words: Printed) -> ShownDomain:
    by_number: dict[str, list[str]] = {}
    for c in changes:
        by_number.setdefault(c.number, []).append(c.what)
    shown = records[:printed]
    numbers = {r["number"] for r in shown}
    domain.count, domain.compact, domain.cut = len(records), compact, printed < len(records)
    domain.records = [_shown(i, r, by_number.get(r["number"], []), words) for i, r in enumerate(shown, 1)]
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
    words = Printed.of(snapshot)
    details = {block["code"]: (block, layout) for block, layout in zip(snapshot["details"], plan["domains"],
                                                                         strict=True)}
    out = []
    for row in snapshot["summary"]:
        domain = ShownDomain(row["code"], row["name"], row["statement"], row)
        block, layout = details.get(row["code"], (None, None))
        records: list[AnyRecord] = block["records"] if block else []
        printed, compact = (layout["printed"], layout["compact"]) if layout else (0, False)
        out.append(_domain(domain, records, printed, compact, by_domain.get(row["name"], []), words))
    section = snapshot["judgments"]
    if section is not None:
        # Judgments print as blocks, every one (report.typ): they are few.
        domain = ShownDomain(JUDGMENTS, str(_("刑事")), section["statement"], None)
        records = list(section["records"])
        out.append(_domain(domain, records, len(records), False, by_domain.get(JUDGMENTS_NAME, []), words))
    return out
