"""The report snapshot's shape: the one description of what a report says.

`rules.compute()` and `services.issue_report()` write a snapshot (plain JSON data, hashed and signed at
issue); the PDF (render.py), the report and verification pages and the API read it. A snapshot never
changes after issue, so a key added later is absent from older ones: `read_snapshot()` returns the
snapshot with those keys filled with what their absence meant, and every reader reads that, never
`.get()` with a default of its own. The PDF is the exception: Typst reads the stored snapshot as it was
signed (report.typ tells an absent key from an empty one, e.g. a summary row without `kinds`).

`shape_errors()` says where a snapshot departs from the shape (the tests hold reports.example and a
freshly issued report to it).
"""

import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypedDict, Union

RecordKindCode = Literal["penalty", "compulsion", "listing", "judgment"]


class Issuer(TypedDict):
    name: str
    platform: str
    seal_text: str


class Region(TypedDict):
    code: str
    name: str


class EntityPart(TypedDict):
    name: str
    credit_code: str
    kind: str
    kind_label: str
    legal_rep: str
    status_label: str


class QueryPart(TypedDict):
    start: str  # ISO date
    end: str
    domains: list[str]  # domain codes
    all_domains: bool
    purpose: str
    purpose_label: str
    purpose_text: str


class Rules(TypedDict, total=False):
    """The report rules in force at issue (rules.rules_in_force()). Keys added since are absent from older
    snapshots; rules.py reads those with the default that meant (e.g. listings of every region)."""

    include_simple_procedure: bool
    repaired_records: str  # label | hide
    nothing_found_text: str
    default_years: int
    max_years: int
    valid_days: int
    judgments_on_single_domain: bool
    listings_any_region: str  # all | national | none
    national_list_types: list[str]


class Wording(TypedDict):
    """The city's wording (rules.wording()); None in snapshots issued before it existed: the PDF then prints
    the old fixed wording."""

    title: str
    legal_basis: str
    replaces: str
    not_covered: list[str]
    responsibility: str


class AuditHead(TypedDict):
    entry_id: int
    hash: str
    checkpoint_at: str | None  # ISO 8601 with offset; None when no checkpoint was taken yet


class SummaryRow(TypedDict):
    """One chosen domain, in domain order."""

    code: str
    name: str
    order: int
    found: int
    statement: str
    kinds: list[str]  # the record kinds searched (行政处罚, 行政强制, 严重失信)
    as_of: str | None  # the domain's data as of (ISO date, '' unknown); None: issued before it was stated
    silence_note: str | None  # '' when none; None: issued before it was stated


class Explanation(TypedDict):
    """The deciding body's statement of how serious the matter was (objections.SeverityExplanation)."""

    category: str
    text: str
    signer: str
    date: str


class Record(TypedDict):
    """A record as the report prints it: the keys every kind has (rules._record())."""

    kind: RecordKindCode
    id: int | None  # None (and version, content_hash) only in the oldest snapshots
    version: int | None
    content_hash: str | None
    title: str  # the kind's name as printed at issue (records.models.kind_text): frozen data
    number: str
    authority: str
    date: str  # ISO date: decided, listed, or (a judgment) effective on
    category: str
    content: str
    violation: str
    facts: str
    basis: str
    amounts: str
    period: str
    procedure: str
    labels: list[str]  # 异议处理中, 已修复, 已移出名单, 已解除
    explanation: Explanation | None


class PenaltyRecord(Record):
    pass


class ListingRecord(Record):
    pass


class CompulsionRecord(Record):
    type: str  # 强制类型
    lifted_on: str  # ISO date, '' when not lifted by the day of issue


class JudgmentRecord(Record):
    judged_on: str  # ISO date; `date` is the 生效日期, category the 罪名, content the 摘要, amounts the 刑罚


AnyRecord = PenaltyRecord | CompulsionRecord | ListingRecord | JudgmentRecord
RECORD_SHAPES: dict[str, type] = {"penalty": PenaltyRecord, "compulsion": CompulsionRecord,
                                  "listing": ListingRecord, "judgment": JudgmentRecord}


class DetailBlock(TypedDict):
    """A domain with records, in domain order."""

    code: str
    name: str
    records: list[AnyRecord]


class Judgments(TypedDict):
    """The 刑事 section: across every domain. None when the city leaves it off reports on chosen domains, or
    in snapshots issued before it existed."""

    found: int
    statement: str
    records: list[JudgmentRecord]


class Freshness(TypedDict):
    """How many domains carry a silent-source note (issue 13); None in snapshots issued before."""

    silent_after_workdays: int
    noted_domains: int
    statement: str


class Snapshot(TypedDict):
    """A report's content (schema 1); all values JSON."""

    schema: int
    number: str  # LZXY-YYYYMMDD-NNNNNN
    verification_code: str  # canonical, no separators
    verification_code_display: str  # grouped
    verify_url: str
    issued_at: str  # ISO 8601 with offset
    data_as_of: str
    valid_until: str  # ISO date
    issuer: Issuer
    audit_head: AuditHead | None
    region: Region
    entity: EntityPart
    query: QueryPart
    rules: Rules
    wording: Wording | None
    summary: list[SummaryRow]
    freshness: Freshness | None
    details: list[DetailBlock]
    judgments: Judgments | None
    notes: list[str]  # what the report covers and does not, how to verify it
    language: str  # zh-hans | en (models.ReportLanguage): the language it prints in
    labels: dict | None  # an English report's fixed text (languages.english_labels()), frozen at issue; None: Chinese
    hash: str  # SHA-256 of the canonical JSON of everything above (services.snapshot_hash)


# What a key meant while it did not exist yet. A row issued before `kinds` searched penalties and listings.
_DEFAULTS: dict[type, dict[str, Any]] = {
    # No rules recorded: those in force when it is read apply (verification.services).
    Snapshot: {"audit_head": None, "rules": {}, "wording": None, "freshness": None, "judgments": None,
               "language": "zh-hans", "labels": None},
    SummaryRow: {"kinds": ["行政处罚", "严重失信"], "as_of": None, "silence_note": None},
    Record: {"id": None, "version": None, "content_hash": None, "violation": "", "facts": "", "basis": "",
             "procedure": "", "labels": [], "explanation": None},
    CompulsionRecord: {"type": "", "lifted_on": ""},
    JudgmentRecord: {"judged_on": ""},
}


def _defaults(shape: type) -> dict[str, Any]:
    # A TypedDict's runtime bases are only dict: a record kind's own defaults add to every record's.
    common = _DEFAULTS[Record] if shape in RECORD_SHAPES.values() else {}
    return {**common, **_DEFAULTS.get(shape, {})}


def _filled(value: Mapping, shape: type) -> dict:
    defaults = _defaults(shape)
    missing = {k: (type(v)(v) if isinstance(v, list | dict) else v) for k, v in defaults.items() if k not in value}
    return {**value, **missing} if missing else dict(value)


def _record(record: Mapping) -> AnyRecord:
    return typing.cast(AnyRecord, _filled(record, RECORD_SHAPES.get(record["kind"], Record)))


def read_snapshot(stored: Mapping) -> Snapshot:
    """The snapshot as every reader reads it: the stored one with the keys it predates filled in.

    A new dict (the stored one is never changed: its hash must hold); only the dicts that hold records
    and rows are copied, so a report of thousands of records is read in one pass.
    """
    snapshot = _filled(stored, Snapshot)
    snapshot["summary"] = [typing.cast(SummaryRow, _filled(row, SummaryRow)) for row in stored["summary"]]
    snapshot["details"] = [{**block, "records": [_record(r) for r in block["records"]]}
                           for block in stored["details"]]
    if snapshot["judgments"] is not None:
        section = snapshot["judgments"]
        snapshot["judgments"] = {**section, "records": [_record(r) for r in section["records"]]}
    return typing.cast(Snapshot, snapshot)


# -- checking a snapshot against the shape ----------------------------------------------------------

def shape_errors(snapshot: Mapping, *, as_stored: bool = False) -> list[str]:
    """Where `snapshot` departs from Snapshot: a key missing or unknown, a value of another type.

    `as_stored`: a key older snapshots lack (one read_snapshot() fills) may be missing.
    """
    errors: list[str] = []
    _check(snapshot, Snapshot, "snapshot", errors, as_stored)
    return errors


def _check(value: Any, shape: Any, where: str, errors: list[str], as_stored: bool) -> None:
    if shape == AnyRecord:  # a domain's records: each has the shape of its kind
        shape = RECORD_SHAPES.get(value.get("kind", ""), Record) if isinstance(value, Mapping) else Record
    if isinstance(shape, type) and typing.is_typeddict(shape):
        if not isinstance(value, Mapping):
            errors.append(f"{where}: {type(value).__name__}, expected {shape.__name__}")
            return
        hints = typing.get_type_hints(shape)
        optional: frozenset[str] = vars(shape)["__optional_keys__"]  # a TypedDict's; is_typeddict() narrows nothing
        may_lack = optional | (_defaults(shape).keys() if as_stored else set())
        for key in value.keys() - hints.keys():
            errors.append(f"{where}.{key}: not in {shape.__name__}")
        for key, hint in hints.items():
            if key in value:
                _check(value[key], hint, f"{where}.{key}", errors, as_stored)
            elif key not in may_lack:
                errors.append(f"{where}.{key}: missing")
        return
    origin, args = typing.get_origin(shape), typing.get_args(shape)
    if origin in (Union, types.UnionType):
        present = [option for option in args if option is not type(None)]
        if value is not None and len(present) == 1:  # X | None holding an X: say where in X it departs
            _check(value, present[0], where, errors, as_stored)
        elif not any(not _check_quietly(value, option, as_stored) for option in args):
            errors.append(f"{where}: {value!r} is none of {shape}")
        return
    if origin is Literal:
        if value not in args:
            errors.append(f"{where}: {value!r}, expected one of {args}")
        return
    if origin is list:
        if not isinstance(value, list):
            errors.append(f"{where}: {type(value).__name__}, expected list")
            return
        for i, item in enumerate(value):
            _check(item, args[0], f"{where}[{i}]", errors, as_stored)
        return
    if shape is type(None):
        if value is not None:
            errors.append(f"{where}: {value!r}, expected None")
        return
    # bool is an int to isinstance(): a count must not be a flag, nor a flag a count.
    if not isinstance(value, shape) or (shape is int and isinstance(value, bool)):
        errors.append(f"{where}: {type(value).__name__}, expected {shape.__name__}")


def _check_quietly(value: Any, shape: Any, as_stored: bool) -> list[str]:
    errors: list[str] = []
    _check(value, shape, "", errors, as_stored)
    return errors
