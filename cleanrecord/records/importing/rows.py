"""Turning one row of a department file into a record, or into the reasons it is refused.

`RowParser.parse()` is the hot path of every import: it binds header columns to fields once, then
per row runs the cell parsers, the kind's checks, and produces the values to store, the content
hash that tells an update from a re-send, and the version document.
"""

import contextlib
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

import orjson
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cleanrecord.entities.models import guess_kind
from cleanrecord.lib import fieldcrypt
from cleanrecord.lib.identifiers import (
    PROVINCE_CODES,
    CodeCheck,
    check_credit_code,
    check_org_code,
    check_reg_no,
    is_valid_id_number,
    looks_like_id_number,
    mask_id_number,
    normalise_org_code,
    org_code_of,
    reg_no_ok,
)
from cleanrecord.lib.refusals import Refused
from cleanrecord.lib.text import without_controls
from cleanrecord.records.models import COMPULSION_CATEGORIES, CompulsionType
from cleanrecord.reference.models import Department

from . import values
from .layouts import LAYOUTS, AliasIndex, Field, header_key, is_export_column

PENALTY_CATEGORIES = (
    "警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级", "吊销许可证件",
    "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留", "其他",
)
# Older wording (行政处罚法 before 2021, and common variants) mapped to Art. 9 categories.
_CATEGORY_SYNONYMS = {
    "暂扣或者吊销许可证": ("暂扣许可证件", "吊销许可证件"), "暂扣或者吊销执照": ("暂扣许可证件", "吊销许可证件"),
    "暂扣或吊销许可证": ("暂扣许可证件", "吊销许可证件"), "暂扣许可证": ("暂扣许可证件",), "暂扣执照": ("暂扣许可证件",),
    "吊销许可证": ("吊销许可证件",), "吊销执照": ("吊销许可证件",), "吊销营业执照": ("吊销许可证件",),
    "吊销证照": ("吊销许可证件",), "责令停产停业整顿": ("责令停产停业",), "停产停业": ("责令停产停业",),
    "没收违法所得和非法财物": ("没收违法所得", "没收非法财物"), "罚款处罚": ("罚款",), "拘留": ("行政拘留",),
}
NOT_PENALISED = "不予行政处罚"
CATEGORIES_MAX = 200  # Penalty.categories
_CATEGORY_SPLIT = re.compile(r"[;；、,，/\s]+")
LISTING_COURT = "失信被执行人"
LICENCE_DOC_NAME = "行政许可决定书"  # a licence row's 文书名称 when it gives none: stored as the record's
ID_CARD = "身份证"  # the 证件类型 stored for an ID number found in a code column
# Fields a court list fills from another of its columns: an empty cell there is an empty cell, not a missing column.
_FILLED_FROM = {"authority_name": "court_name", "listed_on": "published_on", "reason": "conduct"}
COURT_LIST_BASIS = "《最高人民法院关于公布失信被执行人名单信息的若干规定》"


# The level column of a batch's error file: written, and read back (services.BatchResult.issues); a row's level.
ERROR_FILE_LEVELS = {"error": "拒收", "warning": "提示"}


@dataclass(slots=True)
class Issue:
    row: int
    column: str
    value: str
    reason: str
    level: str = "error"  # error: row refused; warning: row kept, clerk told


@dataclass(slots=True)
class Parsed:
    row: int
    values: dict
    content_hash: str
    entity_kind: str = ""
    entity_warning: bool = False


@dataclass
class Binding:
    index: int
    field: Field
    header: str
    unit_yuan: bool = False

    def parser(self):
        """The cell parser for this column, with its options bound: one call per cell on the hot path."""
        f = self.field
        if f.parser == "text":
            return functools.partial(values.text, max_length=f.max_length)
        if f.parser == "code":
            return functools.partial(values.code, max_length=f.max_length or 18)
        if f.parser == "amount":
            return functools.partial(values.amount, unit_yuan=self.unit_yuan)
        if f.parser == "id":
            return values.id_number
        return getattr(values, f.parser)


@dataclass
class Context:
    """What a row is checked against: the uploading department (if any) and the reference data."""

    department: Department | None
    departments_by_credit_code: dict[str, Department]
    domains: dict[str, str]  # code or Chinese name → code
    today: dt.date
    max_fine_wan: Decimal
    regions: dict[str, str] = field(default_factory=dict)  # code or name (城关区, 兰州市城关区) → code
    # The register's credit code for a 组织机构代码 or 工商注册号 (keywords org_code, reg_no); None: not found.
    find_credit_code: Callable[..., str | None] | None = None


class _Department(NamedTuple):
    """What a row takes from its department, read once: on a model instance, pk and the foreign key ids
    cost a Python call per read."""

    pk: int
    credit_code: str
    name: str
    region_id: str
    default_domain_id: str
    may_send_for_others: bool
    is_court: bool = False

    @classmethod
    def of(cls, dept: Department) -> "_Department":
        return cls(dept.pk, dept.credit_code, dept.name, dept.region_id, dept.default_domain_id, dept.may_send_for_others,
                   dept.is_court)


_MISSING = object()
MEMO_SIZE = 2048  # per column; long free text never repeats, so the cap bounds what it costs
# A memo that fills up within this many rows serves a column whose values hardly repeat (names, codes,
# facts): looking cells up in it costs more than it saves, and it is dropped.
MEMO_GIVE_UP_ROWS = MEMO_SIZE * 5 // 4


def _memo_key(cell):
    """Cells as memo keys: strings as themselves; 1, 1.0 and True from a spreadsheet kept apart."""
    return cell if cell.__class__ is str else (cell.__class__, cell)


# One column of the parser's plan: cell index, field name, joined or not, parser, memo (None once full), header.
_Step = tuple[int, str, bool, Callable, dict | None, str]


def _blank_memo(parse) -> dict:
    """A column's memo, holding at the start what its parser makes of a blank cell: most cells of a
    national-layout file are blank."""
    memo = {}
    for blank in ("", None):
        with contextlib.suppress(ValueError):  # a blank the parser refuses is parsed, and refused, every time
            memo[_memo_key(blank)] = parse(blank)
    return memo


class MappingError(Refused):
    """A column mapping (or an import profile) that cannot be applied; the message says where, in Chinese."""


@functools.lru_cache(maxsize=4096)  # a file repeats a handful of category spellings
def split_categories(text: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """Return (categories, unknown values, not-penalised) for a 处罚类别 cell."""
    found: list[str] = []
    unknown: list[str] = []
    not_penalised = False
    for part in _CATEGORY_SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        if part in ("不予处罚", NOT_PENALISED, "免予处罚", "免予行政处罚"):
            not_penalised = True
        elif part in PENALTY_CATEGORIES:
            found.append(part)
        elif part in _CATEGORY_SYNONYMS:
            found.extend(_CATEGORY_SYNONYMS[part])
        elif part.startswith("其他"):
            found.append("其他")
        else:
            unknown.append(part)
    return tuple(dict.fromkeys(found)), tuple(unknown), not_penalised


# Columns that hold the subject's codes, all shown as such: an ID number must not end up in one.
_CODE_COLUMNS = ("credit_code", "reg_no", "org_code", "tax_no", "institution_no", "social_org_no")
_ID_FIRST = frozenset("12345678")
# What published lists put in place of the characters they hide: such a code names nobody for certain, and two
# people behind the same mask would become one subject.
MASK_CHARS = ("*", "＊", "×", "#", "?", "？")
_MASKABLE = ("credit_code", "subject_id", "code_or_id", "reg_no", "org_code", "tax_no", "institution_no", "social_org_no")
# An organisation's name on a row that only has a person's ID number: a company is not a natural person.
_ORG_WORDS = ("公司", "有限责任", "合作社", "集团", "协会", "事务所", "委员会")
# Text decoded with the wrong encoding: U+FFFD, GBK's 锟斤拷 (UTF-8 replacement bytes read as GBK), and UTF-8
# read as Latin-1/cp1252 (é” â€ Ã…: a lead byte's letter followed by a continuation byte's character).
GARBLED = re.compile("\ufffd|锟斤拷|烫烫烫|屯屯屯|[\u00c2-\u00ef][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178"
                     "\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030"
                     "\u2039\u203a\u20ac\u2122]")
# One character class, which re scans for far faster than GARBLED's alternatives: most cells have none of them.
_GARBLED_HINT = re.compile("[\u00c2-\u00ef\ufffd锟烫屯]")
GARBLED_REASON = gettext_noop("疑似乱码，请检查文件编码（应为 UTF-8 或 GBK 另存后重新报送）")  # translated where told
_PERSON_ID = re.compile(r"^(\d{15}|\d{17}[\dX])$")


def _is_person_id(value: str, category: str) -> bool:
    """Whether a court list's 身份证号码/组织机构代码 cell holds a person's ID number.

    An 18-digit ID number also has the shape of a credit code, and one in 31 even passes its
    checksum, so a valid ID number is never taken for a code: it is personal data to encrypt.
    """
    if category == "person" or is_valid_id_number(value):
        return True
    return bool(_PERSON_ID.match(value)) and check_credit_code(value) is not CodeCheck.VALID


class RowParser:
    def __init__(self, kind: str, header: list[str], context: Context, mapping: dict[str, str] | None = None):
        self.kind = kind
        self.ctx = context
        self._uploader = _Department.of(context.department) if context.department is not None else None
        self._departments = {code: _Department.of(d) for code, d in context.departments_by_credit_code.items()}
        self._departments_by_name = {d.name: d for d in self._departments.values()}
        self._domain_names = {code: name for name, code in context.domains.items() if name != code}
        self._found: dict[tuple[str, str], str | None] = {}  # register look-ups by 组织机构代码 / 工商注册号
        self.notes: dict[tuple[str, str], str] = {}  # values filled in for the whole file, told once
        index = AliasIndex.for_kind(kind, [str(h) for h in header])
        overrides: dict[str, tuple[Field, str]] = {}
        for source, target in (mapping or {}).items():  # every entry is checked, used or not: a typo shows at once
            f = index.match(target)
            if f is None:
                raise MappingError(_("字段映射文件中“%(source)s”对应的“%(target)s”不是可识别的字段") % {"source": source, "target": target})
            overrides[header_key(source)] = f, header_key(target)
        self.bindings: list[Binding] = []
        self.extra: list[tuple[int, str]] = []
        for i, h in enumerate(header):
            h = str(h).strip()
            if not h or is_export_column(h):
                continue
            f, target = overrides.get(header_key(h)) or (index.match(h), "")
            if f is None:
                self.extra.append((i, h))
                continue
            if not f.join and any(b.field is f for b in self.bindings):
                self.extra.append((i, h))  # a second column for the same field: kept, not used
                continue
            self.bindings.append(Binding(i, f, h, unit_yuan="(元)" in header_key(h) or "(元)" in target))
        # Per column, the values already parsed: most columns (category, authority, basis, dates, status)
        # repeat a few spellings across a file, and a dictionary hit is far cheaper than parsing again.
        self._plan: list[_Step] = [
            (b.index, b.field.name, b.field.join, b.parser(), _blank_memo(b.parser()), b.header) for b in self.bindings]
        self._width = max((b.index + 1 for b in self.bindings), default=0)
        self._header_width = len(header)

        self._parsed = 0
        self.present = {b.field.name for b in self.bindings}
        self._code_columns = tuple(n for n in _CODE_COLUMNS if n in self.present)
        self._mask_columns = tuple(n for n in _MASKABLE if n in self.present)  # the hot path looks at no others
        self.labels: dict[str, str] = {}
        for b in self.bindings:  # a field fed by several columns (处罚类别1, 处罚类别2) names them all
            self.labels[b.field.name] = f"{self.labels[b.field.name]}、{b.header}" if b.field.name in self.labels else b.header
        for f in LAYOUTS[kind]:
            self.labels.setdefault(f.name, f.label)
        self.finish = getattr(self, f"_finish_{kind}")

    def recognised(self) -> int:
        return len(self.bindings)

    # -- the hot path -------------------------------------------------------------------------

    def parse(self, row_no: int, cells: list) -> tuple[Parsed | None, list[Issue]]:
        out: dict = {}
        issues: list[Issue] = []
        self._failed: set[str] = set()
        self._parsed += 1
        n = len(cells)
        if n > self._header_width and self._beyond_header(row_no, cells, issues):
            return None, issues
        if n < self._width:  # a short row: the cells it lacks are blank
            cells = [*cells, *[None] * (self._width - n)]
        for index, name, join, parse, memo, header in self._plan:
            cell = cells[index]
            if memo is None:
                v = _MISSING
            else:
                key = cell if cell.__class__ is str else (cell.__class__, cell)  # as _memo_key(), inline: the hot path
                v = memo.get(key, _MISSING)
            if v is _MISSING:
                # Only on a cell not seen before, and only a non-ASCII one: most cells are memo hits or ASCII.
                if cell.__class__ is str and not cell.isascii() and _GARBLED_HINT.search(cell) and GARBLED.search(cell):
                    issues.append(Issue(row_no, header, cell[:200], _(GARBLED_REASON)))
                    self._failed.add(name)
                    continue
                try:
                    v = parse(cell)
                except ValueError as e:
                    issues.append(Issue(row_no, header, values.as_text(cell)[:200], str(e)))
                    self._failed.add(name)
                    continue
                if memo is not None and len(memo) < MEMO_SIZE:
                    memo[key] = v
                    if len(memo) == MEMO_SIZE and self._parsed <= MEMO_GIVE_UP_ROWS:
                        self._plan = [(*e[:4], None, e[5]) if e[4] is memo else e for e in self._plan]
            if not join:
                out[name] = v
            elif v and out.get(name):
                out[name] = f"{out[name]}；{v}"
            elif name not in out or v:
                out[name] = v
        if self.extra:
            # Kept as sent, but for control characters: NUL cannot be stored (PostgreSQL JSON).
            extra = {without_controls(h): without_controls(values.as_text(cells[i])).strip()
                     for i, h in self.extra if i < n and cells[i] not in (None, "")}
            out["extra"] = {k: v for k, v in extra.items() if v}
        else:
            out["extra"] = {}
        # Cells that failed are left out; the kind's checks still run, so one pass reports every problem.
        return self.finish(row_no, out, issues)

    def _beyond_header(self, row_no: int, cells: list, issues: list[Issue]) -> bool:
        """A row with filled cells to the right of the last header: its columns have shifted, so every cell
        may be under the wrong header. Refused, naming the extra cells."""
        extra = [(self._header_width + i + 1, values.as_text(c).strip()) for i, c in enumerate(cells[self._header_width:])]
        extra = [(col, text) for col, text in extra if text]
        if not extra:
            return False
        shown = "、".join(_("第 %(column)s 列“%(text)s”") % {"column": col, "text": text[:30]} for col, text in extra[:5])
        issues.append(Issue(row_no, _("（表头之外）"), "；".join(t for __, t in extra)[:200],
                            _("本行比表头多 %(count)s 个有内容的单元格（%(cells)s），疑似列错位，请核对后重新报送")
                            % {"count": len(extra), "cells": shown}))
        return True

    # -- shared checks ------------------------------------------------------------------------

    def _err(self, issues: list[Issue], row: int, name: str, reason: str, value: str = "", level: str = "error"):
        issues.append(Issue(row, self.labels.get(name, name), value, reason, level))

    def _require(self, row: int, out: dict, issues: list[Issue], *names: str) -> None:
        if all(map(out.get, names)):  # the common case: every one is filled
            return
        for name in names:
            if out.get(name) in (None, "") and name not in self._failed:
                # A column the file lacks and a cell left empty are fixed in different places: say which.
                given = name in self.present or _FILLED_FROM.get(name) in self.present
                self._err(issues, row, name, _("必填项为空") if given else _("文件中缺少此列（必填）"))

    def _credit_code(self, row: int, out: dict, issues: list[Issue], name: str, warn_only_checksum=True) -> bool:
        """Check a credit code field; returns True when it failed only the checksum."""
        value = out.get(name) or ""
        if not value:
            return False
        check = check_credit_code(value)
        if check is CodeCheck.INVALID:
            self._err(issues, row, name, _("统一社会信用代码格式错误（应为 18 位，不含 I、O、Z、S、V）"), value)
        elif check is CodeCheck.BAD_CHECKSUM:
            self._err(issues, row, name, _("统一社会信用代码校验位不符（早期试点代码已保留，请核实）"), value, "warning")
            return True
        return False

    def _subject(self, row: int, out: dict, issues: list[Issue]) -> None:
        """Category, codes and personal ID numbers of the record's subject; sets subject_key."""
        if self._masked(row, out, issues):
            return
        code, pid = out.get("credit_code", ""), out.get("subject_id", "")
        if "code_or_id" in out:  # court lists: one column for ID number or organisation code
            v = out.pop("code_or_id")
            if v and not pid and _is_person_id(v, out.get("subject_category", "")):
                out["subject_id"] = pid = v
            elif v and check_credit_code(v) is not CodeCheck.INVALID and not code:
                out["credit_code"] = code = v
            elif v:
                out["org_code"] = v
        if not self._ids_out_of_code_columns(row, out, issues):
            return
        code, pid = out.get("credit_code", ""), out.get("subject_id", "")
        cat = out.get("subject_category") or ("individual" if code.startswith("92") else "org" if code else "person" if pid
                                              else "org" if out.get("org_code") or out.get("reg_no") else "")
        out["subject_category"] = cat
        if not cat:
            if "subject_category" not in self._failed:
                self._err(issues, row, "subject_category", _("必填项为空（且无法由代码推断）"))
            return
        if cat == "individual" and not code and pid:
            cat = "person"  # a 个体工商户 without a credit code is known by its operator's ID number, kept encrypted
        if out.get("org_code") or out.get("reg_no"):
            if not self._secondary_codes(row, out, issues, cat):
                return
            code = out.get("credit_code", "")
        if cat in ("org", "individual"):
            if not code:
                self._err(issues, row, "credit_code", _("法人及非法人组织、个体工商户必须填写统一社会信用代码"))
                return
            out["entity_warning"] = self._credit_code(row, out, issues, "credit_code")
            out["subject_key"] = code
        else:
            if not pid:
                self._err(issues, row, "subject_id", _("自然人必须填写证件号码"))
                return
            name = out.get("subject_name", "")
            if any(w in name for w in _ORG_WORDS):
                self._err(issues, row, "subject_id", _("主体名称“%(name)s”是组织，但只填写了个人证件号码：法人及非法人组织"
                                                     "应填写统一社会信用代码，个人证件号码不能使其成为自然人")
                          % {"name": name}, mask_id_number(pid))
                return
            if len(pid) == 18 and not is_valid_id_number(pid):
                self._err(issues, row, "subject_id", _("身份证号码校验不通过，请核实"), mask_id_number(pid), "warning")
            out["subject_key"] = "P" + fieldcrypt.blind_index(pid)[:31]
        lid = out.get("legal_rep_id", "")
        if lid and len(lid) == 18 and not is_valid_id_number(lid):
            self._err(issues, row, "legal_rep_id", _("法定代表人身份证号码校验不通过，请核实"), mask_id_number(lid), "warning")

    def _secondary_codes(self, row: int, out: dict, issues: list[Issue], cat: str) -> bool:
        """组织机构代码 and 工商注册号: checked and kept beside the credit code; a row of an organisation that has only
        them takes its credit code from the register, or is refused. False when the row is refused."""
        org, reg = out.get("org_code", ""), out.get("reg_no", "")
        code = out.get("credit_code", "")
        if code and (not org or org_code_of(code) == org) and (not reg or reg_no_ok(reg)):
            return True  # the hot path: an org code as the credit code embeds it, checked with the credit code
        checks = {}
        if org:
            checks["org_code"] = (check_org_code(org), _("组织机构代码"),
                                  _("组织机构代码格式错误（应为 9 位：8 位本体代码和 1 位校验码）"),
                                  _("组织机构代码校验位不符，请核实"), org)
        if reg:
            checks["reg_no"] = (check_reg_no(reg), _("工商注册号"), _("工商注册号格式错误（应为 15 位数字（或早期 13 位数字））"),
                                _("工商注册号校验位不符，请核实"), reg)
        # Beside a credit code (or a person's ID number) they are secondary: a bad one is told, not refused.
        level = "warning" if code or cat == "person" else "error"
        for name, (check, __, invalid, bad_checksum, value) in checks.items():
            if check is CodeCheck.INVALID:
                self._err(issues, row, name, invalid, value, level)
            elif check is CodeCheck.BAD_CHECKSUM:
                self._err(issues, row, name, bad_checksum, value, level)
        if code:
            if org and checks["org_code"][0] is CodeCheck.VALID and org_code_of(code) != normalise_org_code(org) \
                    and check_credit_code(code) is not CodeCheck.INVALID:
                self._err(issues, row, "org_code", _("组织机构代码与统一社会信用代码第 9-17 位（%(part)s）不一致，请核实")
                          % {"part": org_code_of(code)}, org, "warning")
            return True
        if cat == "person":
            return True
        if any(c[0] is not CodeCheck.VALID for c in checks.values()):
            return False
        found = None
        if self.ctx.find_credit_code is not None:
            key = (normalise_org_code(org) if org else "", reg)
            if key not in self._found:
                self._found[key] = (org and self.ctx.find_credit_code(org_code=key[0])) or \
                    (reg and self.ctx.find_credit_code(reg_no=reg)) or None
            found = self._found[key]
        label = "/".join(c[1] for c in checks.values())
        if found is None:
            self._err(issues, row, "credit_code", _("仅有%(codes)s，且登记库中找不到对应主体：请填写统一社会信用代码") % {"codes": label},
                      " ".join(c[4] for c in checks.values()))
            return False
        out["credit_code"] = found
        self._err(issues, row, "credit_code", _("未填写统一社会信用代码，已按%(codes)s在登记库中找到对应主体的代码") % {"codes": label},
                  found, "warning")
        return True

    def _masked(self, row: int, out: dict, issues: list[Issue]) -> bool:
        """Refuse a code with masking characters (6201021985****0012) as the subject's key; True when refused."""
        cols = self._mask_columns
        if "".join([out.get(n) or "" for n in cols]).isalnum():  # the hot path: plain codes, or none
            return False
        refused = False
        for name in cols:
            value = out.get(name)
            if not value or value.isalnum():  # the hot path: a plain code
                continue
            found = [c for c in MASK_CHARS if c in value]
            if found:
                shown = mask_id_number(value) if name in ("subject_id", "code_or_id") else value
                self._err(issues, row, name, _("代码含遮盖字符（%(char)s），不能作为主体标识：请报送完整代码") % {"char": found[0]},
                          shown)
                refused = True
        return refused

    def _ids_out_of_code_columns(self, row: int, out: dict, issues: list[Issue]) -> bool:
        """A resident ID number written in a code column never becomes a public code.

        An organisation has no ID number: the row is refused. A person or a 个体工商户 is known by it:
        it becomes the subject's 证件号码 (encrypted, masked, keyed by its hash) and leaves the code
        column. Returns False when the row is refused.
        """
        given = out.get("subject_category", "")
        ok = True
        for name in self._code_columns:
            value = out.get(name)
            # 15 digits is also the length of an old registration or tax number: only the credit-code column,
            # where no such number belongs, takes a 15-digit value for an old ID number.
            if (not value or value[0] not in _ID_FIRST or len(value) != 18 and (len(value) != 15 or name != "credit_code")
                    or not looks_like_id_number(value)):
                continue  # the hot path: market entities' codes start with 9, no ID number does
            code = out.get("credit_code", "")
            kind = given or ("individual" if code.startswith("92") else "org" if code and not looks_like_id_number(code)
                             else "person")
            label = self.labels.get(name, name)
            masked = mask_id_number(value)
            pid = out.get("subject_id", "")
            if kind == "org":
                self._err(issues, row, name, _("%(column)s一栏填写的是居民身份证号码：法人及非法人组织应填写"
                                               "本组织的%(column)s，个人身份证号码不能作为主体代码公开") % {"column": label},
                          masked)
                ok = False
            elif pid and pid != value:
                self._err(issues, row, name, _("%(column)s一栏填写的是居民身份证号码，且与证件号码一栏不一致，"
                                               "请核实后重新报送") % {"column": label}, masked)
                ok = False
            else:
                out["subject_id"] = value
                out[name] = ""
                if not out.get("subject_id_type"):
                    out["subject_id_type"] = ID_CARD
                self._err(issues, row, name, _("%(column)s一栏填写的是居民身份证号码，已作为证件号码加密保存，"
                                               "不作为主体代码公开") % {"column": label}, masked, "warning")
        if not ok:
            return False
        if not given and out.get("subject_id") and not out.get("credit_code"):
            out["subject_category"] = "person"
        return True

    def _source(self, row: int, out: dict, issues: list[Issue]) -> _Department | None:
        """The department that sends the row: the uploader, which must match 数据来源单位 when given.

        The authority, its code and the region come from the row, never from the uploader: a court list
        from another city must not go in as the local court's.
        """
        code = out.get("source_code", "")
        dept: _Department | None
        if self._uploader is not None:
            dept = self._uploader
            if code and code != dept.credit_code:
                self._err(issues, row, "source_code",
                          _("数据来源单位统一社会信用代码与报送部门不一致（本次由“%(department)s”报送，只能报送本部门数据）")
                          % {"department": dept.name}, code)
                return None
        else:
            dept = self._departments.get(code) if code else None
            if dept is None:
                reason = _("必填项为空（命令行导入可用 --department 指定报送部门）") if not code else _("数据来源单位不是已登记的报送部门")
                self._err(issues, row, "source_code", reason, code)
                return None
        out["source_code"] = dept.credit_code
        out["source_name"] = out.get("source_name") or dept.name
        out["department_id"] = dept.pk
        if not self._authority(row, out, issues, dept):
            return None
        return dept

    def _authority(self, row: int, out: dict, issues: list[Issue], dept: _Department) -> bool:
        """Check the row's authority against the reference data and the uploader; False refuses the row."""
        name, code = out.get("authority_name", ""), out.get("authority_code", "")
        if not name and code and "authority_name" not in self.present and code in self._departments:
            out["authority_name"] = name = self._departments[code].name
            if ("authority_name", code) not in self.notes:
                self._once(issues, row, "authority_name", _("文件中没有%(column)s一栏，已按%(code_column)s取参考数据中的名称"
                                                            "“%(name)s”") % {"column": self.labels["authority_name"],
                                                                           "code_column": self.labels["authority_code"],
                                                                           "name": name}, code)
        if not code and name and "authority_code" not in self.present:
            # Older layouts have no authority code column: a name the reference data knows gives the code.
            known = self._departments_by_name.get(name)
            if known is not None:
                out["authority_code"] = code = known.credit_code
                if ("authority_code", code) not in self.notes:
                    self._once(issues, row, "authority_code", _("文件中没有%(column)s一栏，已按%(name_column)s“%(name)s”"
                                                                "取参考数据中的代码") % {"column": self.labels["authority_code"],
                                                                                "name_column": self.labels["authority_name"],
                                                                                "name": name}, code)
            else:
                self._err(issues, row, "authority_code", _("%(name_column)s“%(name)s”不在参考数据中，文件中也没有"
                                                           "%(code_column)s一栏：无法确认作出决定的机关")
                          % {"name_column": self.labels["authority_name"], "name": name,
                             "code_column": self.labels["authority_code"]}, name)
                self._failed.add("authority_code")
                return False
        if not code:
            return True  # _require() names the empty cell or the missing column
        known = self._departments.get(code)
        if known is not None and name and name != known.name:
            self._err(issues, row, "authority_name", _("%(column)s与其统一社会信用代码不符：参考数据中该代码为“%(name)s”，请核实")
                      % {"column": self.labels["authority_name"], "name": known.name}, name, "warning")
        uploader = self._uploader
        if uploader is not None and code != uploader.credit_code and not uploader.may_send_for_others:
            self._err(issues, row, "authority_code", _("%(column)s与报送部门不符（本次由“%(department)s”报送，只能报送本部门"
                                                       "作出的决定；代其他机关报送须由信用办开通）")
                      % {"column": self.labels["authority_name"], "department": uploader.name}, code)
            return False
        return True

    def _region(self, row: int, out: dict, issues: list[Issue]) -> None:
        """地方编码 is a 6-digit administrative code; a district name is translated, with a warning."""
        value = out.get("region_code", "")
        if not value or (len(value) == 6 and value.isdigit() and value[:2] in PROVINCE_CODES):
            return
        code = self.ctx.regions.get(value)
        if code is None and value.isdigit() and len(value) in (9, 12):  # a 12-digit statistical code: its county part
            code = value[:6]
        if code is None:
            self._err(issues, row, "region_code", _("不是行政区划代码（应为 6 位数字），也不是参考数据中的区县名称"), value)
            out["region_code"] = ""
            return
        out["region_code"] = code
        self._once(issues, row, "region_code", _("地方编码填写的是名称“%(name)s”，已按参考数据换为行政区划代码") % {"name": value},
                   code)

    def _once(self, issues: list[Issue], row: int, name: str, reason: str, value: str) -> None:
        """A value filled in for the whole file: told once, in the import result, not as a warning on every row."""
        label = self.labels.get(name, name)
        self.notes.setdefault((name, value), _("%(column)s：%(note)s（首见于第 %(row)s 行）")
                              % {"column": label, "note": reason, "row": row})

    def file_notes(self, most: int = 8) -> list[str]:
        """The import result's notes, at most `most` per column: a provincial feed names dozens of authorities."""
        by_column: dict[str, list[str]] = {}
        for (name, __), text in self.notes.items():
            by_column.setdefault(name, []).append(text)
        out = []
        for texts in by_column.values():
            out.extend(texts[:most])
            if len(texts) > most:
                out.append(_("……同类情况另有 %(count)s 处") % {"count": len(texts) - most})
        return out

    def _domain(self, row: int, out: dict, issues: list[Issue], dept: _Department, default: str | None = None) -> None:
        given = out.pop("domain", "")
        if given:
            code = self.ctx.domains.get(given)
            if code is None:
                self._err(issues, row, "domain", _("未知领域（应为 38 个领域之一的代码或名称）"), given)
                return
            out["domain_id"] = code
            return
        if default:
            out["domain_id"] = default
            return
        # No 领域 in the row: the authority's own department says it, if the reference data knows the authority.
        authority = self._departments.get(out.get("authority_code", ""))
        if authority is None and not out.get("authority_code"):
            return  # the row is refused for its missing authority code already
        if authority is None:
            self._err(issues, row, "domain", _("必填项为空（且处罚机关不在参考数据中，无法确定领域）"))
            return
        out["domain_id"] = authority.default_domain_id
        if ("domain", authority.default_domain_id) not in self.notes:  # the message is built once, not per row
            self._once(issues, row, "domain", _("未填写领域，已按“%(authority)s”在参考数据中的默认领域（%(domain)s）填写")
                       % {"authority": authority.name,
                          "domain": self._domain_names.get(authority.default_domain_id, authority.default_domain_id)},
                       authority.default_domain_id)

    def _lifecycle(self, row: int, out: dict, issues: list[Issue]) -> None:
        out["confidential"] = bool(out.pop("confidential", False) or out.pop("public", False))
        out.pop("public", None)
        st = out.get("status", "active")
        if out.get("revoked_on") and st == "active":
            st = "revoked"
        out["status"] = st  # a revocation without a date is dated today in _done(), after hashing

    def _dates_in_order(self, row: int, out: dict, issues: list[Issue], first: str, *later: str) -> None:
        start = out.get(first)
        if start is None:
            return
        if start > self.ctx.today:
            self._err(issues, row, first, _("日期晚于今天"), str(start))
        if start.year < 1949:
            self._err(issues, row, first, _("日期过早，请核实"), str(start))
        for name in later:
            end = out.get(name)
            if end is not None and end < start:
                self._err(issues, row, name, _("不能早于%(column)s（%(date)s）") % {"column": self.labels[first], "date": start},
                          str(end))

    def _done(self, row: int, out: dict, issues: list[Issue], hash_fields: tuple[str, ...]) -> tuple[Parsed | None, list[Issue]]:
        if issues and any(i.level == "error" for i in issues):
            return None, issues
        entity_warning = out.pop("entity_warning", False)
        lid, sid = out.pop("legal_rep_id", ""), out.pop("subject_id", "")
        get = out.get
        content = orjson.dumps([*map(get, hash_fields), lid, sid, out["extra"]], default=str, option=orjson.OPT_SORT_KEYS)
        out["content_hash"] = hashlib.blake2b(content, digest_size=16).hexdigest()  # stored with the record: a re-sent row with the same hash is unchanged
        if out.get("status") == "revoked" and not out.get("revoked_on"):
            # Dated on arrival, outside the hash: the same file sent again tomorrow is still unchanged.
            out["revoked_on"] = self.ctx.today
        out["legal_rep_id_encrypted"] = fieldcrypt.encrypt(lid)
        out["legal_rep_id_masked"] = mask_id_number(lid) if lid else ""
        out["subject_id_encrypted"] = fieldcrypt.encrypt(sid)
        out["subject_id_masked"] = mask_id_number(sid) if sid else ""
        kind = guess_kind(out.get("credit_code", ""), out["subject_name"]) if out.get("credit_code") else ""
        return Parsed(row, out, out["content_hash"], kind, entity_warning), issues

    # -- per kind -----------------------------------------------------------------------------

    def _sourced(self, row: int, out: dict, issues: list[Issue], *required: str) -> _Department | None:
        """The checks every record kind makes after its subject's: the sending department and the authority, the
        region, the required columns. None when the row cannot go on (no department, or no subject key)."""
        dept = self._source(row, out, issues)
        self._region(row, out, issues)
        self._require(row, out, issues, *required)
        return dept if dept is not None and "subject_key" in out else None

    def _finish_penalty(self, row: int, out: dict, issues: list[Issue]):
        self._subject(row, out, issues)
        dept = self._sourced(row, out, issues, "subject_name", "decision_no", "violation_type", "facts", "basis",
                      "categories", "content", "decided_on", "authority_name", "authority_code")
        if dept is None:
            return None, issues
        self._domain(row, out, issues, dept)
        self._credit_code(row, out, issues, "authority_code")
        self._lifecycle(row, out, issues)
        cats, unknown, not_penalised = split_categories(out.get("categories", ""))
        if "不予" in out.get("content", "")[:12]:
            not_penalised = True
        if unknown:
            self._err(issues, row, "categories", _("处罚类别“%(categories)s”不在《行政处罚法》第九条所列种类中，已按原文保留")
                      % {"categories": "、".join(unknown)}, out.get("categories", ""), "warning")
        if cats:
            out["categories"] = "；".join(cats + unknown)
        if len(out.get("categories", "")) > CATEGORIES_MAX:  # 处罚类别1 and 处罚类别2 joined
            self._err(issues, row, "categories", _("处罚类别合计过长（最多 %(most)s 字），请精简后重新报送") % {"most": CATEGORIES_MAX},
                      out["categories"][:CATEGORIES_MAX])
        out["not_penalised"] = not_penalised
        for name in ("fine_wan", "confiscated_wan"):
            if out.get(name) is not None and out[name] > self.ctx.max_fine_wan:
                self._err(issues, row, name, _("金额超出合理范围（大于 %(most)s 万元），请核实单位是否为万元")
                          % {"most": self.ctx.max_fine_wan}, str(out[name]))
        if not out.get("procedure"):
            no = out.get("decision_no", "")
            out["procedure"] = "simple" if ("简" in no or "当场" in no) else ""
        self._dates_in_order(row, out, issues, "decided_on", "valid_until", "publish_until")
        return self._done(row, out, issues, PENALTY_HASH)

    def _finish_licence(self, row: int, out: dict, issues: list[Issue]):
        self._subject(row, out, issues)
        dept = self._sourced(row, out, issues, "subject_name", "doc_no", "licence_category", "content", "decided_on",
                      "authority_name", "authority_code")
        if dept is None:
            return None, issues
        self._domain(row, out, issues, dept)
        self._credit_code(row, out, issues, "authority_code")
        out["doc_name"] = out.get("doc_name") or out.get("certificate_name") or LICENCE_DOC_NAME
        out["status"] = "active"
        self._lifecycle(row, out, issues)
        self._dates_in_order(row, out, issues, "decided_on")
        if out.get("valid_from") and out.get("valid_to") and out["valid_to"] < out["valid_from"]:
            self._err(issues, row, "valid_to", _("不能早于%(column)s（%(date)s）")
                      % {"column": self.labels["valid_from"], "date": out["valid_from"]}, str(out["valid_to"]))
        return self._done(row, out, issues, LICENCE_HASH)

    def _finish_listing(self, row: int, out: dict, issues: list[Issue]):
        court = bool(out.get("case_no") or out.get("court_name"))
        if court:
            out["list_type"] = out.get("list_type") or LISTING_COURT
            out["reason"] = out.get("reason") or out.get("conduct", "")
            out["basis"] = out.get("basis") or COURT_LIST_BASIS
            out["authority_name"] = out.get("authority_name") or out.get("court_name", "")
            out["listed_on"] = out.get("listed_on") or out.get("published_on")
        self._subject(row, out, issues)
        dept = self._sourced(row, out, issues, "subject_name", "list_type", "reason", "basis", "listed_on",
                      "authority_name", "authority_code")
        if dept is None:
            return None, issues
        self._domain(row, out, issues, dept, "court-enforcement" if out.get("list_type") == LISTING_COURT else None)
        self._credit_code(row, out, issues, "authority_code")
        out["status"] = "active"
        self._lifecycle(row, out, issues)
        removed = out.get("removed_on")
        if removed is not None and removed <= self.ctx.today and out["status"] == "active":
            out["status"] = "removed"
        self._dates_in_order(row, out, issues, "listed_on", "removed_on")
        listed = out.get("listed_on")
        out["listing_ref"] = out.get("case_no") or out.get("decision_no") or (listed.isoformat() if listed else "")
        return self._done(row, out, issues, LISTING_HASH)

    def _finish_compulsion(self, row: int, out: dict, issues: list[Issue]):
        self._subject(row, out, issues)
        dept = self._sourced(row, out, issues, "subject_name", "decision_no", "category", "reason", "basis", "decided_on",
                      "authority_name", "authority_code")
        if dept is None:
            return None, issues
        self._domain(row, out, issues, dept)
        self._credit_code(row, out, issues, "authority_code")
        self._compulsion_category(row, out, issues)
        state = out.get("current_state", "")
        out["status"] = "revoked" if state == values.COMPULSION_REVOKED else "active"
        if state == values.COMPULSION_LIFTED and out.get("lifted_on") is None and "lifted_on" not in self._failed:
            self._err(issues, row, "lifted_on", _("%(column)s为“已解除”，但未填写解除日期：报告须写明何时解除，请补填")
                      % {"column": self.labels["current_state"]}, state)
        if out.get("lifted_on") is not None and not state:
            out["current_state"] = values.COMPULSION_LIFTED
        lifted_on = out.get("lifted_on")
        if lifted_on is not None and lifted_on > self.ctx.today:
            self._err(issues, row, "lifted_on", _("日期晚于今天"), str(lifted_on))
        self._lifecycle(row, out, issues)
        self._dates_in_order(row, out, issues, "decided_on", "lifted_on")
        return self._done(row, out, issues, COMPULSION_HASH)

    def _compulsion_category(self, row: int, out: dict, issues: list[Issue]) -> None:
        """强制类别 in the law's words; 强制类型 follows from it, and must agree with the 强制类型 column if any."""
        given = out.get("compulsion_type", "")
        parsed = out.pop("category", "")
        if not parsed:
            return  # _require() named the empty cell, or the parser refused it
        prefixed, names = parsed
        named = {t for t, allowed in COMPULSION_CATEGORIES.items() for n in names if n in allowed and n != values.OTHER}
        label = "、".join(names)
        if len(named) > 1:
            self._err(issues, row, "category", _("强制类别同时含行政强制措施和行政强制执行，请分行报送"), label)
            return
        derived = named.pop() if named else prefixed
        if derived and given and derived != given:
            self._err(issues, row, "compulsion_type", _("与强制类别“%(category)s”不符（“%(category)s”属于%(type)s）")
                      % {"category": label, "type": CompulsionType(derived).label}, str(CompulsionType(given).label))
            return
        typ = derived or given
        if not typ:
            self._err(issues, row, "category", _("强制类别为“其他”时须填写强制类型（行政强制措施或行政强制执行）"), label)
            return
        out["compulsion_type"] = typ
        out["category"] = "；".join(names)

    def _finish_judgment(self, row: int, out: dict, issues: list[Issue]):
        verdict_text = out.pop("verdict", "")
        if not out.get("summary") and verdict_text:
            out["summary"] = verdict_text  # a 判决结果 column holding the 判项 is the summary too
        self._subject(row, out, issues)
        if out.get("subject_category") == "person" and "subject_key" in out:
            self._err(issues, row, "subject_name", _("刑事判决只归集被告单位（单位犯罪）的判决，自然人的刑事判决不在本平台归集"),
                      out.get("subject_name", ""))
            return None, issues
        dept = self._sourced(row, out, issues, "subject_name", "case_no", "charges", "summary", "judged_on", "effective_on",
                      "authority_name", "authority_code")
        if dept is None:
            return None, issues
        court = self._departments.get(out.get("authority_code", ""))
        if court is not None and not court.is_court:
            self._err(issues, row, "authority_name", _("“%(name)s”不是法院：刑事判决的审理法院应为人民法院") % {"name": court.name},
                      out.get("authority_code", ""))
        # A conviction belongs to no administrative domain: a row may name one; none is filled in for it.
        if out.get("domain"):
            self._domain(row, out, issues, dept)
        else:
            out.pop("domain", None)
            out["domain_id"] = None
        self._credit_code(row, out, issues, "authority_code")
        verdict = values.verdict_of(verdict_text or out.get("summary", ""))
        if verdict is None and "verdict" not in self._failed:
            self._err(issues, row, "verdict", _("无法识别判决结果（应写明有罪、定罪免予刑事处罚或无罪）"),
                      (verdict_text or out.get("summary", ""))[:200])
        out["verdict"] = verdict or "guilty"
        if out.get("fine_wan") is not None and out["fine_wan"] > self.ctx.max_fine_wan:
            self._err(issues, row, "fine_wan", _("金额超出合理范围（大于 %(most)s 万元），请核实单位是否为万元")
                      % {"most": self.ctx.max_fine_wan}, str(out["fine_wan"]))
        if out.get("fine_wan") and verdict == values.ACQUITTED:
            self._err(issues, row, "fine_wan", _("判决结果为无罪，却填写了罚金，请核实"), f"{out['fine_wan'].normalize():f}")
        self._lifecycle(row, out, issues)
        self._dates_in_order(row, out, issues, "judged_on", "effective_on", "set_aside_on")
        for name in ("effective_on", "set_aside_on"):
            if out.get(name) is not None and out[name] > self.ctx.today:
                self._err(issues, row, name, _("日期晚于今天"), str(out[name]))
        return self._done(row, out, issues, JUDGMENT_HASH)

    def _finish_register(self, row: int, out: dict, issues: list[Issue]):
        self._region(row, out, issues)
        code = out.get("credit_code", "")
        if code and looks_like_id_number(code):
            self._err(issues, row, "credit_code", _("统一社会信用代码一栏填写的是居民身份证号码：登记信息应填写"
                                                    "经营主体的统一社会信用代码，个人身份证号码不能作为主体代码公开"),
                      mask_id_number(code))
            return None, issues
        self._require(row, out, issues, "credit_code", "name")
        warning = self._credit_code(row, out, issues, "credit_code")
        if any(i.level == "error" for i in issues):
            return None, issues
        code = out["credit_code"]
        out["kind"] = guess_kind(code, out["name"], out.get("kind", ""))
        out["region_code"] = out.get("region_code") or code[2:8]
        out["checksum_warning"] = warning
        out.setdefault("status", "active")
        reg = out.get("reg_no", "")
        if reg and check_reg_no(reg) is not CodeCheck.VALID:
            self._err(issues, row, "reg_no", _("工商注册号格式或校验位不符（应为 15 位数字），已保留，请核实"), reg, "warning")
        lid = out.pop("legal_rep_id", "")
        out["legal_rep_id"] = lid
        h = hashlib.blake2b(digest_size=16)
        h.update("\x1f".join(str(out.get(k, "")) for k in REGISTER_HASH).encode())
        out.pop("extra", None)
        return Parsed(row, out, h.hexdigest()), issues


_SUBJECT_HASH = ("subject_name", "subject_category", "credit_code", "reg_no", "org_code", "tax_no", "institution_no",
                 "social_org_no", "legal_rep", "legal_rep_id_type", "subject_id_type")
_TAIL_HASH = ("domain_id", "department_id", "source_name", "source_code", "authority_name", "authority_code",
              "region_code", "status", "revoked_on", "revoke_reason", "repaired_on", "repair_decision", "confidential",
              "remarks")
PENALTY_HASH = _SUBJECT_HASH + _TAIL_HASH + (
    "decision_no", "violation_type", "facts", "basis", "categories", "content", "fine_wan", "confiscated_wan",
    "licence_affected", "decided_on", "valid_until", "publish_until", "procedure", "not_penalised")
LICENCE_HASH = _SUBJECT_HASH + _TAIL_HASH + (
    "doc_name", "doc_no", "licence_category", "certificate_name", "licence_no", "content", "decided_on", "valid_from",
    "valid_to", "current_state")
LISTING_HASH = _SUBJECT_HASH + _TAIL_HASH + (
    "list_type", "listing_ref", "reason", "basis", "listed_on", "removed_on", "decision_no", "court_name", "case_no",
    "filed_on", "basis_doc_no", "basis_issuer", "obligation", "performance", "conduct", "published_on")
COMPULSION_HASH = _SUBJECT_HASH + _TAIL_HASH + (
    "decision_no", "compulsion_type", "category", "reason", "basis", "decided_on", "lifted_on", "current_state")
JUDGMENT_HASH = _SUBJECT_HASH + _TAIL_HASH + (
    "case_no", "charges", "verdict", "judged_on", "effective_on", "fine_wan", "other_sentence", "summary", "set_aside_on")
REGISTER_HASH = ("credit_code", "name", "kind", "region_code", "legal_rep", "legal_rep_id", "status", "established_on",
                 "checksum_warning", "reg_no")
