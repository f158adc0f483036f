"""Issuing a report: compute → snapshot → render → sign → store → audit, in one transaction."""

import datetime as dt
import hashlib
import json
import logging
import time
from pathlib import Path

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from cleanrecord import conf
from cleanrecord.accounts.models import Organisation, ReportGrant
from cleanrecord.audit import checkpoints
from cleanrecord.audit.services import record_event
from cleanrecord.entities.models import Entity
from cleanrecord.lib.refusals import Refused

from . import codes, languages, rules
from .models import GroupBatch, Report, ReportLanguage
from .render import render_pdf
from .signing import SigningUnavailable, ensure_ready, sign_pdf

log = logging.getLogger("cleanrecord.reports")


def snapshot_hash(snapshot: dict) -> str:
    """SHA-256 of the snapshot's canonical JSON, without the hash itself."""
    body = {k: v for k, v in snapshot.items() if k != "hash"}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def verify_url(code: str) -> str:
    return f"{conf.get('PUBLIC_BASE_URL').rstrip('/')}/verify/{code}"


def report_dir() -> Path:
    return Path(conf.get("REPORT_DIR"))


def _refuse_over_hourly_cap(entity, now: dt.datetime) -> None:
    """The entity's reports of the last hour, a group batch it applied for counting as one: its reports (the
    subsidiaries') count in no entity's limit."""
    limit = conf.get("REPORT_ISSUE_PER_ENTITY_PER_HOUR")
    since = now - dt.timedelta(hours=1)
    # One query (a count over UNION ALL): the cap is checked twice per issue, before and under the entity's lock.
    singles = (Report.objects.filter(entity=entity, issued_at__gte=since, group_batch__isnull=True)
               .order_by().values("issued_at"))
    batches = GroupBatch.objects.filter(parent=entity, issued_at__gte=since).order_by().values("issued_at")
    issued = singles.union(batches, all=True).count()
    if issued >= limit:
        raise Refused(gettext("该主体一小时内已申请 %(limit)s 份报告，请稍后再试") % {"limit": limit})


def refuse_over_hourly_cap(entity, now: dt.datetime) -> None:
    """For a group batch (reports.groups): the group's limit, checked once for the whole batch."""
    _refuse_over_hourly_cap(entity, now)


def records_found(content: dict) -> int:
    """Every record the report lists: the domains' and the 刑事 section's."""
    judgments = content["judgments"]
    return sum(s["found"] for s in content["summary"]) + (judgments["found"] if judgments is not None else 0)


def issue_report(*, credit_code: str, domains: str | list[str], start: dt.date | None = None,
                 end: dt.date | None = None, purpose: str, purpose_text: str = "", language: str = "zh-hans",
                 user=None, channel: str = "web", timings: dict | None = None,
                 group_batch: GroupBatch | None = None, number: str | None = None) -> Report:
    """Issue one signed report, or raise Refused with the reason in Chinese.

    `language`: what it prints in (ReportLanguage). An English report is the same content, printed with the
    English table of reports.languages frozen into its snapshot. `group_batch`: issued as one of a group's
    batch (reports.groups), which counted once in the group's hourly limit: not counted again here, and audited by
    the batch. `number`: one the batch took beforehand (codes.next_numbers), so as not to hold the day's sequence.
    """
    t = time.perf_counter()
    if language not in ReportLanguage.values:
        raise Refused(_("报告语言应为：%(choices)s") % {"choices": "、".join(str(label) for label in ReportLanguage.labels)})
    try:
        ensure_ready()
    except SigningUnavailable as exc:
        raise Refused(str(exc)) from exc
    now = timezone.localtime()
    today = now.date()
    query = rules.build_query(credit_code=credit_code, domains=domains, start=start, end=end, purpose=purpose,
                              purpose_text=purpose_text, today=today)
    if group_batch is None:
        _refuse_over_hourly_cap(query.entity, now)  # before the work, for the common case
    # The content is frozen in the source language whatever language the page asking for it is in.
    with translation.override(None):
        content = rules.compute(query, today=today)
    t_rules = time.perf_counter()
    # Outside the transaction: a checkpoint due today counts the whole trail, which needs no lock.
    audit_head = checkpoints.report_head()
    with transaction.atomic():
        # Decided again holding the entity's row lock (on SQLite, the IMMEDIATE transaction's write lock), so
        # that parallel requests for one entity count each other's reports: the cap holds under concurrency.
        Entity.objects.select_for_update().only("pk").get(pk=query.entity.pk)
        if group_batch is None:
            _refuse_over_hourly_cap(query.entity, now)
        number = number or codes.next_number(conf.get("REPORT_NUMBER_PREFIX"), today)
        code = codes.new_verification_code()
        valid_until = today + dt.timedelta(days=rules.rule("REPORT_VALID_DAYS"))
        snapshot = {
            "schema": 1,
            "number": number,
            "verification_code": code,
            "verification_code_display": codes.display(code),
            "verify_url": verify_url(code),
            "issued_at": now.isoformat(timespec="seconds"),
            "data_as_of": now.isoformat(timespec="seconds"),
            "valid_until": valid_until.isoformat(),
            "issuer": {
                "name": conf.get("REPORT_ISSUER"),
                "platform": conf.get("PLATFORM_NAME"),
                "seal_text": conf.get("REPORT_SEAL_TEXT"),
            },
            # The audit trail's newest entry and last signed checkpoint as this report left them: a printed
            # report then also vouches that the trail up to that entry existed as it was.
            "audit_head": audit_head,
            **content,
            "language": language,
            "labels": languages.english_labels(content) if language == languages.ENGLISH else None,
        }
        snapshot["hash"] = snapshot_hash(snapshot)
        t_snapshot = time.perf_counter()
        pdf = render_pdf(snapshot)
        t_render = time.perf_counter()
        signed = sign_pdf(pdf, reason=f"{content['wording']['title']} {number}", location=content["region"]["name"])
        t_sign = time.perf_counter()
        path = report_dir() / f"{today:%Y}" / f"{today:%m}" / f"{number}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(signed)
        try:
            report = Report.objects.create(
                number=number, verification_code=code, entity=query.entity,
                domains=[d.code for d in query.domains], all_domains=query.all_domains,
                period_start=query.start, period_end=query.end, purpose=query.purpose,
                purpose_text=query.purpose_text, snapshot=snapshot, snapshot_hash=snapshot["hash"],
                records_found=records_found(content), pdf_path=str(path),
                pdf_sha256=hashlib.sha256(signed).hexdigest(), pdf_size=len(signed), issued_at=now,
                valid_until=valid_until, issued_by=user if user is not None and user.is_authenticated else None,
                channel=channel, language=language, group_batch=group_batch,
            )
            if group_batch is None:  # a batch's are written at its end (reports.groups): see record_issue
                record_issue(report, user)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    if timings is not None:
        timings.update(rules=t_rules - t, snapshot=t_snapshot - t_rules, render=t_render - t_snapshot,
                       sign=t_sign - t_render, store=time.perf_counter() - t_sign)
    return report


def record_issue(report: Report, user) -> None:
    """The audit entry of an issued report. A group batch writes its reports' entries last, just before it commits:
    an entry takes the trail's lock until commit, and the batch must not hold it while it typesets."""
    record_event(user=user, action="reports.issue", target=f"report:{report.number}",
                 after={"entity": report.entity_id, "domains": report.domains,
                        "period": [report.period_start.isoformat(), report.period_end.isoformat()],
                        "purpose": report.purpose, "language": report.language,
                        "records_found": report.records_found, "pdf_sha256": report.pdf_sha256,
                        **({"group_batch": report.group_batch.number} if report.group_batch is not None else {})})


@transaction.atomic
def revoke_report(report: Report, *, reason: str, user=None) -> Report:
    """The credit office withdraws a report; the verification page then says it is revoked, and why."""
    reason = reason.strip()
    if not reason:
        raise Refused(gettext("撤销报告必须填写原因"))
    if report.revoked_at:
        raise Refused(gettext("报告 %(number)s 已于 %(revoked_at)s 撤销")
                      % {"number": report.number, "revoked_at": f"{report.revoked_at:%Y-%m-%d %H:%M}"})
    report.revoked_at = timezone.now()
    report.revoke_reason = reason[:500]
    report.save(update_fields=["revoked_at", "revoke_reason"])
    record_event(user=user, action="reports.revoke", target=f"report:{report.number}", after={"reason": report.revoke_reason})
    return report


MAX_GRANT_DAYS = 366


def grant_access(*, entity: Entity, organisation: Organisation, valid_from: dt.date, valid_until: dt.date, user):
    """Let `organisation`'s members (a bank's, an agency's accounts) read the entity's reports from `valid_from` to
    `valid_until`, audited; or raise Refused naming what is wrong."""
    today = timezone.localdate()
    if valid_until < valid_from:
        raise Refused(_("授权期限不正确：截止日期不能早于起始日期"), field="valid_until")
    if valid_until < today:
        raise Refused(_("授权期限不正确：截止日期不能早于今天"), field="valid_until")
    if (valid_until - valid_from).days > MAX_GRANT_DAYS:
        raise Refused(_("授权期限最长 %(days)d 天") % {"days": MAX_GRANT_DAYS}, field="valid_until")
    if not organisation.active:
        raise Refused(_("该机构已停用，不能向其授权"), field="organisation")
    with transaction.atomic():
        grant = ReportGrant.objects.create(entity=entity, organisation=organisation, valid_from=valid_from,
                                           valid_until=valid_until, created_by=user)
        record_event(user=user, action="accounts.grant", target=f"grant:{grant.pk}",
                     after={"entity": entity.credit_code, "organisation": organisation.name,
                            "valid_from": valid_from.isoformat(), "valid_until": valid_until.isoformat()})
    return grant


def revoke_grant(grant: ReportGrant, *, user) -> ReportGrant:
    """Take a grant back, audited: from the next request on, the organisation's members no longer read the entity's
    reports on the portal or the API (access is asked of the grant on every request)."""
    if grant.revoked_at is not None:
        raise Refused(_("该授权已撤销"))
    with transaction.atomic():
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        record_event(user=user, action="accounts.grant_revoke", target=f"grant:{grant.pk}",
                     after={"entity": grant.entity_id, "organisation": grant.organisation.name})
    return grant
