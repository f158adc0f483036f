"""The report's PDF, typeset by Typst from the snapshot (unsigned; signing comes after).

The snapshot travels into Typst as JSON *data* (sys.inputs, decoded with json() in the template),
never as markup, so whatever characters an entity name holds are printed as they are.
"""

import functools
import io
import json
import logging
import threading
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import segno
import typst

from cleanrecord import conf
from cleanrecord.lib.spreadsheets import csv_writer

from . import languages
from .snapshot import AuditHead, Snapshot, read_snapshot

logger = logging.getLogger(__name__)

TEMPLATE = Path(__file__).parent / "typst" / "report.typ"

# Debian's fonts-noto-cjk (the Makefile installs it). Only these fonts, never the system's, so a
# report looks the same and embeds the same glyphs on every machine.
FONT_DIR = Path("/usr/share/fonts/opentype/noto")
FONT_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")

# One compiler for the process: loading the CJK fonts costs far more than typesetting a report.
# It holds its inputs as state, so two renders must not interleave.
_lock = threading.Lock()


@functools.cache
def compiler(template: Path) -> typst.Compiler:
    """The process's compiler for a template (the report's, a scorecard's), with only our CJK fonts."""
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONT_DIR)])
    missing = set(FONT_FAMILIES) - set(fonts.families())
    if missing:
        raise RuntimeError(f"fonts {sorted(missing)} not found in {FONT_DIR}: install fonts-noto-cjk (make install)")
    return typst.Compiler(template, root=template.parent, font_paths=fonts, ignore_system_fonts=True)


# Domains with more records than this are printed one line per record rather than a block each.
COMPACT_FROM = 20
ATTACHMENT_NAME = languages.CHINESE_TEXT["attachment_name"]  # an English report's: its table's


def render_pdf(snapshot: Mapping[str, Any], *, max_printed: int | None = None) -> bytes:
    """Typeset the snapshot, as stored, as an A4 PDF; same snapshot and print limit, same bytes.

    Typst reads the stored snapshot itself (report.typ knows what an absent key meant); what Python works
    out for it reads the snapshot through read_snapshot().
    """
    content = read_snapshot(snapshot)
    text = languages.text_of(content)
    plan = print_plan(content, conf.get("REPORT_MAX_PRINTED_RECORDS") if max_printed is None else max_printed,
                      attachment_name=text["attachment_name"])
    # In the report's language: an English report's words from the table its snapshot froze.
    stored = languages.as_printed(snapshot)
    # Typst reads only the records it prints; the counts it states come from the plan.
    printed = {**stored, "details": [{**domain, "records": domain["records"][:p["printed"]]}
                                     for domain, p in zip(stored["details"], plan["domains"], strict=True)]}
    inputs = {
        "snapshot": json.dumps(printed, ensure_ascii=False),
        "text": json.dumps(text, ensure_ascii=False),
        "view": json.dumps(display_strings(content), ensure_ascii=False),
        "layout": json.dumps(plan, ensure_ascii=False),
        "qr": qr_svg(content["verify_url"]),
        "records-csv": records_csv(read_snapshot(stored)) if plan["attachment"] else "",
    }
    # The issue time as the PDF's creation date keeps the output reproducible. No PDF structure
    # tags: Typst writes each one as its own uncompressed object, ~5 KB per record, which would
    # push a report with a few dozen records past the size a tender portal accepts.
    issued_at = datetime.fromisoformat(content["issued_at"])
    with _lock:
        pdf, warnings = compiler(TEMPLATE).compile_with_warnings(sys_inputs=inputs, timestamp=issued_at, pdf_tags=False)
    # A warning means a degraded document (a font not found, a value of the wrong type): say so.
    for warning in warnings:
        logger.warning("report %s: typst: %s", content["number"], warning.message)
    assert isinstance(pdf, bytes)  # a PDF is one document (a list of pages only for image formats)
    return pdf


def compile_pdf(template: Path, inputs: dict[str, str], *, timestamp: datetime) -> bytes:
    """Typeset another document of the platform (a group batch's summary) with the report's fonts and lock."""
    with _lock:
        pdf, warnings = compiler(template).compile_with_warnings(sys_inputs=inputs, timestamp=timestamp, pdf_tags=False)
    for warning in warnings:
        logger.warning("%s: typst: %s", template.name, warning.message)
    assert isinstance(pdf, bytes)
    return pdf


def print_plan(snapshot: Snapshot, max_printed: int, *, attachment_name: str = ATTACHMENT_NAME) -> dict:
    """How many records of each domain the PDF prints, and whether as a compact table.

    Typesetting time grows with the records printed (14,000 took 19 s as blocks), so a report prints
    at most `max_printed` of them, domain after domain; every domain still prints its first few. A
    domain cut short says so and how many it has, and the PDF then carries every record as a signed
    CSV attachment: the report still lists each record it counts.
    """
    domains, left = [], max_printed
    for domain in snapshot["details"]:
        count = len(domain["records"])
        printed = min(count, max(left, min(count, COMPACT_FROM)))
        left -= printed
        domains.append({"count": count, "printed": printed, "compact": count > COMPACT_FROM})
    cut = any(d["printed"] < len(s["records"]) for d, s in zip(domains, snapshot["details"], strict=True))
    return {"domains": domains, "attachment": attachment_name if cut else ""}


CSV_HEADERS = {
    languages.CHINESE: ("序号", "领域", "记录类型", "文号", "作出机关/认定部门", "日期", "类别", "内容", "金额", "期间",
                        "标注", "情节严重程度说明"),
    languages.ENGLISH: ("No.", "Domain", "Kind of record", "Document number", "Authority", "Date", "Category",
                        "Content", "Amount", "Period", "Labels", "Statement on seriousness"),
}


def records_csv(snapshot: Snapshot) -> str:
    """Every record of the report, one row each, as a spreadsheet opens it (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS.get(snapshot["language"], CSV_HEADERS[languages.CHINESE]))
    for domain in snapshot["details"]:
        for i, r in enumerate(domain["records"], 1):
            explanation = r["explanation"]
            note = f"{explanation['category']}：{explanation['text']}（{explanation['signer']}，{explanation['date']}）" \
                if explanation else ""
            writer.writerow((
                i, domain["name"], r["title"], r["number"], r["authority"], r["date"], r["category"], r["content"],
                r["amounts"], r["period"], languages.text_of(snapshot)["list_separator"].join(r["labels"]), note,
            ))
    return "\ufeff" + out.getvalue()


def qr_svg(url: str) -> str:
    """The verification QR code as SVG text; Typst draws it as vectors, sharp at any print size."""
    buffer = io.BytesIO()
    # Level M survives a smudged or creased printout; the quiet zone is part of the image.
    segno.make(url, error="m", micro=False).save(buffer, kind="svg", border=2, xmldecl=False, svgns=True, nl=False)
    return buffer.getvalue().decode()


def display_strings(snapshot: Snapshot) -> dict[str, str]:
    """Title, dates and lists as the report prints them, in its language, so the template only places text."""
    if snapshot["language"] == languages.ENGLISH:
        return _display_strings_en(snapshot)
    query = snapshot["query"]
    if query["all_domains"]:
        domains = f"全部 {len(snapshot['summary'])} 个领域"
    else:
        domains = "、".join(row["name"] for row in snapshot["summary"])
    head = snapshot["audit_head"]
    wording = snapshot["wording"]
    return {
        # Snapshots issued before the city wording existed print the old fixed title.
        "title": "经营主体" + (wording["title"] if wording is not None else "专用信用报告"),
        "audit_head": _audit_head(head) if head else "",
        "issued_at": _datetime_zh(snapshot["issued_at"]),
        "issued_date": _date_zh(snapshot["issued_at"]),
        "data_as_of": _datetime_zh(snapshot["data_as_of"]),
        "valid_until": _date_zh(snapshot["valid_until"]),
        "period": f"{_date_zh(query['start'])}至{_date_zh(query['end'])}",
        "domains": domains,
    }


def _display_strings_en(snapshot: Snapshot) -> dict[str, str]:
    en = languages.ENGLISH
    query, head = snapshot["query"], snapshot["audit_head"]
    names = snapshot["labels"]["domain_names"] if snapshot["labels"] else {}
    if query["all_domains"]:
        domains = f"All {len(snapshot['summary'])} domains"
    else:
        domains = ", ".join(names.get(row["code"], row["name"]) for row in snapshot["summary"])
    audit = ""
    if head:
        checkpoint = languages.print_datetime(head["checkpoint_at"], en) if head["checkpoint_at"] else "none"
        audit = f"Audit log head #{head['entry_id']} {head['hash']}, signed checkpoint {checkpoint}"
    return {
        "title": "Dedicated Credit Report of a Business Entity",
        "audit_head": audit,
        "issued_at": languages.print_datetime(snapshot["issued_at"], en),
        "issued_date": languages.print_date(snapshot["issued_at"], en),
        "data_as_of": languages.print_datetime(snapshot["data_as_of"], en),
        "valid_until": languages.print_date(snapshot["valid_until"], en),
        "period": f"{languages.print_date(query['start'], en)} to {languages.print_date(query['end'], en)}",
        "domains": domains,
    }


def _audit_head(head: AuditHead) -> str:
    checkpoint = _datetime_zh(head["checkpoint_at"]) if head["checkpoint_at"] else "无"
    return f"审计日志链头 #{head['entry_id']} {head['hash']}，签名检查点 {checkpoint}"


def _date_zh(value: str) -> str:
    # Only the date part: an ISO timestamp is shown on the day it carries, in its own offset.
    return languages.print_date(value, languages.CHINESE)


def _datetime_zh(value: str) -> str:
    return languages.print_datetime(value, languages.CHINESE)
