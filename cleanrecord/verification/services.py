"""Verifying reports: by code, with what changed since issue; logging; the guessing budget."""

import datetime as dt
import functools
import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections, models, router, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cleanrecord import conf
from cleanrecord.lib import replica
from cleanrecord.lib.clientip import client_ip
from cleanrecord.lib.columns import column
from cleanrecord.objections.models import Objection, SeverityExplanation
from cleanrecord.records.models import RECORD_MODELS, RecordStatus, RecordVersion, SubjectVersion, Verdict
from cleanrecord.reports import codes, rules
from cleanrecord.reports.models import Report, ReportLanguage, ReportStatus
from cleanrecord.reports.snapshot import Record, Snapshot, read_snapshot

from . import journal
from .models import ClientBudget, Result

logger = logging.getLogger("cleanrecord.verification")


@dataclass
class Change:
    domain: str
    number: str
    what: str  # a sentence, in the reader's language (gettext): worked out per request, never signed


@dataclass(eq=False)
class Verification:
    """A verification's answer. What the report said and what changed since are read when first asked for (each
    from the cache when it is there): an answer rendered before (answer_key) needs neither."""

    result: str
    report: Report | None = None
    data_version: int = 0  # the report's subject's data version when the report was read

    @functools.cached_property
    def snapshot(self) -> Snapshot | None:
        return snapshot_of(self.report) if self.report else None

    @functools.cached_property
    def changes(self) -> list[Change]:
        return cached_changes(self.report, self.snapshot, self.data_version) if self.report else []

    def answer_key(self, form: str) -> str | None:
        """A cache key for this answer rendered as `form` (the API's JSON, a page in a language): everything the
        answer depends on — the report and its code, its status and revocation reason, its subject's data
        version and today's date (what cache_key() keys the changes by). None for a code not found."""
        if self.report is None:
            return None
        reason = hashlib.sha256(self.report.revoke_reason.encode()).hexdigest()[:12]
        return (f"verify:answer:v1:{form}:{self.report.pk}:{self.report.verification_code}:{self.result}:{reason}:"
                f"{self.data_version}:{timezone.localdate().isoformat()}")

    def cacheable(self) -> bool:
        """Answers of reports that keep their rules are cached; older ones are compared under today's office
        rules, which no version tracks."""
        return bool(self.snapshot and self.snapshot["rules"])

    @property
    def label(self) -> str:
        return str(Result(self.result).label)

    @property
    def language_label(self) -> str:
        """The language the report was issued in (中文 / 英文), '' when no report was found."""
        return str(ReportLanguage(self.snapshot["language"]).label) if self.snapshot is not None else ""

    def changed_domains(self) -> set[str]:
        return {c.domain for c in self.changes}


@functools.cache
def _client_salt() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), b"cleanrecord verification client", hashlib.sha256).digest()


def client_key(request) -> str:
    """A keyed hash of the client's address (behind trusted proxies, the address they saw): the same client
    maps to the same key, the address is not kept."""
    address = client_ip(request)
    return hmac.new(_client_salt(), address.encode(), hashlib.sha256).hexdigest()[:32]


def status_of(report: Report) -> Result:
    return {ReportStatus.VALID: Result.AUTHENTIC, ReportStatus.EXPIRED: Result.EXPIRED,
            ReportStatus.REVOKED: Result.REVOKED}[report.status]


class Throttled(Exception):
    """The client has spent its guessing budget: it may look codes up again in `seconds`."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


def verify_code(typed: str, *, channel: str, client: str, user=None) -> Verification:
    """Look a report up by its verification code, as a verifier typed or scanned it, and log the check.

    A client past its guessing budget gets Throttled, and no answer, as does an unknown code when it costs
    the client its last token.

    A known code whose subject's data did not change since the answer was last worked out today costs one
    query: the report, with its subject's data version and the client's budget in the same statement. Its log
    entry is written to this process's spool before the answer is returned, and reaches the database in a batch
    (journal.py; with batching off, a second query here).

    With a read replica, the reads come from it; a code it does not know is looked up again on the primary
    (the report may have been issued a moment ago), and that verification reads the primary throughout.

    `user`, the signed-in user verifying (if any): a member of an organisation has the verification attributed to
    it in the log, inside the log's INSERT (no query more).
    """
    with replica.reads():
        return _verify(typed, channel=channel, client=client, user=user)


def _verify(typed: str, *, channel: str, client: str, user=None) -> Verification:
    code = codes.normalise(typed)
    found = _lookup(code, client) if code else None
    if found is None and code and replica.on_replica():
        with replica.primary_reads():
            return _verify(typed, channel=channel, client=client, user=user)
    if found is None:
        # Only a spent token buys the answer "not found": requests racing past retry_after() stop here.
        wait = spend(client)
        if wait:
            raise Throttled(wait)
        log(None, channel, Result.NOT_FOUND, client, user)
        return Verification(Result.NOT_FOUND)
    report, data_version, budget = found
    if budget is not None:  # the client has guessed before: it may be out of tokens
        tokens = _refilled(budget, timezone.now())
        if tokens < 1:
            raise Throttled(_wait(tokens))
    result = status_of(report)
    log(report, channel, result, client, user)
    return Verification(result, report, data_version)


def _lookup(code: str, client: str) -> tuple[Report, int, ClientBudget | None] | None:
    """The report with `code`, its subject's data version and `client`'s budget (None: it never guessed), in one
    query — the busiest query of the platform, so a statement written once and a row read through a plain cursor
    and turned into a Report with the converters the ORM would apply, worked out once too (compiling the query and
    resolving a raw query's columns per request cost more than the database's work)."""
    alias = router.db_for_read(Report)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(alias), [client, code])
        row = cursor.fetchone()
    if row is None:
        return None
    names, converters = _report_columns(alias)
    values = list(row[:len(names)])
    for i, convert in converters:
        values[i] = convert(values[i])
    report = Report.from_db(alias, names, values)
    data_version, tokens, at = row[len(names):]
    if isinstance(at, str):  # SQLite hands a timestamp back as text or a naive datetime (stored in UTC)
        at = dt.datetime.fromisoformat(at)
    if at is not None and timezone.is_naive(at):
        at = at.replace(tzinfo=dt.UTC)
    kept = ClientBudget(client=client, tokens=tokens, updated_at=at) if at is not None else None
    return report, data_version or 0, kept


def _lookup_fields() -> list[models.Field]:
    """Every column of the report but its snapshot (its largest, and it never changes: read from the cache,
    snapshot_of())."""
    return [f for f in Report._meta.concrete_fields if f.attname != "snapshot" and isinstance(f, models.Field)
            and f.column]


@functools.cache
def _report_columns(alias: str) -> tuple[list[str], list[tuple[int, Callable]]]:
    """The attribute names of _lookup_fields(), and for each column that needs it, its conversion from the
    database's value — the backend's converters then the field's, as the ORM's compiler applies them."""
    connection = connections[alias]
    names: list[str] = []
    converters: list[tuple[int, Callable]] = []
    for i, field in enumerate(_lookup_fields()):
        names.append(field.attname)
        column = field.get_col(Report._meta.db_table)
        chain = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if chain:
            converters.append((i, functools.partial(_convert, chain, column, connection)))
    return names, converters


def _convert(chain: list[Callable], column: models.Expression, connection: Any, value: Any) -> Any:
    for convert in chain:
        value = convert(value, column, connection)
    return value



@functools.cache
def _lookup_sql(alias: str) -> str:
    """SELECT _lookup_fields(), the subject's data version and the client's budget, by verification code."""
    quote = connections[alias].ops.quote_name
    columns = ", ".join(f"r.{quote(column(Report, f.name))}" for f in _lookup_fields())
    return (
        f"SELECT {columns}, "
        f"(SELECT v.{quote(column(SubjectVersion, 'version'))} FROM {quote(SubjectVersion._meta.db_table)} v "
        f"WHERE v.{quote(column(SubjectVersion, 'subject_key'))} = r.{quote(column(Report, 'entity'))}) "
        f"AS data_version, b.{quote(column(ClientBudget, 'tokens'))} AS budget_tokens, "
        f"b.{quote(column(ClientBudget, 'updated_at'))} AS budget_at "
        f"FROM {quote(Report._meta.db_table)} r "
        f"LEFT JOIN {quote(ClientBudget._meta.db_table)} b ON b.{quote(column(ClientBudget, 'client'))} = %s "
        f"WHERE r.{quote(column(Report, 'verification_code'))} = %s"
    )


def snapshot_of(report: Report) -> Snapshot:
    """The report's snapshot, which never changes once issued (its hash is signed): from the cache, or read (one
    query) and kept there."""
    key = f"verify:snapshot:v1:{report.pk}:{report.verification_code}"
    try:
        kept = cache.get(key)
    except Exception:  # noqa: BLE001 — any failure of the cache backend: read it from the database
        logger.warning("verification cache unavailable (get)", exc_info=True)
        kept = None
    if kept is not None:
        return kept
    snapshot = read_snapshot(Report.objects.filter(pk=report.pk).values_list("snapshot", flat=True).get())
    try:
        cache.set(key, snapshot, CACHE_SECONDS)
    except Exception:  # noqa: BLE001 — as above
        logger.warning("verification cache unavailable (set)", exc_info=True)
    return snapshot


def cached_answer(verification: Verification, form: str, render: Callable[[], str]) -> str:
    """`render()`'s text for this answer, from the cache under its answer_key() or rendered and kept there
    (answers of reports that keep their rules only). A cache that fails is passed by: the answer is rendered."""
    key = verification.answer_key(form)
    if key is None:
        return render()
    try:
        kept = cache.get(key)
    except Exception:  # noqa: BLE001 — any failure of the cache backend: render it
        logger.warning("verification cache unavailable (get)", exc_info=True)
        kept = None
    if kept is not None:
        return kept
    text = render()
    if verification.cacheable():
        try:
            cache.set(key, text, CACHE_SECONDS)
        except Exception:  # noqa: BLE001 — as above
            logger.warning("verification cache unavailable (set)", exc_info=True)
    return text


def log(report: Report | None, channel: str, result: str, client: str, user=None) -> None:
    """Log a verification before its answer is returned: into this process's spool, which reaches the database
    in batches and survives the process (journal.py), or, with batching off, in one INSERT here. A signed-in
    `user` who is a member of an active organisation has it named in the entry, by a subquery of the INSERT."""
    member = user.pk if user is not None and user.is_authenticated else None
    journal.record(report.pk if report else None, timezone.now(), channel, str(result), client, member)


CACHE_SECONDS = 26 * 3600  # an entry is keyed by the day: it is unreachable after midnight anyway


def cache_key(report: Report, data_version: int, today: dt.date) -> str:
    """The report (its id and code: a fresh database's report of the same id has another code), its subject's
    data version, and today: a lifting (解除) takes effect on its date without any write, so does a listing's
    end, and the answer counts them as of today. The answer's sentences are in the reader's language: the
    active language is part of the key."""
    return (f"verify:changes:v2:{report.pk}:{report.verification_code}:{data_version}:{today.isoformat()}:"
            f"{translation.get_language() or ''}")


def cached_changes(report: Report, snapshot: Snapshot | None, data_version: int) -> list[Change]:
    """changes_since_issue(), kept in the cache under cache_key(). A cache that fails (Redis down) is passed by:
    the answer is worked out from the database, never skipped."""
    snapshot = snapshot or read_snapshot(report.snapshot)
    if not snapshot["rules"]:
        # Issued before reports kept their rules: compared under today's office rules, which no version tracks.
        return changes_since_issue(report, snapshot)
    key = cache_key(report, data_version, timezone.localdate())
    try:
        kept = cache.get(key)
    except Exception:  # noqa: BLE001 — any failure of the cache backend: answer from the database
        logger.warning("verification cache unavailable (get)", exc_info=True)
        kept = None
    if kept is not None:
        return [Change(*c) for c in kept]
    changes = changes_since_issue(report, snapshot)
    try:
        cache.set(key, [(c.domain, c.number, c.what) for c in changes], CACHE_SECONDS)
    except Exception:  # noqa: BLE001 — as above
        logger.warning("verification cache unavailable (set)", exc_info=True)
    return changes


JUDGMENTS = "judgments"  # the 刑事 section, in place of a domain code
# The 刑事 section's name where a Change names its domain: the snapshot names the other domains (in Chinese, the
# signed report's data), and the page matches a Change to its section by that name.
JUDGMENTS_NAME = "刑事"


def _searched(report: Report, snapshot: Snapshot, in_force: dict) -> list[tuple[str, QuerySet, str]]:
    """(kind, today's records the report's rules count, the column naming a record) for each record kind the
    report searched: one issued before 行政强制 and 刑事 were searched is compared on what it searched."""
    subject = snapshot["entity"]["credit_code"]
    scope = rules.Scope(subject, None if report.all_domains else tuple(report.domains), report.period_start,
                        report.period_end)
    kinds = snapshot["summary"][0]["kinds"]  # what reports before 行政强制 searched: read_snapshot()
    searched = [(k.kind, k.counted(scope, in_force), k.number) for k in rules.DOMAIN_KINDS if k.name in kinds]
    if snapshot["judgments"] is not None:
        every_domain = rules.Scope(subject, None, report.period_start, report.period_end)
        searched.append(("judgment", rules.counted_judgments(every_domain, in_force), "case_no"))
    return searched


def changes_since_issue(report: Report, snapshot: Snapshot | None = None) -> list[Change]:
    """How today's data differs from what the report said: records revoked, corrected, repaired, under
    objection, a compulsion lifted, a judgment set aside, or new records in the period that the report
    did not show.

    The report's own rules are applied to today's data (one query per record kind, only the columns
    needed) and the result is compared with the snapshot; this runs on every verification.
    """
    snapshot = snapshot or read_snapshot(report.snapshot)
    names = {d["code"]: d["name"] for d in snapshot["summary"]} | {JUDGMENTS: JUDGMENTS_NAME}
    shown: dict[tuple[str, int | None], tuple[str, Record]] = {
        (r["kind"], r["id"]): (block["code"], r) for block in snapshot["details"] for r in block["records"]}
    if snapshot["judgments"] is not None:
        shown |= {(r["kind"], r["id"]): (JUDGMENTS, r) for r in snapshot["judgments"]["records"]}
    subject = snapshot["entity"]["credit_code"]
    in_force: dict = dict(snapshot["rules"]) or rules.rules_in_force()
    counted: dict[tuple[str, int | None], tuple] = {}
    lifted: dict[int, dt.date] = {}
    for kind, qs, number in _searched(report, snapshot, in_force):
        extra = ("lifted_on",) if kind == "compulsion" else ()
        for pk, domain, version, content_hash, repaired_on, no, *more in qs.values_list(
                "pk", "domain_id", "version", "content_hash", "repaired_on", number, *extra):
            counted[(kind, pk)] = (JUDGMENTS if kind == "judgment" else domain, version, content_hash, repaired_on, no)
            if more and more[0] is not None and more[0] <= timezone.localdate():
                lifted[pk] = more[0]
    # Objections matter only for records the report showed.
    objected = Objection.objects.open_record_keys(subject) if shown else set()
    explained: dict[tuple[str, int | None], SeverityExplanation] = (
        {(e.kind, e.record_id): e for e in SeverityExplanation.objects.filter(subject_key=subject)
         .order_by("signed_on", "id")} if shown else {})

    # Corrections made on the platform (an objection answered 更正) keep the import's content hash, which
    # stands for what the department sent; their versions say what happened.
    moved = [key for key, (_domain, record) in shown.items()
             if key in counted and counted[key][1] != record["version"] and counted[key][2] == record["content_hash"]]
    corrected = set()
    if moved:
        since = {key: shown[key][1]["version"] or 0 for key in moved}
        for kind, record_id, version in RecordVersion.objects.filter(
                subject_key=subject, change=RecordVersion.Change.CORRECTED,
                record_id__in=[pk for _kind, pk in moved]).values_list("kind", "record_id", "version"):
            if (kind, record_id) in since and version > since[(kind, record_id)]:
                corrected.add((kind, record_id))

    changes: list[Change] = []
    for key, (domain, record) in shown.items():
        name, number = names.get(domain, domain), record["number"]
        now = counted.get(key)
        if now is None:
            changes.append(Change(name, number, _no_longer_counted(key, subject)))
            continue
        version, content_hash, repaired_on = now[1:4]
        if version != record["version"] and (content_hash != record["content_hash"] or key in corrected):
            changes.append(Change(name, number, _("该记录内容在报告出具后已更正")))
        if repaired_on and rules.REPAIRED not in record["labels"]:
            changes.append(Change(name, number, _("该记录已于 %(date)s 完成信用修复") % {"date": repaired_on}))
        if key[0] == "compulsion" and key[1] in lifted and rules.LIFTED not in record["labels"]:
            changes.append(Change(name, number, _("该行政强制已于 %(date)s 解除") % {"date": lifted[key[1]]}))
        if key in objected and rules.UNDER_OBJECTION not in record["labels"]:
            changes.append(Change(name, number, _("该记录在报告出具后被提出异议，正在处理中")))
        if key not in objected and rules.UNDER_OBJECTION in record["labels"]:
            changes.append(Change(name, number, _("该记录的异议已办结")))
        explanation = explained.get(key)
        if explanation is not None and explanation.to_dict() != record["explanation"]:
            changes.append(Change(name, number, _(
                "报告出具后，决定机关出具了情节严重程度说明：%(category)s（%(signer)s，%(signed_on)s）——%(text)s") % {
                "category": explanation.category, "signer": explanation.signer, "signed_on": explanation.signed_on,
                "text": explanation.text}))
    for key, (domain, *_unused, number) in counted.items():
        if key not in shown:
            what = (_("报告出具后平台新增了查询期内的一条刑事判决记录，报告未包含") if key[0] == "judgment"
                    else _("报告出具后平台新增了查询期内的一条记录，报告未包含"))
            changes.append(Change(names.get(domain, domain), number, what))
    return changes


def _no_longer_counted(key: tuple[str, int | None], subject: str) -> str:
    """Why a record the report showed no longer counts (the rare path: one more query)."""
    kind, pk = key
    record = None if pk is None else RECORD_MODELS[kind].objects.for_subject(subject).filter(pk=pk).first()
    if record is None or record.status == RecordStatus.REVOKED:
        return _("该记录已被撤销（或已删除），报告出具后不再计入")
    if record.confidential:
        return _("该记录已转为不予公开")
    if kind == "judgment" and record.set_aside_on:
        return _("该判决已于 %(date)s 经再审撤销，不再计入") % {"date": record.set_aside_on}
    if kind == "judgment" and record.verdict == Verdict.ACQUITTED:
        return _("该判决已改判无罪，不再计入")
    if record.repaired_on:
        return _("该记录已于 %(date)s 完成信用修复，按规则不再列示") % {"date": record.repaired_on}
    return _("该记录已更正，不再符合本报告的计入条件")


# -- the guessing budget ------------------------------------------------------------------------

def _refilled(budget: ClientBudget, now: dt.datetime, capacity: int | None = None, period: int | None = None) -> float:
    capacity, period = capacity or conf.get("VERIFY_BUDGET"), period or conf.get("VERIFY_REFILL_SECONDS")
    return min(capacity, budget.tokens + max(0.0, (now - budget.updated_at).total_seconds()) / period)


def _wait(tokens: float, period: int | None = None) -> int:
    return max(1, int((1 - tokens) * (period or conf.get("VERIFY_REFILL_SECONDS"))) + 1)


def retry_after(client: str) -> int:
    """Seconds until `client` may look codes up again; 0 when it may now. A read, no lock: cheap, and only a
    first answer: spend() decides."""
    budget = ClientBudget.objects.filter(client=client).first()
    if budget is None:
        return 0
    tokens = _refilled(budget, timezone.now())
    return 0 if tokens >= 1 else _wait(tokens)


def spend(client: str, tokens: int = 1, *, capacity: int | None = None, period: int | None = None) -> int:
    """Take a token from `client`'s bucket (after an unknown code): 0 when taken, else the seconds until
    one is back, and nothing is taken. With `tokens` > 1 (a file check that overran), as many as there
    are, up to that many.

    `capacity` and `period` (default: the verification budget's settings) let another budget use the same
    buckets under its own client keys (the refusal feedback form: cleanrecord.acceptance).

    Check and take are one step under the client's row lock (SELECT … FOR UPDATE on PostgreSQL; on SQLite
    the IMMEDIATE transaction holds the write lock), so parallel requests never spend more than there is.
    """
    with transaction.atomic():
        budget = ClientBudget.objects.select_for_update().filter(client=client).first()
        if budget is None:
            # Parallel first misses from one client would both insert: the loser's insert does nothing and
            # it waits for, then locks, the winner's row.
            ClientBudget.objects.bulk_create(
                [ClientBudget(client=client, tokens=capacity or conf.get("VERIFY_BUDGET"), updated_at=timezone.now())],
                ignore_conflicts=True)
            budget = ClientBudget.objects.select_for_update().get(client=client)
        now = timezone.now()  # read under the lock: never before the time the last spender wrote
        left = _refilled(budget, now, capacity, period)
        if left < 1:
            return _wait(left, period)
        budget.tokens = left - min(tokens, int(left))
        budget.updated_at = now
        budget.save(update_fields=["tokens", "updated_at"])
        return 0


def refund(client: str) -> None:
    """Give back the token a check took up front once it proved to be no guess (a file we issued)."""
    with transaction.atomic():
        budget = ClientBudget.objects.select_for_update().filter(client=client).first()
        if budget is None:
            return
        now = timezone.now()
        budget.tokens = min(conf.get("VERIFY_BUDGET"), _refilled(budget, now) + 1)
        budget.updated_at = now
        budget.save(update_fields=["tokens", "updated_at"])
