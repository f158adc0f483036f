"""The report's PDF, typeset by Typst from the snapshot (unsigned; signing comes after).

The snapshot travels into Typst as JSON *data* (sys.inputs, decoded with json() in the template),
never as markup, so whatever characters an entity name holds are printed as they are.
"""

import functools
import io
import json
import logging
import threading
from datetime import date, datetime
from pathlib import Path

import segno
import typst

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


def render_pdf(snapshot: dict) -> bytes:
    """Typeset the snapshot as an A4 PDF; same snapshot, same bytes."""
    inputs = {
        "snapshot": json.dumps(snapshot, ensure_ascii=False),
        "view": json.dumps(display_strings(snapshot), ensure_ascii=False),
        "qr": qr_svg(snapshot["verify_url"]),
    }
    # The issue time as the PDF's creation date keeps the output reproducible. No PDF structure
    # tags: Typst writes each one as its own uncompressed object, ~5 KB per record, which would
    # push a report with a few dozen records past the size a tender portal accepts.
    issued_at = datetime.fromisoformat(snapshot["issued_at"])
    with _lock:
        pdf, warnings = compiler(TEMPLATE).compile_with_warnings(sys_inputs=inputs, timestamp=issued_at, pdf_tags=False)
    # A warning means a degraded document (a font not found, a value of the wrong type): say so.
    for warning in warnings:
        logger.warning("report %s: typst: %s", snapshot.get("number"), warning.message)
    return pdf


def qr_svg(url: str) -> str:
    """The verification QR code as SVG text; Typst draws it as vectors, sharp at any print size."""
    buffer = io.BytesIO()
    # Level M survives a smudged or creased printout; the quiet zone is part of the image.
    segno.make(url, error="m", micro=False).save(buffer, kind="svg", border=2, xmldecl=False, svgns=True, nl=False)
    return buffer.getvalue().decode()


def display_strings(snapshot: dict) -> dict[str, str]:
    """Dates and lists as the report prints them, so the template only places text."""
    query = snapshot["query"]
    if query["all_domains"]:
        domains = f"全部 {len(snapshot['summary'])} 个领域"
    else:
        domains = "、".join(row["name"] for row in snapshot["summary"])
    head = snapshot.get("audit_head")
    return {
        "audit_head": _audit_head(head) if head else "",
        "issued_at": _datetime_zh(snapshot["issued_at"]),
        "issued_date": _date_zh(snapshot["issued_at"]),
        "data_as_of": _datetime_zh(snapshot["data_as_of"]),
        "valid_until": _date_zh(snapshot["valid_until"]),
        "period": f"{_date_zh(query['start'])}至{_date_zh(query['end'])}",
        "domains": domains,
    }


def _audit_head(head: dict) -> str:
    checkpoint = _datetime_zh(head["checkpoint_at"]) if head.get("checkpoint_at") else "无"
    return f"审计日志链头 #{head['entry_id']} {head['hash']}，签名检查点 {checkpoint}"


def _date_zh(value: str) -> str:
    # Only the date part: an ISO timestamp is shown on the day it carries, in its own offset.
    day = date.fromisoformat(value[:10])
    return f"{day.year}年{day.month}月{day.day}日"


def _datetime_zh(value: str) -> str:
    moment = datetime.fromisoformat(value)
    return f"{_date_zh(value)} {moment:%H:%M}"
