"""Parsers for single cells: each returns the normalised value or raises ValueError(reason in Chinese)."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils.translation import gettext as _

from cleanrecord.lib.text import clean_text, compact, control_character, is_empty

EXCEL_EPOCH = dt.date(1899, 12, 30)
OPEN_ENDED = dt.date(9999, 12, 31)  # 长期 / 永久: valid with no end
_OPEN_ENDED_WORDS = frozenset({"长期", "永久", "长期有效", "无期限", "永久有效"})
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:T?\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")


def as_text(cell) -> str:
    """A cell as a string: spreadsheet numbers that are whole print without '.0'."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def text(cell, max_length: int = 0) -> str:
    # Cleaned first: a marker padded with blanks ("无" and a dozen spaces) is empty too.
    value = clean_text(cell if cell.__class__ is str else as_text(cell))
    if len(value) < 10 and is_empty(value):  # no marker of emptiness is longer
        return ""
    if not value.isprintable():  # printable, the common case, is one C loop; tab and line breaks are allowed
        _no_controls(value)
    if max_length and len(value) > max_length:
        raise ValueError(_("内容过长（%(length)s 字，最多 %(most)s 字）") % {"length": len(value), "most": max_length})
    return value


def _no_controls(value: str) -> None:
    if bad := control_character(value):
        raise ValueError(_("含有不可见的控制字符（U+%(code)04X），请删除后重新报送") % {"code": ord(bad)})


def code(cell, max_length: int = 18) -> str:
    value = cell if cell.__class__ is str else as_text(cell)
    # Letters and digits only, as codes mostly are: no space to drop, no full-width form to fold.
    value = value.upper() if value.isascii() and value.isalnum() else compact(value).upper()
    if is_empty(value):  # after compacting: "n   a" is as empty as "n/a"
        return ""
    if not value.isprintable():
        _no_controls(value)
    if len(value) > max_length:
        raise ValueError(_("代码过长（%(length)s 位，最多 %(most)s 位）") % {"length": len(value), "most": max_length})
    return value


def _serial_to_date(serial: float) -> dt.date:
    if not 1 <= serial < 2958466:
        raise ValueError(_("不是有效日期"))
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


@lru_cache(maxsize=65536)
def _parse_date_text(value: str) -> dt.date | None:
    if value in _OPEN_ENDED_WORDS:
        return OPEN_ENDED
    m = _DATE.match(value) or _COMPACT_DATE.match(value)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise ValueError(_("日期不存在（月或日超出范围）")) from None
    if _SERIAL.match(value):
        return _serial_to_date(float(value))
    raise ValueError(_("无法识别的日期格式（应为 2024-03-01、2024/3/1 或 2024年3月1日）"))


@lru_cache(maxsize=65536)
def _date_from_string(value: str) -> dt.date | None:
    if is_empty(value):
        return None
    return _parse_date_text(compact(value))


def date(cell) -> dt.date | None:
    if cell is None:
        return None
    if cell.__class__ is str:  # CSV cells: a file repeats the same few thousand dates
        return _date_from_string(cell)
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if 19000101 <= cell <= 99991231 and float(cell).is_integer():
            return _parse_date_text(str(int(cell)))  # 20160421 typed into a number cell
        return _serial_to_date(cell)
    value = as_text(cell)
    if is_empty(value):
        return None
    return _parse_date_text(compact(value))


_AMOUNT_NOISE = str.maketrans("", "", ",，￥¥ ")
_AMOUNT = re.compile(r"^(-?\d+(?:\.\d+)?)(万元|万|元)?$")
SIX_PLACES = Decimal("0.000001")


def amount(cell, unit_yuan: bool = False) -> Decimal | None:
    """An amount in 万元. '5000元' and '0.5万元' both give 0.5; a bare number is in the column's unit."""
    if cell is None:
        return None
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        value, unit = Decimal(repr(cell)) if isinstance(cell, float) else Decimal(cell), None
    else:
        raw = as_text(cell)
        if is_empty(raw):
            return None
        s = compact(raw).translate(_AMOUNT_NOISE).removeprefix("人民币").removesuffix("整")
        s = s.replace("(元)", "元").replace("(万元)", "万元")
        m = _AMOUNT.match(s)
        if not m:
            raise ValueError(_("金额应为数字，可带“元”或“万元”"))
        try:
            value, unit = Decimal(m[1]), m[2]
        except InvalidOperation:
            raise ValueError(_("金额应为数字")) from None
    if not value.is_finite():
        raise ValueError(_("金额应为数字"))
    if value < 0:
        raise ValueError(_("金额不能为负数"))
    if unit == "元" or (unit is None and unit_yuan):
        value = value / 10000
    if value.adjusted() >= 12:  # the column holds 12 integer digits; quantize() would raise a non-ValueError
        raise ValueError(_("金额过大，请核实单位是否为万元"))
    return value.quantize(SIX_PLACES)


_CATEGORIES = {
    "法人及非法人组织": "org", "法人和非法人组织": "org", "法人": "org", "非法人组织": "org", "法人或其他组织": "org",
    "法人及其他组织": "org", "企业": "org", "单位": "org", "组织": "org",
    "自然人": "person", "个人": "person",
    "个体工商户": "individual", "个体户": "individual", "个体": "individual",
}


def category(cell) -> str:
    value = compact(as_text(cell))
    if is_empty(value):
        return ""
    try:
        return _CATEGORIES[value]
    except KeyError:
        raise ValueError(_("行政相对人类别应为“法人及非法人组织”“自然人”或“个体工商户”")) from None


_YES = frozenset({"是", "Y", "YES", "TRUE", "1", "涉密", "不公开", "不予公开", "依法不予公开", "非公开"})
_NO = frozenset({"否", "N", "NO", "FALSE", "0", "公开", "社会公开", "不涉密", "非涉密", "对外公开", ""})


def flag(cell) -> bool:
    """A yes/no column that says the record is confidential (是否涉密)."""
    value = compact(as_text(cell)).upper()
    if value in _YES:
        return True
    if value in _NO or is_empty(value):
        return False
    raise ValueError(_("应填写“是”或“否”"))


_PUBLIC_YES = frozenset({"是", "Y", "YES", "1", "公开", "社会公开", "对外公开", "全部公开"})
_PUBLIC_NO = frozenset({"否", "N", "NO", "0", "不公开", "不予公开", "依法不予公开", "非公开", "涉密", "政务共享", "依申请公开"})


def public(cell) -> bool:
    """A column that says whether the record is public (是否公开 / 公开属性): returns 'confidential'."""
    value = compact(as_text(cell)).upper()
    if value in _PUBLIC_YES or is_empty(value):
        return False
    if value in _PUBLIC_NO:
        return True
    raise ValueError(_("应填写“公开”或“不公开”"))


# 当前状态 in the older national layout: 0 正常, 1 撤销, 2 异议, 3 其他.
_STATUS = {"": "active", "0": "active", "正常": "active", "有效": "active", "2": "active", "异议": "active", "3": "active",
           "其他": "active", "1": "revoked", "撤销": "revoked", "已撤销": "revoked", "撤回": "revoked", "已撤回": "revoked",
           "确认无效": "revoked", "无效": "revoked", "已删除": "revoked", "删除": "revoked"}


def status(cell) -> str:
    value = compact(as_text(cell))
    if is_empty(value):
        return "active"
    try:
        return _STATUS[value]
    except KeyError:
        raise ValueError(_("当前状态应为“正常”“撤销”“撤回”或“确认无效”")) from None


def procedure(cell) -> str:
    value = compact(as_text(cell))
    if is_empty(value):
        return ""
    if "简易" in value or "当场" in value:
        return "simple"
    if "普通" in value or "一般" in value:
        return "ordinary"
    raise ValueError(_("程序类型应为“简易程序”或“普通程序”"))


_ENTITY_STATUS = {"存续": "active", "在业": "active", "开业": "active", "正常": "active", "在营": "active",
                  "吊销": "revoked", "吊销未注销": "revoked", "注销": "cancelled", "迁出": "moved", "撤销": "cancelled"}


def entity_status(cell) -> str:
    value = compact(as_text(cell))
    if is_empty(value):
        return "active"
    for word, result in _ENTITY_STATUS.items():
        if word in value:
            return result
    raise ValueError(_("登记状态应为存续、在业、吊销、注销或迁出"))


def domain(cell) -> str:
    """A domain's code or Chinese name, as written; the row checks it against the reference data."""
    value = compact(as_text(cell)).lower()  # codes are lower-case slugs; Chinese names are unaffected
    return "" if is_empty(value) else value


def id_number(cell) -> str:
    return code(cell, max_length=40)


def region(cell) -> str:
    """A 地方编码 cell as written, compacted: a code, or a district name the row looks up in the reference data."""
    value = cell if cell.__class__ is str else as_text(cell)
    if len(value) < 10 and is_empty(value):
        return ""
    value = compact(value)
    if len(value) > 50:
        raise ValueError(_("地方编码过长（%(length)s 字），应为 6 位行政区划代码") % {"length": len(value)})
    return value


# -- 行政强制 ------------------------------------------------------------------------------------

MEASURE, ENFORCEMENT = "measure", "enforcement"  # records.models.CompulsionType
_COMPULSION_TYPES = {"行政强制措施": MEASURE, "强制措施": MEASURE, "措施": MEASURE,
                     "行政强制执行": ENFORCEMENT, "强制执行": ENFORCEMENT, "执行": ENFORCEMENT}
# 强制类别 as written on published pages → the name 行政强制法 Arts. 9 and 12 give it (COMPULSION_CATEGORIES).
_COMPULSION_NAMES = {
    "查封场所设施或者财物": "查封场所设施或者财物", "查封场所设施或财物": "查封场所设施或者财物", "查封": "查封场所设施或者财物",
    "查封场所": "查封场所设施或者财物", "查封设施": "查封场所设施或者财物", "查封财物": "查封场所设施或者财物",
    "扣押财物": "扣押财物", "扣押": "扣押财物", "扣押物品": "扣押财物",
    "冻结存款汇款": "冻结存款汇款", "冻结存款或汇款": "冻结存款汇款", "冻结存款": "冻结存款汇款", "冻结汇款": "冻结存款汇款",
    "冻结": "冻结存款汇款",
    "加处罚款或者滞纳金": "加处罚款或者滞纳金", "加处罚款或滞纳金": "加处罚款或者滞纳金", "加处罚款": "加处罚款或者滞纳金",
    "加收滞纳金": "加处罚款或者滞纳金", "滞纳金": "加处罚款或者滞纳金",
    "划拨存款汇款": "划拨存款汇款", "划拨存款": "划拨存款汇款", "划拨汇款": "划拨存款汇款", "划拨": "划拨存款汇款",
    "拍卖或者依法处理查封扣押的场所设施或者财物": "拍卖或者依法处理查封扣押的场所设施或者财物",
    "拍卖或依法处理查封扣押的场所设施或财物": "拍卖或者依法处理查封扣押的场所设施或者财物",
    "拍卖": "拍卖或者依法处理查封扣押的场所设施或者财物",
    "排除妨碍恢复原状": "排除妨碍恢复原状", "排除妨碍": "排除妨碍恢复原状", "恢复原状": "排除妨碍恢复原状",
    "代履行": "代履行", "其他": "其他",
}
_COMPULSION_OTHER = {"其他行政强制措施": MEASURE, "其他强制措施": MEASURE, "其他行政强制执行方式": ENFORCEMENT,
                     "其他强制执行方式": ENFORCEMENT, "其他行政强制执行": ENFORCEMENT, "其他强制执行": ENFORCEMENT}
_COMPULSION_PUNCT = str.maketrans("", "", "、，,。.“”\"'()（）")
OTHER = "其他"  # the category 其他, stored as such
_COMPULSION_SPLIT = re.compile(r"[;；|/+]|和|及")
_TYPE_PREFIX = re.compile(r"^(行政强制措施|行政强制执行|强制措施|强制执行)[:：\-—]+")


def compulsion_type(cell) -> str:
    """强制类型: 行政强制措施 (measure) or 行政强制执行 (enforcement)."""
    value = compact(as_text(cell))
    if is_empty(value):
        return ""
    try:
        return _COMPULSION_TYPES[value.translate(_COMPULSION_PUNCT)]
    except KeyError:
        raise ValueError(_("强制类型应为“行政强制措施”或“行政强制执行”")) from None


def compulsion_category(cell) -> tuple[str, tuple[str, ...]] | str:
    """强制类别: (the type its prefix names or "", the categories in the law's words); "" when blank.

    "查封、扣押" gives both measures; "行政强制执行：其他" says which 其他 it is. Which type each name
    belongs to, and whether they agree, the row decides (rows.py), with the 强制类型 column beside it.
    """
    value = compact(as_text(cell))
    if is_empty(value):
        return ""
    if len(value) > 100:
        raise ValueError(_("内容过长（%(length)s 字，最多 %(most)s 字）") % {"length": len(value), "most": 100})
    typ = ""
    m = _TYPE_PREFIX.match(value)
    if m:
        typ, value = _COMPULSION_TYPES[m[1]], value[m.end():]
    whole = value.translate(_COMPULSION_PUNCT)
    if whole in _COMPULSION_NAMES:
        return typ, (_COMPULSION_NAMES[whole],)
    if whole in _COMPULSION_OTHER:
        return typ or _COMPULSION_OTHER[whole], (OTHER,)
    found: list[str] = []
    unknown: list[str] = []
    for part in _COMPULSION_SPLIT.split(value.replace("、", "；")):
        key = part.translate(_COMPULSION_PUNCT)
        if not key:
            continue
        if key in _COMPULSION_OTHER:
            typ = typ or _COMPULSION_OTHER[key]
            found.append(OTHER)
        elif key in _COMPULSION_NAMES:
            found.append(_COMPULSION_NAMES[key])
        else:
            unknown.append(part)
    if unknown or not found:
        raise ValueError(_("强制类别“%(value)s”不是《行政强制法》第九条、第十二条所列的种类（如查封场所设施或者财物、扣押财物、"
                           "冻结存款汇款、加处罚款或者滞纳金、划拨存款汇款、代履行、其他）") % {"value": "、".join(unknown) or value})
    return typ, tuple(dict.fromkeys(found))


COMPULSION_IN_FORCE = "实施中"
COMPULSION_LIFTED = "已解除"
COMPULSION_REVOKED = "已撤销"
_COMPULSION_STATES = {
    "正常": "实施中", "有效": "实施中", "0": "实施中", "实施中": "实施中", "执行中": "实施中", "未解除": "实施中",
    "进行中": "实施中", "2": "实施中", "异议": "实施中", "3": "实施中", "其他": "实施中",
    "已解除": COMPULSION_LIFTED, "解除": COMPULSION_LIFTED, "已解除强制措施": COMPULSION_LIFTED, "已解冻": COMPULSION_LIFTED,
    "解冻": COMPULSION_LIFTED, "已解封": COMPULSION_LIFTED, "解封": COMPULSION_LIFTED, "已返还": COMPULSION_LIFTED,
    "执行完毕": "执行完毕", "已执行完毕": "执行完毕", "已执行": "执行完毕", "已履行": "执行完毕", "履行完毕": "执行完毕",
    "终结执行": "执行完毕", "1": COMPULSION_REVOKED, "撤销": COMPULSION_REVOKED, "已撤销": COMPULSION_REVOKED,
    "撤回": COMPULSION_REVOKED, "已撤回": COMPULSION_REVOKED, "确认无效": COMPULSION_REVOKED, "无效": COMPULSION_REVOKED,
}


def compulsion_state(cell) -> str:
    """当前状态 of a compulsion: 实施中, 已解除, 执行完毕 or 已撤销 (the decision revoked: it never counts)."""
    value = compact(as_text(cell))
    if is_empty(value):
        return ""
    try:
        return _COMPULSION_STATES[value]
    except KeyError:
        raise ValueError(_("当前状态应为“实施中”“已解除”“执行完毕”或“已撤销”")) from None


# -- 刑事 ---------------------------------------------------------------------------------------------

GUILTY, EXEMPTED, ACQUITTED = "guilty", "exempted", "acquitted"  # records.models.Verdict
_EXEMPT_WORDS = ("免予刑事处罚", "免于刑事处罚", "免除刑事处罚", "免予处罚", "定罪免刑", "免予刑事处分")
_ACQUIT_WORDS = ("无罪", "不构成犯罪", "不负刑事责任")
_GUILTY_WORDS = ("有罪", "判处", "罚金", "定罪", "构成犯罪")
_CRIME = re.compile(r"犯.{1,40}罪")


# A sentence that reports what someone asked or argued ("辩护人提出被告单位无罪的意见，不予采纳") is no verdict.
_ARGUMENT_WORDS = ("意见", "辩护", "辩称", "请求", "建议", "主张", "不予采纳", "指控")
_SENTENCE = re.compile(r"[。；;]")


def verdict_of(text: str) -> str | None:
    """The verdict a 判决结果 text states, or None when it states none: 免予刑事处罚 is a conviction, 无罪 is not.

    Sentences that only report an argument are skipped; of the rest, an exemption wins over an acquittal,
    an acquittal over the words of a conviction (a 判项 of 无罪 may still mention the 罪名 charged)."""
    sentences = [s for s in _SENTENCE.split(compact(text)) if s and not any(w in s for w in _ARGUMENT_WORDS)]
    for words, verdict in ((_EXEMPT_WORDS, EXEMPTED), (_ACQUIT_WORDS, ACQUITTED)):
        if any(w in s for s in sentences for w in words):
            return verdict
    if any(w in s for s in sentences for w in _GUILTY_WORDS) or any(_CRIME.search(s) for s in sentences):
        return GUILTY
    return None
