"""`make fuzz`: the importer and the PDF checker fed mutated real files, for a bounded time.

    python -m cleanrecord.testing.fuzz [--seconds 600] [--seed 1] [--only importer|pdf]
    python -m cleanrecord.testing.fuzz --replay FILE --only importer|pdf [--kind penalty] [--department amr]

Seeds are real files: the demo data set the demo generator writes (and an XLSX copy of it), the files
the import tests build (CSV in three encodings, XLSX, XLS, code headers, title rows), and report PDFs
issued and signed by the platform, all made afresh in a scratch data directory with a scratch database
(SQLite there; FUZZ_DATABASE_URL names a PostgreSQL database to drop, create and use instead).

Case N of a target is drawn from random.Random("<seed>:<target>:<N>"): a seed file and one to three
mutations (bytes, encodings, cells, zip members, PDF structure). Each case goes through the real entry
points: records.services.import_file for department files; the file check and the HTTP endpoints
(/verify/file, /api/v1/verify/file) for PDFs. A case fails on an exception other than the project's
refusals (for the importer: a batch failed with "导入过程中发生错误", the catch-all for crashes), a 500,
a process that dies (the parsing process runs with a memory ceiling, FUZZ_MEMORY_MB, 4096), a case slower
than FUZZ_CASE_SECONDS (10), or a wrong answer: a PDF that is not byte for byte one the platform issued
checked as authentic, revoked or expired (issue 11: anything after the signed revision is reported). Failing inputs are kept under var/fuzz-crashes/ with a note (mutations and
traceback); the run goes on, counts them and exits 1 at the end.

The cases run in a worker process; this process supervises it, restarts it after a death or a hang,
and prints per target: cases, time, outcomes (accepted / refused by reason) and failures by file.
"""

import argparse
import codecs
import collections
import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import logging
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ("importer", "pdf")
# A crash: an exception past the refusals, a 500, a dead process. Slow: past the case bound. Wrong: a
# PDF changed after signing answered as an unmodified report.
FAILURES = ("crash", "slow", "wrong")
CRASH_DIR = ROOT / "var" / "fuzz-crashes"
MAX_CASE_BYTES = 64 << 20  # mutations that multiply (rows, chunks) are cut here: a case must stay quick to make
KEEP_PER_KIND = 10  # failing inputs kept per file and reason: the rest are counted only
DEMO_TODAY = dt.date(2025, 12, 31)  # a fixed day: the demo files, and so the importer's seeds, are the same every run


def _env_float(name: str, default: float) -> float:
    return float(os.getenv(name) or default)


# -- mutations ----------------------------------------------------------------------------------
# Each takes (rng, data, seed) and returns new bytes; `seed` describes the file (format, kind).

def flip_bits(rng: random.Random, data: bytes, seed: dict) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.choice([1, 2, 4, 16, 64])):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def set_bytes(rng, data, seed) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.choice([1, 4, 16])):
        out[rng.randrange(len(out))] = rng.choice([0, 0xFF, 0x7F, 0x80, ord('"'), ord(","), ord("\n"), ord("\r"),
                                                   rng.randrange(256)])
    return bytes(out)


def truncate(rng, data, seed) -> bytes:
    return data[:rng.randrange(len(data) + 1)] if rng.random() < 0.7 else data[rng.randrange(len(data) + 1):]


def insert_random(rng, data, seed) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.randbytes(rng.choice([1, 8, 64, 1024])) + data[at:]


def duplicate_chunk(rng, data, seed) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    chunk = data[start:start + rng.choice([1, 16, 256, 4096, 65536])]
    at = rng.randrange(len(data) + 1)
    return data[:at] + chunk * rng.choice([1, 2, 10, 100]) + data[at:]


def delete_chunk(rng, data, seed) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.choice([1, 16, 256, 4096]):]


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace"), "gb18030"


def swap_encoding(rng, data, seed) -> bytes:
    """The same text in another encoding, with or without a BOM, or with a lying BOM."""
    text, _ = _decode(data)
    target = rng.choice(["utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16", "utf-16-le", "utf-16-be",
                         "utf-32", "latin-1", "shift_jis", "lying-bom"])
    if target == "lying-bom":
        return codecs.BOM_UTF8 + text.encode("gb18030", "replace")
    return text.encode(target, "replace")


def swap_line_endings(rng, data, seed) -> bytes:
    text, encoding = _decode(data)
    text = text.replace("\r\n", "\n").replace("\n", rng.choice(["\r", "\n", "\r\r\n", "\u2028", "\x85", "\x0b"]))
    return text.encode(encoding, "replace")


def _resident_id(rng: random.Random) -> str:
    from stdnum.cn import ric

    body = f"6201{rng.randint(2, 11):02d}{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" \
           f"{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def hostile_value(rng: random.Random, value: str) -> str:
    """What a cell may hold that no department meant: long text, NUL, control characters, formulas,
    huge or odd numbers and dates, other scripts' digits, direction marks, ID numbers."""
    return _hostile_value(rng, value)[:2_000_000]  # a million-character cell made fifty times longer is too much


def _hostile_value(rng: random.Random, value: str) -> str:
    kind = rng.randrange(12)
    if kind == 0:
        return rng.choice(["A", "中", "9", " "]) * rng.choice([300, 5000, 70000, 1_000_000])
    if kind == 1:
        return value + "\x00" + value
    if kind == 2:
        return "".join(chr(rng.randrange(32)) for _ in range(rng.randint(1, 8))) + value + "\x7f\x1b[31m"
    if kind == 3:
        return rng.choice(["=1+1", '=HYPERLINK("http://evil.example","点击")', "+1", "-1", "@SUM(A1:A9)",
                           "=cmd|' /C calc'!A0", "\t=1", "=" + value])
    if kind == 4:
        return rng.choice(["9" * 400, "1e308", "-1e308", "NaN", "inf", "-Infinity", "-0", "1E+999999", "0x1F",
                           "１２３４５", "٣٤٥", "99999999999999999999.999999", "0.0000000001", "1,2,3", "￥-5元",
                           "5000元万元", "1" * 30 + "万元"])
    if kind == 5:
        return rng.choice(["0000-00-00", "9999-99-99", "2024-02-30", "00000", "2958466", "-1", "1899-12-30",
                           "10000-01-01", "0001-01-01", "2024-03-01T25:61:00", "２０２４年１３月１日", "1e5", "99991231"])
    if kind == 6:
        return _resident_id(rng)
    if kind == 7:
        return rng.choice(["\u202e" + value, value + "\ufeff", "\u200b" * 10, "\ud7ff\ue000\uffff", "𠀀" * 50,
                           value + "\u0301" * 100])
    if kind == 8:
        return rng.choice(["", "无", " ", "NULL", "——", "/", "n/a"])
    if kind == 9:
        return value * rng.randint(2, 50)
    if kind == 10:
        return "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x4E00, 0x9FFF),
                                       rng.randrange(0x80, 0x10FFFF)])) for _ in range(rng.randint(1, 40)))
    return value.swapcase()[::-1]


def _surrogate_free(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


def mutate_csv_cells(rng, data, seed) -> bytes:
    """Cells (and rows, columns) changed as text, the file written back in its own encoding."""
    if seed["format"] != "csv":
        return flip_bits(rng, data, seed)
    text, encoding = _decode(data)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return data
    for _ in range(rng.randint(1, 6)):
        row = rows[rng.randrange(len(rows))]
        if row:
            c = rng.randrange(len(row))
            row[c] = _surrogate_free(hostile_value(rng, row[c]))
    shape = rng.randrange(8)
    width = max(map(len, rows))
    # Many columns or many rows, up to a few million cells and tens of megabytes: the upload limit
    # allows more, but a case must stay quick to make and to refuse.
    small = len(rows) * width < 200_000 and sum(map(len, map("".join, rows))) < 1_000_000
    if shape == 0 and small:  # many columns
        for row in rows:
            row.extend(["x"] * rng.choice([100, 2000, 16384]))
    elif shape == 1 and small:  # many rows
        rows.extend(rows[-1:] * rng.choice([100, 2000, 20000]))
    elif shape == 2 and len(rows) > 1:  # a header cell blanked or duplicated
        c = rng.randrange(len(rows[0]))
        rows[0][c] = rng.choice(["", rows[0][rng.randrange(len(rows[0]))]])
    elif shape == 3:  # ragged rows
        for row in rows[1:]:
            del row[rng.randrange(len(row) + 1):]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding, "replace")


def _xlsx_members(data: bytes) -> dict[str, bytes] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {name: z.read(name) for name in z.namelist()}
    except Exception:
        return None


def _zip(members: dict[str, bytes], rng: random.Random) -> bytes:
    """A zip of `members` with fixed timestamps (and save time in the workbook's properties): a case's
    bytes depend on its seed alone."""
    out = io.BytesIO()
    method = rng.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
    with zipfile.ZipFile(out, "w") as z:
        for name, body in members.items():
            if name == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2025-01-01T00:00:00Z", body)
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), body, method)
    return out.getvalue()


def mutate_xlsx_members(rng, data, seed) -> bytes:
    """A zip member of a workbook (mostly the sheet or the shared strings) changed, the zip rebuilt whole."""
    members = _xlsx_members(data)
    if members is None:
        return flip_bits(rng, data, seed)
    sheets = [n for n in members if n.startswith("xl/worksheets/") or n == "xl/sharedStrings.xml"]
    name = rng.choice(sheets) if sheets and rng.random() < 0.8 else rng.choice(list(members))
    body = members[name]
    how = rng.randrange(6)
    if how == 0:
        body = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:' + rng.choice(
            [b"XFD1048576", b"ZZ100000", b"A1048576", b"XFD1", b"ZZZZ99999999"]) + b'"', body)
    elif how == 1:  # a cell far away
        body = body.replace(b"</sheetData>", b'<row r="%d"><c r="%s%d" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
                            % ((n := rng.choice([1048576, 100000, 5000])), rng.choice([b"XFD", b"ZZ", b"A"]), n))
    elif how == 2:  # megabytes of nothing, compressed to kilobytes
        body = body.replace(b"</sheetData>", b" " * rng.choice([1 << 20, 20 << 20]) + b"</sheetData>")
    elif how == 3:
        body = rng.choice([flip_bits, set_bytes, truncate, insert_random, duplicate_chunk, delete_chunk])(rng, body, seed)
    elif how == 4:  # a cell value replaced by something hostile
        values = list(re.finditer(rb"<v>([^<]*)</v>", body))
        if values:
            m = rng.choice(values)
            new = rng.choice([b"1e308", b"NaN", b"INF", b"-0", b"9" * 400, b"", b"abc", b"1E+999", b"2958466", b"-1"])
            body = body[:m.start(1)] + new + body[m.end(1):]
    else:  # a shared string replaced
        strings = list(re.finditer(rb"<t[^>]*>([^<]*)</t>", body))
        if strings:
            m = rng.choice(strings)
            new = hostile_value(rng, m[1].decode("utf-8", "replace"))
            new = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda c: f"_x{ord(c[0]):04X}_", _surrogate_free(new))
            new_bytes = new.replace("&", "&amp;").replace("<", "&lt;").encode()
            body = body[:m.start(1)] + new_bytes + body[m.end(1):]
    members[name] = body
    return _zip(members, rng)


def mutate_xlsx_cells(rng, data, seed) -> bytes:
    """Cells rewritten through openpyxl with typed values: numbers of any size, dates, formulas, booleans."""
    if seed["format"] != "xlsx":
        return mutate_csv_cells(rng, data, seed)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data))
    except Exception:
        return mutate_xlsx_members(rng, data, seed)
    sheet = book.worksheets[0]
    rows, cols = max(sheet.max_row, 1), max(sheet.max_column, 1)
    for _ in range(rng.randint(1, 6)):
        cell = sheet.cell(rng.randint(1, rows), rng.randint(1, cols))
        value = rng.choice([
            10 ** 30, -(10 ** 30), 2 ** 63, 1e308, -1e-308, float("nan"), 0, -1, 2958466, 45352.5, True,
            dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31, 23, 59), dt.date(1, 1, 1), dt.time(25 % 24, 0),
            dt.timedelta(days=-3), "=1/0", "=A1", "=SUM(A1:XFD1048576)", "=HYPERLINK(\"http://x\")",
            None, hostile_value(rng, str(cell.value or "")),
        ])
        with contextlib.suppress(Exception):  # openpyxl refuses control characters and some types
            cell.value = value
    if rng.random() < 0.15:
        with contextlib.suppress(Exception):
            sheet.cell(rng.choice([1048576, 100000, 20000]), rng.choice([16384, 702, 60])).value = "far"
    out = io.BytesIO()
    try:
        book.save(out)
    except Exception:
        return mutate_xlsx_members(rng, data, seed)
    return _zip(_xlsx_members(out.getvalue()) or {}, rng)


# PDF structure: updates appended after the signed revision, as an editor or a forger would.

def _pdf_trailer(data: bytes) -> tuple[int, bytes, int] | None:
    """(offset of the last xref section, the /Root reference, /Size) of a PDF, read from its text."""
    starts = re.findall(rb"startxref\s+(\d+)", data[-4096:]) or re.findall(rb"startxref\s+(\d+)", data)
    roots = re.findall(rb"/Root\s+(\d+\s+\d+\s+R)", data)
    sizes = re.findall(rb"/Size\s+(\d+)", data)
    if not (starts and roots and sizes):
        return None
    return int(starts[-1]), roots[-1], max(int(s) for s in sizes)


def append_update(data: bytes, objects: list[bytes], extra_trailer: bytes = b"") -> bytes:
    """An incremental update holding `objects` (numbered from /Size on), with a classic xref section."""
    found = _pdf_trailer(data)
    if found is None:
        return data + b"\n%%EOF\n"
    prev, root, size = found
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    offsets = []
    for i, body in enumerate(objects):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (size + i, body)
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n%d %d\n" % (size, len(objects))
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %s /Prev %d %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        size + len(objects), root, prev, extra_trailer, xref)
    return bytes(out)


def pdf_changed_info(rng, data, seed) -> bytes:
    """A new /Info after the signature: another title, author, producer."""
    found = _pdf_trailer(data)
    size = found[2] if found else 1
    info = rng.choice([b"<< /Title (Forged report) /Producer (fuzz) >>", b"<< /Title <FEFF4F2A9020> >>",
                       b"<< /Author (" + b"A" * 100000 + b") >>", b"<< /Title 12 0 R >>", b"<< >>"])
    return append_update(data, [info], b"/Info %d 0 R " % size)


def pdf_appended_objects(rng, data, seed) -> bytes:
    """Objects appended after the signed revision: annotations, JavaScript, a new catalog, deep nesting."""
    depth = rng.choice([10, 1000, 20000])
    body = rng.choice([
        b"<< /Type /Annot /Subtype /Text /Rect [0 0 100 100] /Contents (changed) >>",
        b"<< /S /JavaScript /JS (app.alert(1)) >>",
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"[" * depth + b"]" * depth,
        b"<<" * depth + b">>" * depth,
        b"<< /Length 999999999 >>\nstream\nxx\nendstream",
        b"<< /Filter /FlateDecode /Length 10 >>\nstream\n" + rng.randbytes(10) + b"\nendstream",
        b"(" + b"\\" * 1000 + b")",
    ])
    return append_update(data, [body] * rng.choice([1, 2, 10]))


def pdf_many_revisions(rng, data, seed) -> bytes:
    """Many small incremental updates, each a revision of its own."""
    out = data
    for k in range(rng.choice([2, 20, 100, 500, 2000])):
        out = append_update(out, [b"<< /Fuzz %d >>" % k])
    return out


def pdf_many_objects(rng, data, seed) -> bytes:
    n = rng.choice([1000, 20000, 100000])
    return append_update(data, [b"<< /N %d >>" % i for i in range(n)])


def pdf_pyhanko_update(rng, data, seed) -> bytes:
    """A well-formed incremental update written by pyHanko: a new /Info, as a PDF editor would leave it."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        writer.set_info(generic.DictionaryObject({generic.NameObject("/Title"): generic.TextStringObject("改过的标题"),
                                                  generic.NameObject("/Producer"): generic.TextStringObject("fuzz")}))
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except Exception:
        return pdf_changed_info(rng, data, seed)


def pdf_broken_xref(rng, data, seed) -> bytes:
    """The cross-reference damaged: cut inside it, its offset wrong, its entries garbled."""
    how = rng.randrange(4)
    if how == 0:
        at = data.rfind(b"xref")
        return data[:max(0, at) + rng.randrange(max(1, len(data) - max(0, at)))]
    if how == 1:
        return re.sub(rb"startxref\s+\d+", b"startxref\n" + str(rng.randrange(10 ** 12)).encode(), data)
    if how == 2:
        return re.sub(rb"(\d{10}) (\d{5}) n", lambda m: b"%010d %s n" % (rng.randrange(10 ** 10), m[2])
                      if rng.random() < 0.2 else m[0], data)
    return data.replace(b"/Prev", b"/Prev 0 /Xprev", 1)


def pdf_signature_fields(rng, data, seed) -> bytes:
    """The signature dictionary tampered with: /ByteRange numbers, /Contents bytes."""
    if rng.random() < 0.5:
        m = re.search(rb"/ByteRange\s*\[([^\]]*)\]", data)
        if m:
            numbers = m[1].split()
            i = rng.randrange(len(numbers)) if numbers else 0
            if numbers:
                numbers[i] = str(rng.choice([0, -1, 10 ** 15, rng.randrange(len(data) * 2)])).encode()
            new = b" ".join(numbers).ljust(len(m[1]))[:max(len(m[1]), 1)]
            return data[:m.start(1)] + new + data[m.end(1):]
    m = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", data)
    if not m:
        return flip_bits(rng, data, seed)
    pos = m.start(1) + rng.randrange(len(m[1]))
    return data[:pos] + rng.choice(b"0123456789abcdefZ").to_bytes(1, "big") + data[pos + 1:]


def pdf_prefix_junk(rng, data, seed) -> bytes:
    return rng.choice([rng.randbytes(rng.choice([1, 100, 1000])), b"%PDF-1.7\n" * 3, b"\xef\xbb\xbf"]) + data


def pdf_twice(rng, data, seed) -> bytes:
    return data + data if rng.random() < 0.5 else data + seed.get("other", b"")


BYTE_MUTATIONS = [flip_bits, set_bytes, truncate, insert_random, duplicate_chunk, delete_chunk]
IMPORT_MUTATIONS = {
    "csv": BYTE_MUTATIONS + [swap_encoding, swap_line_endings] + [mutate_csv_cells] * 6,
    "xlsx": BYTE_MUTATIONS + [mutate_xlsx_members] * 5 + [mutate_xlsx_cells] * 5,
    "xls": BYTE_MUTATIONS,
}
PDF_MUTATIONS = BYTE_MUTATIONS + [pdf_changed_info, pdf_appended_objects, pdf_many_revisions, pdf_many_objects,
                                  pdf_pyhanko_update, pdf_broken_xref, pdf_signature_fields, pdf_prefix_junk,
                                  pdf_twice] * 2


def make_case(target: str, seed_no: int, case: int, seeds: list[dict]) -> tuple[dict, bytes, list[str]]:
    """Case `case` of `target`: (its seed file, the mutated bytes, the mutations' names). Deterministic."""
    rng = random.Random(f"{seed_no}:{target}:{case}")
    seed = rng.choice(seeds)
    data = Path(seed["path"]).read_bytes()
    choices = PDF_MUTATIONS if target == "pdf" else IMPORT_MUTATIONS[seed["format"]]
    names = []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        mutation = rng.choice(choices)
        data = mutation(rng, data, seed)[:MAX_CASE_BYTES]
        names.append(mutation.__name__)
    return seed, data, names


# -- the scratch platform -----------------------------------------------------------------------

def _setup_django(data_dir: Path) -> None:
    os.environ["CLEANRECORD_DATA_DIR"] = str(data_dir)
    os.environ.pop("CLEANRECORD_IMPORT_DIR", None)
    os.environ.pop("CLEANRECORD_REPORT_DIR", None)
    os.environ.pop("CLEANRECORD_EVIDENCE_DIR", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "cleanrecord.settings"
    import django

    django.setup()


def _fresh_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare(work: Path, seed_no: int) -> None:
    """Migrate the scratch database, load reference and demo data, write the seed files, issue reports."""
    _setup_django(work / "data")
    # Models and services only now that Django points at the scratch data directory (run as a script).
    from django.core.management import call_command

    from cleanrecord.demo.generate import write_demo_files
    from cleanrecord.entities.models import Entity
    from cleanrecord.records.models import Penalty
    from cleanrecord.records.services import import_file
    from cleanrecord.records.tests import helpers
    from cleanrecord.reports.services import issue_report, revoke_report

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference", verbosity=0)
    call_command("signing_keys", "init", verbosity=0)
    seeds_dir = work / "seeds"
    seeds_dir.mkdir()
    importer: list[dict] = []

    def add(path: Path, kind: str, department: str | None) -> None:
        fmt = {".csv": "csv", ".xlsx": "xlsx", ".xls": "xls"}[path.suffix]
        importer.append({"path": str(path), "kind": kind, "department": department, "format": fmt})

    demo = write_demo_files(seeds_dir / "demo", entities=40, seed=seed_no, today=DEMO_TODAY)
    for kind, path in demo.paths.items():
        add(path, kind, None)
        import_file(path=path, kind=kind)  # the platform holds the demo data: imports update, reports have records
    # The demo penalties as a workbook too, as a department exports them from Excel.
    with demo.paths["penalty"].open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))[:61]
    add(helpers.write_xlsx(seeds_dir / "demo-penalty.xlsx", table[0], table[1:]), "penalty", None)
    # The files the import tests build.
    rows = [helpers.penalty(n) for n in range(1, 6)] + [helpers.person_penalty(6)]
    add(helpers.penalty_csv(seeds_dir / "penalty-utf8.csv", rows), "penalty", "amr")
    add(helpers.penalty_csv(seeds_dir / "penalty-gbk.csv", rows, encoding="gb18030"), "penalty", "amr")
    add(helpers.penalty_csv(seeds_dir / "penalty-utf16.csv", rows, encoding="utf-16", newline="\n"), "penalty", "amr")
    add(helpers.write_csv(seeds_dir / "penalty-codes.csv", [helpers.PENALTY_CODES[h] for h in helpers.PENALTY_HEADERS],
                          rows, above=[["兰州市市场监督管理局行政处罚信息"]]), "penalty", "amr")
    typed = [{**r, "处罚决定日期": dt.date(2024, 3, n + 1), "罚款金额(万元)": 0.5 * n} for n, r in enumerate(rows)]
    add(helpers.write_xlsx(seeds_dir / "penalty.xlsx", helpers.PENALTY_HEADERS, typed, above=[["标题行"]]), "penalty", "amr")
    add(helpers.write_xls(seeds_dir / "penalty.xls", helpers.PENALTY_HEADERS, rows), "penalty", "amr")

    # Reports issued and signed by the platform: with records, without, on one domain, revoked.
    pdf: list[dict] = []
    with_records = list(Penalty.objects.values_list("subject_key", flat=True).distinct().order_by("subject_key")[:2])
    clean = list(Entity.objects.exclude(credit_code__in=with_records).order_by("credit_code")
                 .values_list("credit_code", flat=True)[:1])
    issued = [issue_report(credit_code=code, domains="all", purpose="finance") for code in with_records + clean]
    issued.append(issue_report(credit_code=with_records[0], domains=["market-regulation"], purpose="business"))
    revoke_report(issued[-1], reason="模糊测试：已撤销的报告")
    for report in issued:
        path = seeds_dir / f"{report.number}.pdf"
        path.write_bytes(report.pdf_bytes())
        pdf.append({"path": str(path), "kind": "report", "format": "pdf"})
    # An office account's API token: some department files go through POST /api/v1/imports.
    # (Imported here, as above: Django is set up inside prepare.)
    from django.contrib.auth.models import User

    from cleanrecord.accounts.tokens import create_token

    office = User.objects.create_superuser("fuzz-office", "fuzz@example.invalid", None)
    _, token = create_token(owner=office, name="fuzz", scopes=["imports:write"])
    (work / "manifest.json").write_text(json.dumps({"importer": importer, "pdf": pdf, "token": token},
                                                   ensure_ascii=False))


# -- running cases ------------------------------------------------------------------------------

class _Captured(logging.Handler):
    """Tracebacks that the code under test logs (the importer's catch-all logs and carries on)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.tracebacks: list[str] = []

    def emit(self, record):
        if record.exc_info:
            self.tracebacks.append("".join(traceback.format_exception(*record.exc_info)))


def _reason(message: str) -> str:
    """A refusal message without its particulars (row numbers, sizes, names): refusals grouped by kind."""
    message = re.split(r"[：:（(]", message, maxsplit=1)[0]
    return re.sub(r"\d+(\.\d+)?", "N", re.sub(r"“[^”]*”", "“…”", message))[:60]


class Runner:
    def __init__(self, work: Path):
        from django.test import Client
        from django.test.utils import setup_test_environment

        with contextlib.suppress(RuntimeError):  # already set up (pytest)
            setup_test_environment()
        self.work = work
        self.captured = _Captured()
        logging.getLogger().addHandler(self.captured)
        self.client = Client(raise_request_exception=True)
        seeds = json.loads((work / "manifest.json").read_text())["pdf"] if (work / "manifest.json").exists() else []
        self.issued = {hashlib.sha256(Path(s["path"]).read_bytes()).hexdigest() for s in seeds}
        self.token = json.loads((work / "manifest.json").read_text()).get("token") if seeds else None

    def run(self, target: str, seed: dict, data: bytes, case: int) -> dict:
        self.captured.tracebacks.clear()
        try:
            if target == "pdf":
                outcome = self._pdf(data, case)
            elif case % 4 == 3 and self.token:
                outcome = self._import_api(seed, data)
            else:
                outcome = self._importer(seed, data)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:  # pyo3's PanicException is a BaseException: it gets past `except Exception`
            return {"outcome": "crash", "reason": f"{type(e).__name__}: {str(e)[:200]}",
                    "traceback": traceback.format_exc()}
        if outcome["outcome"] == "crash" and self.captured.tracebacks and "traceback" not in outcome:
            outcome["traceback"] = self.captured.tracebacks[-1]
        return outcome

    def _importer(self, seed: dict, data: bytes) -> dict:
        # Models and services only once _setup_django has pointed Django at the scratch data directory.
        from cleanrecord.records.models import ImportBatch
        from cleanrecord.records.services import import_file
        from cleanrecord.reference.models import Department

        path = self.work / f"case{Path(seed['path']).suffix}"
        path.write_bytes(data)
        department = Department.objects.get(code=seed["department"]) if seed["department"] else None
        batch = import_file(path=path, kind=seed["kind"], department=department, file_name=path.name).batch
        batch.refresh_from_db()
        if batch.status == ImportBatch.Status.FAILED:
            if batch.message.startswith("导入过程中发生错误"):  # services.import_file's catch-all: a crash
                return {"outcome": "crash", "reason": batch.message[:200]}
            return {"outcome": "refused", "reason": _reason(batch.message)}
        if batch.status == ImportBatch.Status.RUNNING:
            return {"outcome": "crash", "reason": "batch left running"}
        rows = {"rows": batch.rows_read, "rejected": batch.rows_rejected}
        if batch.rows_read and batch.rows_rejected == batch.rows_read:
            first = next((i for i in batch_issues(batch) if i.level == "error"), None)
            return {"outcome": "refused", "reason": "每行均被拒收：" + (f"{first.column} {_reason(first.reason)}" if first else "?"),
                    **rows}
        if not batch.rows_read:
            return {"outcome": "refused", "reason": _reason(batch.message or "文件中没有数据行"), **rows}
        return {"outcome": "accepted", "reason": "all rows accepted" if not batch.rows_rejected else "some rows refused",
                **rows}

    def _import_api(self, seed: dict, data: bytes) -> dict:
        """The same through POST /api/v1/imports, as a department's system sends it."""
        # Models and services only once _setup_django has pointed Django at the scratch data directory.
        from django.core.files.uploadedfile import SimpleUploadedFile

        from cleanrecord.records.models import ImportBatch

        form = {"file": SimpleUploadedFile(f"upload{Path(seed['path']).suffix}", data), "kind": seed["kind"]}
        if seed["department"]:
            form["department"] = seed["department"]
        response = self.client.post("/api/v1/imports", form, HTTP_AUTHORIZATION=f"Bearer {self.token}")
        if response.status_code >= 500:
            return {"outcome": "crash", "reason": f"/api/v1/imports answered {response.status_code}"}
        body = response.json()
        batch_id = body.get("id") if isinstance(body, dict) else None
        batch = ImportBatch.objects.filter(pk=batch_id).first() if batch_id is not None else None
        if batch is not None and batch.message.startswith("导入过程中发生错误"):
            return {"outcome": "crash", "reason": batch.message[:200]}
        rows = {"rows": body.get("rows_read", 0), "rejected": body.get("rows_rejected", 0)}
        if response.status_code != 200:
            return {"outcome": "refused", "reason": f"API {response.status_code}: {_reason(str(body.get('message') or body.get('detail')))}"}
        if not rows["rows"] or rows["rows"] == rows["rejected"]:
            return {"outcome": "refused", "reason": f"API 200: {_reason(body.get('message') or '每行均被拒收')}", **rows}
        return {"outcome": "accepted", "reason": "API: rows accepted", **rows}

    def _pdf(self, data: bytes, case: int) -> dict:
        """Through the file check itself, the page or the API, in turn; each from a client address of its
        own (the file check may spend the guessing budget)."""
        # Models and services only once _setup_django has pointed Django at the scratch data directory.
        from django.core.files.uploadedfile import SimpleUploadedFile

        from cleanrecord.verification import files

        way = ("check_file", "/verify/file", "/api/v1/verify/file")[case % 3]
        status = 200
        if way == "check_file":
            verdict = files.check_file(data, client="fuzz")
            result, problem = str(verdict.result), verdict.problem
        else:
            response = self.client.post(way, {"file": SimpleUploadedFile("report.pdf", data, "application/pdf")},
                                        REMOTE_ADDR=f"10.{case >> 16 & 255}.{case >> 8 & 255}.{case & 255}")
            status, problem = response.status_code, None
            if status >= 500:
                return {"outcome": "crash", "reason": f"{way} answered {status}"}
            if way.startswith("/api/"):
                result = response.json().get("result", "?") if status != 429 else "budget"
            else:
                found = re.search(r'class="card verdict verdict-(\w+)"', response.content.decode())
                result = found[1] if found else ("budget" if status == 429 else "?")
        reason = f"{result}" + (f" ({problem})" if problem else "") + ("" if way == "check_file" else f"; HTTP {status}")
        if result in ("authentic", "revoked", "expired"):
            if hashlib.sha256(data).hexdigest() not in self.issued:
                # Issue 11: whatever bytes follow the signed revision, the answer is not "unmodified".
                return {"outcome": "wrong", "reason": f"{result} for a file that is not one the platform issued",
                        "where": "cleanrecord/verification/files.py"}
            return {"outcome": "accepted", "reason": reason}
        return {"outcome": "refused", "reason": reason}


def batch_issues(batch):
    # Models and services only once _setup_django has pointed Django at the scratch data directory.
    from cleanrecord.records.services import ImportResult

    try:
        yield from ImportResult(batch).issues()
    except (ValueError, csv.Error):
        return


def _where(tb: str) -> str:
    """The project file nearest the failure in a traceback: crashes are counted by it."""
    dump = "Fatal Python error" in tb
    if dump:
        tb = tb[tb.rindex("Fatal Python error"):]
        tb = tb[tb.find("Current thread"):]
    files = re.findall(r'File "([^"]+)", line (\d+)', tb)
    ours = [f for f, _ in files if "/cleanrecord/" in f and "/testing/fuzz.py" not in f]
    if not ours:
        return "(no project frame)"
    # faulthandler's dump (a native crash) lists the innermost frame first; a traceback, last.
    return "cleanrecord/" + ours[0 if dump else -1].rsplit("/cleanrecord/", 1)[1]


def _last_words(log: str) -> str:
    """What a dead worker said about it: a Rust panic or allocation failure, a fatal error."""
    lines = log.splitlines()[::-1]
    for pattern in (r"panicked at|memory allocation of", r"MemoryError", r"Fatal Python error"):
        found = next((line.strip() for line in lines if re.search(pattern, line)), "")
        if found:
            return found[:200]
    return ""


def _group(reason: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "N", reason))[:150]


class Sampler:
    """Where a slow case spends its time: the innermost project frame of the main thread, sampled."""

    def __init__(self, work: Path):
        import threading

        self.path = work / "current-where"
        self.counts: collections.Counter = collections.Counter()
        main = threading.main_thread().ident
        assert main is not None  # the main thread is running: it is the one being sampled
        self.main = main
        threading.Thread(target=self._loop, daemon=True).start()

    def reset(self) -> None:
        self.counts = collections.Counter()
        self.path.write_text("")

    def top(self) -> str:
        return self.counts.most_common(1)[0][0] if self.counts else "(no project frame)"

    def _loop(self) -> None:
        while True:
            time.sleep(0.25)
            frame = sys._current_frames().get(self.main)
            while frame is not None:
                name = frame.f_code.co_filename
                if "/cleanrecord/" in name and not name.endswith("/testing/fuzz.py"):
                    self.counts["cleanrecord/" + name.rsplit("/cleanrecord/", 1)[1]] += 1
                    with contextlib.suppress(OSError):
                        self.path.write_text(self.top())
                    break
                frame = frame.f_back


_kept: collections.Counter = collections.Counter()


def save_crash(target: str, seed_no: int, case: int, seed: dict, data: bytes, names: list[str], result: dict) -> str:
    """Keep a failing input and its note under var/fuzz-crashes/ (the first few of each kind); returns the name."""
    kind = (target, result.get("where", ""), _group(result["reason"]))
    _kept[kind] += 1
    if _kept[kind] > KEEP_PER_KIND:
        return ""
    CRASH_DIR.mkdir(parents=True, exist_ok=True)
    suffix = Path(seed["path"]).suffix
    path = CRASH_DIR / f"{target}-seed{seed_no}-case{case}{suffix}"
    path.write_bytes(data)
    note = {"target": target, "seed": seed_no, "case": case, "seed_file": Path(seed["path"]).name,
            "kind": seed.get("kind"), "department": seed.get("department"), "mutations": names, **result}
    path.with_suffix(path.suffix + ".txt").write_text(
        json.dumps({k: v for k, v in note.items() if k != "traceback"}, ensure_ascii=False, indent=1)
        + "\n\n" + result.get("traceback", ""), encoding="utf-8")
    return str(path)


def worker(work: Path, target: str, seed_no: int, start: int, deadline: float, case_seconds: float) -> None:
    """Run cases from `start` until `deadline`, one JSON line per event in <work>/<target>.jsonl."""
    import faulthandler

    faulthandler.enable()  # a process killed by a native abort still says where Python was
    memory = int(_env_float("FUZZ_MEMORY_MB", 4096)) << 20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    _setup_django(work / "data")
    seeds = json.loads((work / "manifest.json").read_text())[target]
    runner = Runner(work)
    sampler = Sampler(work)
    with (work / f"{target}.jsonl").open("a", buffering=1) as events:
        case = start
        while time.time() < deadline:
            seed, data, names = make_case(target, seed_no, case, seeds)
            (work / "current.bin").write_bytes(data)
            (work / "current.json").write_text(json.dumps({"case": case, "seed": seed, "mutations": names}))
            events.write(json.dumps({"begin": case, "at": time.time()}) + "\n")
            sampler.reset()
            started = time.perf_counter()
            result = runner.run(target, seed, data, case)
            seconds = time.perf_counter() - started
            if result["outcome"] != "crash" and seconds > case_seconds:
                result = {"outcome": "slow", "reason": f"{seconds:.1f} s > {case_seconds:g} s ({result['reason']})"}
            if result["outcome"] in FAILURES:
                result.setdefault("where", _where(result["traceback"]) if "traceback" in result else sampler.top())
                result["saved"] = save_crash(target, seed_no, case, seed, data, names, result)
            events.write(json.dumps({"end": case, "seconds": seconds, "mutations": names, "size": len(data),
                                     **{k: v for k, v in result.items() if k != "traceback"}}, ensure_ascii=False) + "\n")
            case += 1


# -- the supervisor -----------------------------------------------------------------------------

def _spawn(work: Path, *args: str, env: dict) -> subprocess.Popen:
    with (work / "worker.log").open("wb") as log:  # each worker's own: a dead worker's last words
        return subprocess.Popen([sys.executable, "-m", "cleanrecord.testing.fuzz", "--work", str(work), *args],
                                cwd=ROOT, env={**env, "RUST_BACKTRACE": "0"}, stdout=subprocess.DEVNULL, stderr=log)


def fuzz_target(work: Path, target: str, seed_no: int, seconds: float, case_seconds: float, env: dict) -> dict:
    """Run `target` for `seconds` in worker processes; a worker that dies or hangs is replaced."""
    hang = max(30.0, case_seconds * 3)
    events_path = work / f"{target}.jsonl"
    events_path.touch()
    started = time.time()
    deadline = started + seconds
    results: list[dict] = []
    case = 0
    with events_path.open() as events:
        while time.time() < deadline:
            proc = _spawn(work, "--worker", target, "--seed", str(seed_no), "--start", str(case),
                          "--deadline", repr(deadline), "--case-seconds", str(case_seconds), env=env)
            begun: dict | None = None
            killed = ""
            while True:
                for line in events:
                    event = json.loads(line)
                    if "begin" in event:
                        begun = event
                    else:
                        results.append(event)
                        begun = None
                        case = event["end"] + 1
                if proc.poll() is not None:
                    break
                if begun and time.time() - begun["at"] > hang:
                    proc.kill()
                    killed = f"no answer after {hang:.0f} s (killed)"
                time.sleep(0.2)
            for line in events:  # what it wrote before it exited
                event = json.loads(line)
                if "end" in event:
                    results.append(event)
                    begun = None
                    case = event["end"] + 1
                else:
                    begun = event
            if begun is not None:  # it died inside a case: that case is a crash
                current = json.loads((work / "current.json").read_text())
                code = proc.returncode
                why = killed or (f"worker died: signal {-code} ({signal.Signals(-code).name})" if code < 0
                                 else f"worker exited with status {code}")
                log = (work / "worker.log").read_text(errors="replace")
                log = "\n".join(line for line in log.splitlines() if not re.match(r"\s+(\d+: |at )", line))[-6000:]
                where = (work / "current-where").read_text() if (work / "current-where").exists() else ""
                where = _where(log) if "Fatal Python error" in log else where or "(no project frame)"
                if _last_words(log):
                    why += f": {_last_words(log)}"
                result = {"outcome": "crash" if not killed else "slow", "reason": why, "where": where, "traceback": log}
                result["saved"] = save_crash(target, seed_no, current["case"], current["seed"],
                                             (work / "current.bin").read_bytes(), current["mutations"], result)
                results.append({"end": current["case"], "seconds": time.time() - begun["at"],
                                "mutations": current["mutations"], "size": (work / "current.bin").stat().st_size, **{k: v for k, v in result.items() if k != "traceback"}})
                case = current["case"] + 1
            elif proc.returncode and time.time() < deadline:
                raise SystemExit(f"{target} worker failed outside a case; see {work / 'worker.log'}:\n"
                                 + (work / "worker.log").read_text(errors="replace")[-3000:])
    return {"target": target, "seconds": time.time() - started, "results": results}


def report(summary: dict) -> int:
    """Print a target's figures; the number of failing cases."""
    results = summary["results"]
    outcomes = collections.Counter(r["outcome"] for r in results)
    slowest = max(results, key=lambda r: r["seconds"], default=None)
    print(f"\n== {summary['target']}: {len(results)} cases in {summary['seconds']:.0f} s "
          f"({len(results) / max(summary['seconds'], 1e-9):.1f}/s; slowest {slowest['seconds'] if slowest else 0:.2f} s)")
    for outcome in ("accepted", "refused", *FAILURES):
        if not outcomes[outcome]:
            continue
        print(f"  {outcome}: {outcomes[outcome]}")
        reasons = collections.Counter((r.get("where", "") + " " + _group(r["reason"]) if outcome in FAILURES
                                       else r["reason"]) for r in results if r["outcome"] == outcome)
        for reason, n in reasons.most_common(25 if outcome in FAILURES else 12):
            print(f"    {n:6d}  {reason}")
    rows = sum(r.get("rows", 0) for r in results)
    if rows:
        print(f"  rows read {rows}, refused {sum(r.get('rejected', 0) for r in results)}")
    for r in sorted(results, key=lambda r: -r["seconds"])[:3]:
        print(f"  slow: case {r['end']} {'+'.join(r['mutations'])} {r.get('size', 0)} bytes {r['seconds']:.2f} s "
              f"({r['outcome']}: {r['reason'][:60]})")
    failing = [r for r in results if r["outcome"] in FAILURES]
    if failing:
        by_file = collections.Counter(r.get("where", "?") for r in failing)
        print("  failures by file: " + ", ".join(f"{f} {n}" for f, n in by_file.most_common()))
        kept = [Path(r["saved"]).name for r in failing if r.get("saved")]
        print(f"  {len(kept)} inputs kept in {CRASH_DIR} (at most {KEEP_PER_KIND} per file and reason): "
              + ", ".join(kept[:10]) + (" …" if len(kept) > 10 else ""))
    return len(failing)


def replay(work: Path, target: str, path: Path, kind: str, department: str | None, case_seconds: float) -> int:
    _setup_django(work / "data")
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference", verbosity=0)
    call_command("signing_keys", "init", verbosity=0)
    seed = {"path": str(path), "kind": kind, "department": department, "format": path.suffix.lstrip(".")}
    started = time.perf_counter()
    result = Runner(work).run(target, seed, path.read_bytes(), 1)
    print(json.dumps({k: v for k, v in result.items() if k != "traceback"}, ensure_ascii=False),
          f"{time.perf_counter() - started:.2f} s")
    print(result.get("traceback", ""))
    return 1 if result["outcome"] == "crash" else 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m cleanrecord.testing.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=_env_float("FUZZ_SECONDS", 600),
                        help="total fuzzing time, split between the targets (FUZZ_SECONDS, 600)")
    parser.add_argument("--seed", type=int, default=int(os.getenv("FUZZ_SEED") or 1), help="FUZZ_SEED, 1")
    parser.add_argument("--only", choices=TARGETS)
    parser.add_argument("--case-seconds", type=float, default=_env_float("FUZZ_CASE_SECONDS", 10),
                        help="a case slower than this fails (FUZZ_CASE_SECONDS, 10)")
    parser.add_argument("--replay", type=Path, help="run one saved input (with --only) and print its traceback")
    parser.add_argument("--kind", default="penalty", help="the data kind of a replayed department file")
    parser.add_argument("--department", default="amr", help="the uploading department of a replayed file ('' for none)")
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker", choices=TARGETS, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--deadline", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.work, args.worker, args.seed, args.start, args.deadline, args.case_seconds)
        return 0
    if args.prepare:
        prepare(args.work, args.seed)
        return 0

    work = Path(tempfile.mkdtemp(prefix="cleanrecord-fuzz-"))
    env = {**os.environ, "CLEANRECORD_DATA_DIR": str(work / "data"), "DEBUG": "false"}
    for name in ("CLEANRECORD_IMPORT_DIR", "CLEANRECORD_REPORT_DIR", "CLEANRECORD_EVIDENCE_DIR", "DATABASE_URL"):
        env.pop(name, None)
    if os.getenv("FUZZ_DATABASE_URL"):
        _fresh_postgres(os.environ["FUZZ_DATABASE_URL"])
        env["DATABASE_URL"] = os.environ["FUZZ_DATABASE_URL"]
    try:
        if args.replay:
            if not args.only:
                parser.error("--replay needs --only importer|pdf")
            os.environ.update({k: v for k, v in env.items() if k in ("CLEANRECORD_DATA_DIR", "DATABASE_URL")})
            return replay(work, args.only, args.replay, args.kind, args.department or None, args.case_seconds)
        targets = [args.only] if args.only else list(TARGETS)
        database = env.get("DATABASE_URL", "").rsplit("@", 1)[-1] or f"SQLite in {work / 'data'}"
        print(f"fuzzing {' and '.join(targets)} for {args.seconds:.0f} s, seed {args.seed}, database {database}; "
              f"a case fails beyond {args.case_seconds:g} s")
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "cleanrecord.testing.fuzz", "--work", str(work), "--prepare",
                               "--seed", str(args.seed)], cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            print(done.stdout + done.stderr, file=sys.stderr)
            return 2
        manifest = json.loads((work / "manifest.json").read_text())
        print(f"seeds: {len(manifest['importer'])} department files, {len(manifest['pdf'])} signed reports "
              f"(prepared in {time.perf_counter() - started:.0f} s)")
        failures = 0
        for target in targets:
            summary = fuzz_target(work, target, args.seed, args.seconds / len(targets), args.case_seconds, env)
            failures += report(summary)
        print(f"\n{'FAILED' if failures else 'OK'}: {failures} failing case(s)")
        return 1 if failures else 0
    finally:
        if not os.getenv("FUZZ_KEEP"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
