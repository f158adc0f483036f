"""Reports for a group: a group company the office authorised for its subsidiaries applies once for N of them.

Each subsidiary's report is issued as any report is (services.issue_report: its own number, verification code,
signature; it verifies on its own); a summary listing every subsidiary, report number and verification code is
typeset by Typst (group.typ, data as JSON) and signed like a report; the ZIP of all of them is streamed on
download, never stored.

All or nothing: every subsidiary is checked first (authorised, in the register, in the region, not cancelled),
and a batch with one that cannot be issued is refused naming it; the issue itself runs in one transaction, so a
failure part-way (a full disk, a signing fault) leaves no report of the batch and no file behind. What the batch
holds while it typesets (about half a second per subsidiary; GROUP_REPORT_MAX_SUBSIDIARIES bounds it): the
group's and the subsidiaries' rows, so their own reports wait. Not the day's report-number row (the numbers are
taken beforehand; a failed batch leaves a gap) nor the audit trail's lock (its entries are written last).

The hourly limit counts the batch once, for the group (services._refuse_over_hourly_cap); its reports count in
no entity's limit.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import secrets
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cleanrecord import conf
from cleanrecord.audit import checkpoints
from cleanrecord.audit.services import record_event
from cleanrecord.entities.models import Entity
from cleanrecord.lib.refusals import Refused

from . import codes, languages, rules, services
from .models import GroupAuthorisation, GroupBatch, Purpose, Report, ReportLanguage
from .render import compile_pdf
from .signing import sign_pdf

TEMPLATE = Path(__file__).parent / "typst" / "group.typ"
ALL = "all"

# The summary's fixed words: printed in Chinese whatever the page's language, as a report's content is.
SUMMARY_TEXT = {
    "title": "集团专用信用报告汇总清单",
    "number_label": "批次编号",
    "list_heading": "子公司报告清单",
    "columns": ["序号", "子公司名称", "统一社会信用代码", "报告编号", "核验码"],
}


def authorised(parent: Entity, today: dt.date | None = None) -> list[Entity]:
    """The subsidiaries the office has authorised `parent` for today, by name."""
    return [a.subsidiary for a in GroupAuthorisation.objects.active(today).filter(parent=parent)
            .select_related("subsidiary").order_by("subsidiary__name", "subsidiary__credit_code")]


def _chosen(parent: Entity, subsidiaries: str | list[str], today: dt.date) -> list[Entity]:
    allowed = {e.credit_code: e for e in authorised(parent, today)}
    if not allowed:
        raise Refused(_("%(name)s（%(code)s）未获信用办的集团报告授权，不能为子公司申请报告。请向信用办申请集团授权。")
                      % {"name": parent.name, "code": parent.credit_code})
    if subsidiaries == ALL or subsidiaries == [ALL]:
        chosen = list(allowed.values())
    else:
        typed = list(dict.fromkeys(c.strip().upper() for c in subsidiaries if c and c.strip()))
        if not typed:
            raise Refused(_("请至少选择一家子公司"), field="subsidiaries")
        outside = [c for c in typed if c not in allowed]
        if outside:
            raise Refused(_("以下主体不在信用办对本集团的授权范围内：%(codes)s。整批未出具。")
                          % {"codes": "、".join(outside)}, field="subsidiaries")
        chosen = [allowed[c] for c in typed]
    most = conf.get("GROUP_REPORT_MAX_SUBSIDIARIES")
    if len(chosen) > most:
        raise Refused(_("一批最多 %(most)d 家子公司（所选 %(n)d 家），请分批申请。") % {"most": most, "n": len(chosen)},
                      field="subsidiaries")
    return chosen


def issue_group(*, parent: Entity, subsidiaries: str | list[str], domains: str | list[str],
                start: dt.date | None = None, end: dt.date | None = None, purpose: str, purpose_text: str = "",
                language: str = ReportLanguage.CHINESE, user=None, channel: str = "web") -> GroupBatch:
    """Issue a report for each chosen subsidiary (ALL: every authorised one) and the signed summary, or raise
    Refused naming what stands in the way; nothing is left behind by a refusal or a failure."""
    now = timezone.localtime()
    today = now.date()
    chosen = _chosen(parent, subsidiaries, today)
    # Every subsidiary checked before any is issued: a batch is refused whole, naming each that cannot be issued.
    problems = []
    for entity in chosen:
        try:
            rules.build_query(credit_code=entity.credit_code, domains=domains, start=start, end=end, purpose=purpose,
                              purpose_text=purpose_text, today=today)
        except Refused as e:
            if e.field:  # the query itself is wrong (a domain, the period): the same for all, said once
                raise
            problems.append(_("%(name)s（%(code)s）：%(reason)s") % {"name": entity.name, "code": entity.credit_code,
                                                                 "reason": e})
    if problems:
        raise Refused(_("以下子公司不能出具报告，整批未出具：%(problems)s") % {"problems": "；".join(problems)})
    services.refuse_over_hourly_cap(parent, now)
    # Before the batch's transaction, each in a short one of its own: a checkpoint due today (taken here, not
    # inside), and the reports' numbers (the day's sequence is not held while the batch typesets; a failed
    # batch leaves a gap in the day's numbers).
    checkpoints.report_head()
    numbers = codes.next_numbers(conf.get("REPORT_NUMBER_PREFIX"), today, len(chosen))

    written: list[Path] = []
    try:
        with transaction.atomic():
            Entity.objects.select_for_update().only("pk").get(pk=parent.pk)
            services.refuse_over_hourly_cap(parent, now)  # again, holding the group's row: parallel batches count
            batch = GroupBatch.objects.create(
                number=f"{conf.get('REPORT_NUMBER_PREFIX')}-JT-{today:%Y%m%d}-"
                       + "".join(secrets.choice(codes.ALPHABET) for _ in range(6)),
                token=secrets.token_urlsafe(32), parent=parent, issued_at=now, channel=channel,
                requested_by=user if user is not None and user.is_authenticated else None)
            reports = []
            for entity, number in zip(chosen, numbers, strict=True):
                report = services.issue_report(
                    credit_code=entity.credit_code, domains=domains, start=start, end=end, purpose=purpose,
                    purpose_text=purpose_text, language=language, user=user, channel=channel, group_batch=batch,
                    number=number)
                written.append(Path(report.pdf_path))
                reports.append(report)
            signed = sign_pdf(render_summary(batch, reports), reason=f"{SUMMARY_TEXT['title']} {batch.number}",
                              location=reports[0].snapshot["region"]["name"])
            path = services.report_dir() / f"{today:%Y}" / f"{today:%m}" / f"{batch.number}.pdf"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(signed)
            written.append(path)
            batch.summary_path, batch.summary_size = str(path), len(signed)
            batch.summary_sha256 = hashlib.sha256(signed).hexdigest()
            batch.save(update_fields=["summary_path", "summary_size", "summary_sha256"])
            # The audit entries last: the first takes the trail's lock, held until commit (audit.services).
            for report in reports:
                services.record_issue(report, user)
            record_event(user=user, action="reports.group_issue", target=f"group_batch:{batch.number}",
                         after={"group": parent.credit_code, "reports": {r.entity_id: r.number for r in reports},
                                "domains": reports[0].domains, "purpose": purpose,
                                "summary_sha256": batch.summary_sha256})
    except BaseException:
        for p in written:
            p.unlink(missing_ok=True)
        raise
    return batch


def summary_data(batch: GroupBatch, reports: list[Report]) -> dict:
    """What the summary prints: the group, the query all its reports share, one row per subsidiary."""
    first = reports[0]
    domains = ("全部领域" if first.all_domains
               else "、".join(row["name"] for row in first.snapshot["summary"]))
    with translation.override(None):  # printed in Chinese, as the reports' content
        purpose = str(Purpose(first.purpose).label)
    if first.purpose_text:
        purpose += f"（{first.purpose_text}）"
    day = functools.partial(languages.print_date, language=languages.CHINESE)
    issued = batch.issued_at.isoformat(timespec="seconds")
    return {
        "number": batch.number,
        "text": SUMMARY_TEXT,
        "facts": [
            ["集团（申请主体）", f"{batch.parent.name}（{batch.parent.credit_code}）"],
            ["子公司数", f"{len(reports)} 家，每家一份专用信用报告"],
            ["查询领域", domains],
            ["查询期", f"{day(first.period_start.isoformat())}至{day(first.period_end.isoformat())}"],
            ["用途", purpose],
            ["出具时间", languages.print_datetime(issued, languages.CHINESE)],
        ],
        "rows": [{"index": i, "name": r.entity.name, "credit_code": r.entity_id, "number": r.number,
                  "code": r.snapshot["verification_code_display"]} for i, r in enumerate(reports, 1)],
        "notes": [
            "本清单仅汇总集团一次申请所出具的各子公司专用信用报告，不替代报告本身。",
            "每份报告单独签章、单独核验：请以各报告 PDF 原件，或在"
            f"{services.verify_url('').rstrip('/')} 输入核验码核验。",
        ],
        "issuer": conf.get("REPORT_ISSUER"),
        "issued_date": day(issued),
    }


def render_summary(batch: GroupBatch, reports: list[Report]) -> bytes:
    data = summary_data(batch, reports)
    # A fixed offset, as Typst wants it (the report's issue time is read back from its ISO text the same way).
    stamp = dt.datetime.fromisoformat(timezone.localtime(batch.issued_at).isoformat(timespec="seconds"))
    return compile_pdf(TEMPLATE, {"summary": json.dumps(data, ensure_ascii=False)}, timestamp=stamp)


def reports_of(batch: GroupBatch) -> list[Report]:
    return list(batch.reports.select_related("entity").order_by("entity__name", "entity_id"))


def zip_name(batch: GroupBatch) -> str:
    return f"{batch.number}.zip"


class _Sink:
    """Where zipfile writes, handed on in pieces: a ZIP streamed, never whole in memory or on disk."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._size = 0

    def write(self, data: bytes, /) -> int:
        self._chunks.append(bytes(data))
        self._size += len(data)
        return len(data)

    def tell(self) -> int:  # no seek(): zipfile then writes each entry's sizes after its data
        return self._size

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        out, self._chunks = b"".join(self._chunks), []
        return out


def zip_chunks(batch: GroupBatch) -> Iterator[bytes]:
    """The batch as a ZIP: the summary, then each report as <credit code>-<report number>.pdf."""
    stamp = timezone.localtime(batch.issued_at).timetuple()[:6]
    entries = [(f"{batch.number}-summary.pdf", batch.summary_path)]
    entries += [(f"{r.entity_id}-{r.number}.pdf", r.pdf_path) for r in reports_of(batch)]
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, path in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as out, open(path, "rb") as pdf:
                while chunk := pdf.read(1 << 16):
                    out.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()
