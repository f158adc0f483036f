"""Reading spreadsheets within bounds: time and peak memory on hostile workbooks and on a large XLSX.

Usage: python -m bench.spreadsheets [--rows N]

Each case runs in a process of its own (`--case`), so that its peak memory (its own and the reading
child's, `ru_maxrss`) is measured alone. The large workbook is written as Excel writes one (shared
strings, dates as styled numbers): N rows of 37 columns, about 30 MB at 120,000 rows. It is read
three ways: the import's reader (a spawned child under the memory ceiling, streaming), the same
reader in-process, and python-calamine's whole-sheet read that the import used before.
"""

import argparse
import io
import json
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "spreadsheets"
COLUMNS = 37


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def write_large(path: Path, rows: int) -> None:
    """An Excel-like workbook: shared strings, a date style, numbers; streamed to the zip."""
    from cleanrecord.records.tests.hostile import CONTENT_TYPES, PACKAGE_RELS, WORKBOOK, WORKBOOK_RELS

    strings: dict[str, int] = {}

    def sid(text: str) -> int:
        return strings.setdefault(text, len(strings))

    header = [f"列{c}" for c in range(1, COLUMNS + 1)]
    header[:4] = ["行政相对人名称", "行政相对人代码_1(统一社会信用代码)", "行政处罚决定书文号", "违法事实"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES.replace("</Types>", (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>')))
        z.writestr("_rels/.rels", PACKAGE_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.replace("</Relationships>", (
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.'
            'org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>')))
        z.writestr("xl/styles.xml", (
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font/>'
            '</fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1">'
            '<xf/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>'
            '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '</styleSheet>'))
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    f'<dimension ref="A1:{_col(COLUMNS)}{rows + 1}"/><sheetData>'.encode())
            cells = "".join(f'<c r="{_col(c)}1" t="s"><v>{sid(h)}</v></c>' for c, h in enumerate(header, 1))
            f.write(f'<row r="1">{cells}</row>'.encode())
            buffer = io.StringIO()
            for n in range(2, rows + 2):
                parts = []
                for c in range(1, COLUMNS + 1):
                    ref = f"{_col(c)}{n}"
                    if c % 9 == 5:
                        parts.append(f'<c r="{ref}" s="1"><v>{44000 + n % 900}</v></c>')
                    elif c % 9 == 6:
                        parts.append(f'<c r="{ref}"><v>{(n * 37 % 10000) / 100}</v></c>')
                    else:
                        text = f"兰州示例商贸有限公司{n}" if c == 1 else f"值{c}-{n % (50 + c * 40)}-{n if c % 4 == 0 else ''}"
                        parts.append(f'<c r="{ref}" t="s"><v>{sid(text)}</v></c>')
                buffer.write(f'<row r="{n}">{"".join(parts)}</row>')
                if n % 2000 == 0:
                    f.write(buffer.getvalue().encode())
                    buffer = io.StringIO()
            f.write(buffer.getvalue().encode() + b"</sheetData></worksheet>")
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" '
                    f'uniqueCount="{len(strings)}">'.encode())
            for text in strings:
                f.write(f"<si><t>{text}</t></si>".encode())
            f.write(b"</sst>")


def write_hostile(folder: Path) -> dict[str, Path]:
    from cleanrecord.records.tests.hostile import only_cell_at, sheet, workbook

    files = {
        "XFD1048576 (declared)": only_cell_at("XFD1048576"),
        "ZZ100000 (declared)": only_cell_at("ZZ100000"),
        "XFD1048576 (undeclared)": only_cell_at("XFD1048576", declared=False),
        "one row of 3,000,000 cells": workbook(sheet('<row r="1">' + "<c/>" * 3_000_000 + "</row>")),
    }
    paths = {}
    for n, (name, data) in enumerate(files.items()):
        paths[name] = folder / f"hostile-{n}.xlsx"
        paths[name].write_bytes(data)
    bomb = folder / "zip-bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(1100):
                f.write(chunk)
    paths["zip bomb (1.1 GB unpacked)"] = bomb
    return paths


def case(how: str, path: str) -> None:
    """Read one file one way, then print what it cost, as JSON."""
    import lxml.etree  # noqa: F401  (a serving worker has these loaded: the figures are of the file, not of imports)
    import openpyxl.reader.excel  # noqa: F401

    from cleanrecord.records.importing.readers import Limits, UnreadableFile, open_table
    from cleanrecord.records.importing.sandbox import HeaderTest, open_table_isolated

    test = HeaderTest("penalty", frozenset(), 3)
    started = time.perf_counter()
    rows, answer = 0, ""
    try:
        if how == "calamine":
            from python_calamine import CalamineWorkbook

            book = CalamineWorkbook.from_path(path)
            for _ in book.get_sheet_by_name(book.sheet_names[0]).iter_rows():
                rows += 1
        else:
            if how == "isolated":
                table = open_table_isolated(Path(path), test, None, limits=Limits(), memory_mb=2048)
            else:
                table = open_table(Path(path), test, None, Limits())
            for _ in table.rows:
                rows += 1
            table.close()
    except UnreadableFile as e:
        answer = str(e)
    elapsed = time.perf_counter() - started
    own, child = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + child.ru_utime + child.ru_stime
    print(json.dumps({"rows": rows, "seconds": round(elapsed, 2), "cpu_seconds": round(cpu, 2),
                      "peak_mb": round(own.ru_maxrss / 1024), "child_peak_mb": round(child.ru_maxrss / 1024),
                      "answer": answer}, ensure_ascii=False))


def measure(how: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.spreadsheets", "--case", how, str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=3600)
    if done.returncode:
        return {"error": done.stderr[-500:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(rows: int) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, path in write_hostile(OUT).items():
        r = measure("isolated", path)
        print(f"{name:30} {path.stat().st_size:>9,} B  {r.get('seconds')} s (cpu {r.get('cpu_seconds')} s)  "
              f"peak {r.get('peak_mb')} MB "
              f"(reader {r.get('child_peak_mb')} MB)  {r.get('answer') or r}")
    large = OUT / f"large-{rows}.xlsx"
    if not large.exists():
        write_large(large, rows)
    print(f"\nlarge workbook: {rows:,} rows × {COLUMNS} columns, {large.stat().st_size / 1048576:.1f} MB")
    for how in ("isolated", "in-process", "calamine"):
        r = measure(how, large)
        print(f"  {how:12} {r.get('rows')} rows  {r.get('seconds')} s (cpu {r.get('cpu_seconds')} s)  "
              f"peak {r.get('peak_mb')} MB "
              f"(reader child {r.get('child_peak_mb')} MB)")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.spreadsheets")
    parser.add_argument("--rows", type=int, default=120_000)
    parser.add_argument("--case", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        case(*args.case)
    else:
        run(args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
