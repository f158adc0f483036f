"""Building department files for import tests, and running the import command on them."""

import csv
import datetime as dt
import io
import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook
from stdnum.cn import ric, uscc

from cleanrecord.records.models import ImportBatch

# 兰州市市场监督管理局 (departments.csv, code "amr").
AMR_CODE = "11620100MB0000030R"
AMR_NAME = "兰州市市场监督管理局"
# 兰州市城关区市场监督管理局: a real department, but not the one sending the file.
OTHER_DEPT_CODE = "11620102MB0000031R"
# 兰州市中级人民法院.
COURT_CODE = "12620100MB0000001N"
COURT_NAME = "兰州市中级人民法院"


def credit_code(body: str) -> str:
    """A credit code with a correct check character: `body` is the first 17 characters."""
    assert len(body) == 17, body
    return body + uscc.calc_check_digit(body)


def bad_checksum(code: str) -> str:
    """The same code with a wrong (but well-formed) check character: an early pilot code."""
    return code[:17] + ("0" if code[17] != "0" else "1")


def id_number(body: str) -> str:
    """A resident ID number with a correct check character: `body` is the first 17 digits."""
    assert len(body) == 17, body
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a number that includes a check place


PERSON_ID = id_number("62010219850315123")

PENALTY_HEADERS = [
    "行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "法定代表人", "证件类型", "证件号码",
    "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额(万元)",
    "处罚决定日期", "公示截止期", "处罚机关", "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码",
]

# The same layout with the national column codes as header.
PENALTY_CODES = {
    "行政相对人名称": "CF_XDR_MC", "行政相对人类别": "CF_XDR_LB", "行政相对人代码_1(统一社会信用代码)": "CF_XDR_SHXYM",
    "法定代表人": "CF_FRDB", "证件类型": "CF_XDR_ZJLX", "证件号码": "CF_XDR_ZJHM", "行政处罚决定书文号": "CF_WSH",
    "违法行为类型": "CF_WFXW", "违法事实": "CF_SY", "处罚依据": "CF_YJ", "处罚类别": "CF_CFLB", "处罚内容": "CF_NR",
    "罚款金额(万元)": "CF_NR_FK", "处罚决定日期": "CF_JDRQ", "公示截止期": "CF_GSJZQ", "处罚机关": "CF_CFJG",
    "处罚机关统一社会信用代码": "CF_CFJGDM", "数据来源单位": "CF_SJLY", "数据来源单位统一社会信用代码": "CF_SJLYDM",
}


def penalty(n: int = 1, **changes) -> dict:
    """One valid penalty row of the national layout, keyed by Chinese header; `changes` override cells."""
    row = {
        "行政相对人名称": f"兰州示例商贸有限公司{n}",
        "行政相对人类别": "法人及非法人组织",
        "行政相对人代码_1(统一社会信用代码)": credit_code(f"91620100MA71{n:05d}"),
        "法定代表人": "张三",
        "证件类型": "",
        "证件号码": "",
        "行政处罚决定书文号": f"兰市监罚〔2024〕{n}号",
        "违法行为类型": "销售不符合食品安全标准的食品",
        "违法事实": "当事人销售超过保质期的食品。",
        "处罚依据": "《中华人民共和国食品安全法》第一百二十四条",
        "处罚类别": "罚款",
        "处罚内容": "罚款人民币五千元",
        "罚款金额(万元)": "0.5",
        "处罚决定日期": "2024-03-01",
        "公示截止期": "2025-03-01",
        "处罚机关": AMR_NAME,
        "处罚机关统一社会信用代码": AMR_CODE,
        "数据来源单位": AMR_NAME,
        "数据来源单位统一社会信用代码": AMR_CODE,
    }
    for key, value in changes.items():
        assert key in row, f"unknown column {key}"
        row[key] = value
    return row


def person_penalty(n: int = 1, number: str = PERSON_ID, **changes) -> dict:
    return penalty(n, **{"行政相对人名称": "李四", "行政相对人类别": "自然人", "行政相对人代码_1(统一社会信用代码)": "",
                         "法定代表人": "", "证件类型": "身份证", "证件号码": number, **changes})


def write_csv(path: Path, header: list[str], rows: list, *, encoding: str = "utf-8-sig", newline: str = "\r\n",
              above: Sequence[Sequence[str]] = ()) -> Path:
    """Write a CSV file; rows are dicts keyed by header or plain lists; `above` are title rows before the header."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline)
    for line in above:
        writer.writerow(line)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header] if isinstance(row, dict) else row)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, header: list[str], rows: list, *, above: Sequence[Sequence] = (), number_formats: dict | None = None) -> Path:
    """Write an XLSX workbook with openpyxl; cell values keep their Python types (dates become Excel dates)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    for line in above:
        sheet.append(list(line))
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(h) for h in header] if isinstance(row, dict) else list(row))
    for column, fmt in (number_formats or {}).items():
        col = header.index(column) + 1
        for r in range(len(above) + 2, sheet.max_row + 1):
            sheet.cell(r, col).number_format = fmt
    book.save(path)
    return path


# -- XLS ----------------------------------------------------------------------------------------
# No XLS writer is installed, so tests write the smallest Excel 97-2003 file calamine reads: a BIFF8
# workbook stream (one sheet of LABEL and NUMBER cells) inside a compound file with one FAT sector.

_SECTOR = 512
_FREE, _END, _FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _bof(substream: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, substream, 0x0DBB, 0x07CC, 0, 0x06))


def _xls_cell(row: int, col: int, value) -> bytes:
    if value is None or value == "":
        return b""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _record(0x0203, struct.pack("<HHHd", row, col, 0, float(value)))  # NUMBER
    chars = str(value).encode("utf-16-le")
    return _record(0x0204, struct.pack("<HHHHB", row, col, 0, len(chars) // 2, 1) + chars)  # LABEL


def _biff8(rows: list[list], sheet: str) -> bytes:
    name = sheet.encode("utf-16-le")
    head = _bof(0x0005) + _record(0x0042, struct.pack("<H", 1200))  # globals, CODEPAGE UTF-16
    sheet_at = len(head) + 4 + 8 + len(name) + 4  # after BOUNDSHEET and EOF
    head += _record(0x0085, struct.pack("<IBBBB", sheet_at, 0, 0, len(name) // 2, 1) + name) + _record(0x000A, b"")
    body = _bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, max(map(len, rows), default=0), 0))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            body += _xls_cell(r, c, value)
    return head + body + _record(0x000A, b"")


def _compound_file(stream: bytes) -> bytes:
    stream = stream.ljust(max(4096, -(-len(stream) // _SECTOR) * _SECTOR), b"\x00")  # no mini stream below 4096
    n = len(stream) // _SECTOR
    assert n + 2 <= _SECTOR // 4, "one FAT sector is enough for test files"
    fat = [*range(1, n), _END, _END, _FATSECT]
    fat += [_FREE] * (_SECTOR // 4 - len(fat))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (raw.ljust(64, b"\x00") + struct.pack("<HBBiii", len(raw), kind, 1, -1, -1, child) + b"\x00" * 36
                + struct.pack("<IQ", start, size))

    directory = (entry("Root Entry", 5, 1, _END, 0) + entry("Workbook", 2, -1, 0, len(stream))).ljust(_SECTOR, b"\x00")
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<9I", 0, 1, n, 0, 4096, _END, 0, _END, 0) + struct.pack("<I", n + 1)
              + struct.pack("<I", _FREE) * 108)
    return header + stream + directory + struct.pack(f"<{_SECTOR // 4}I", *fat)


def write_xls(path: Path, header: list[str], rows: list, *, above: Sequence[Sequence] = (), sheet: str = "数据") -> Path:
    """Write an Excel 97-2003 workbook: text and numbers only (dates as serial numbers, as Excel stores them)."""
    table = [list(line) for line in above] + [header]
    table += [[row.get(h) for h in header] if isinstance(row, dict) else list(row) for row in rows]
    path.write_bytes(_compound_file(_biff8(table, sheet)))
    return path


def penalty_csv(path: Path, rows: list[dict], **kwargs) -> Path:
    return write_csv(path, PENALTY_HEADERS, rows, **kwargs)


def write_mapping(path: Path, mapping: dict[str, str]) -> Path:
    path.write_text(json.dumps(mapping, ensure_ascii=False), encoding="utf-8")
    return path


@dataclass
class Run:
    code: int | str | None  # as given to sys.exit()
    output: str
    errors: str
    last_batch: ImportBatch | None  # the newest batch once the command ended: None if none was ever made

    @property
    def batch(self) -> ImportBatch:
        assert self.last_batch is not None, self.errors
        return self.last_batch

    def issues(self) -> list[list[str]]:
        """The rows of the batch's error file, without its header: [行号, 列, 值, 级别, 原因]."""
        path = self.batch.error_file
        if not path:
            return []
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == ["行号", "列", "值", "级别", "原因"]
        return rows[1:]

    def rejected(self) -> list[list[str]]:
        return [r for r in self.issues() if r[3] == "拒收"]


def run_import(path: Path, kind: str = "penalty", department: str | None = "amr", mapping: Path | None = None,
               dry_run: bool = False) -> Run:
    """Run `import_records` as a clerk would and return its exit code and output."""
    args = [str(path), "--kind", kind]
    if department:
        args += ["--department", department]
    if mapping:
        args += ["--mapping", str(mapping)]
    if dry_run:
        args.append("--dry-run")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_records", *args, stdout=out, stderr=err)
    except SystemExit as e:  # the command ends with sys.exit(status), as a shell script would see it
        code = e.code
    else:
        code = 0
    return Run(code, out.getvalue(), err.getvalue(), ImportBatch.objects.order_by("-pk").first())


def counts(batch: ImportBatch) -> dict[str, int]:
    return {
        "read": batch.rows_read, "created": batch.rows_created, "updated": batch.rows_updated,
        "unchanged": batch.rows_unchanged, "duplicate": batch.rows_duplicate, "rejected": batch.rows_rejected,
    }


def today() -> dt.date:
    return timezone.localdate()
