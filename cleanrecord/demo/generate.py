"""Demo and benchmark data as department files in the national layouts: the one place rows are made.

`seed_demo` writes a register, penalty, licence, listing, compulsion and judgment file for a few hundred entities and
imports them; the import benchmark writes a million penalty rows with the same `write_penalty_csv`.
Files are streamed row by row, so their size is bounded by the disk, not by memory.

Every choice is drawn from `random.Random(...).random()` alone: Python keeps that sequence stable for a
given seed across versions (randrange, choice and shuffle carry no such promise), so the same seed
and the same day give the same bytes. "Today" is the only outside input, and it is a parameter.
"""

import codecs
import csv
import datetime as dt
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

from django.utils import timezone
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from cleanrecord.records.importing.rows import COURT_LIST_BASIS
from cleanrecord.reference.models import Department, Domain, Region

from . import vocabulary as vocab

# -- file layouts (headers as records/importing/layouts.py knows them) ------------------------

SUBJECT_HEADER = [
    "行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "行政相对人代码_2(工商注册号)",
    "行政相对人代码_3(组织机构代码)", "行政相对人代码_4(税务登记号)", "行政相对人代码_5(事业单位证书号)",
    "行政相对人代码_6(社会组织登记证号)", "法定代表人", "法定代表人证件类型", "法定代表人证件号码", "证件类型", "证件号码",
]
# The national 双公示 penalty layout, then the lifecycle columns the platform also reads.
PENALTY_HEADER = SUBJECT_HEADER + [
    "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额(万元)",
    "没收违法所得、没收非法财物的金额(万元)", "暂扣或吊销证照名称及编号", "处罚决定日期", "处罚有效期", "公示截止期",
    "处罚机关", "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码", "备注",
    "领域", "当前状态", "撤销日期", "撤销原因", "信用修复日期", "信用修复决定文书号", "是否涉密",
]
LICENCE_HEADER = SUBJECT_HEADER + [
    "行政许可决定文书名称", "行政许可决定文书号", "许可类别", "许可证书名称", "许可编号", "许可内容", "许可决定日期",
    "有效期自", "有效期至", "许可机关", "许可机关统一社会信用代码", "当前状态", "数据来源单位",
    "数据来源单位统一社会信用代码", "备注",
]
LISTING_HEADER = [
    "主体名称", "主体类别", "统一社会信用代码", "法定代表人/主要负责人", "法定代表人证件号码", "名单类别", "列入原因",
    "认定依据", "认定部门", "认定部门统一社会信用代码", "列入日期", "移出日期", "列入决定文书号", "执行法院", "执行案号",
    "立案时间", "执行依据文号", "做出执行依据单位", "生效法律文书确定的义务", "履行情况", "失信行为具体情形", "发布时间",
    "数据来源单位", "数据来源单位统一社会信用代码", "备注",
]
COMPULSION_HEADER = SUBJECT_HEADER + [
    "行政强制决定书文号", "强制类型", "强制类别", "事由", "依据", "决定日期", "解除日期", "实施机关", "实施机关统一社会信用代码",
    "数据来源单位", "数据来源单位统一社会信用代码", "当前状态", "备注",
]
JUDGMENT_HEADER = [
    "被告单位名称", "行政相对人类别", "统一社会信用代码", "法定代表人", "案号", "审理法院", "审理法院统一社会信用代码", "罪名",
    "判决结果类型", "判决结果摘要", "判决（裁定）日期", "生效日期", "罚金(万元)", "其他刑罚", "再审撤销日期", "领域",
    "数据来源单位", "数据来源单位统一社会信用代码", "备注",
]
REGISTER_HEADER = ["统一社会信用代码", "名称", "主体类型", "法定代表人", "法定代表人证件号码", "登记状态", "成立日期"]

ORGANISATION = "法人及非法人组织"
INDIVIDUAL_BUSINESS = "个体工商户"
ID_CARD = "身份证"
COURT_LIST = "失信被执行人"

PENALTY_YEARS = 6  # decisions spread over this many years back
LICENCE_YEARS = 8
BENCH_POOL = 200_000  # distinct subjects behind a benchmark file: realistic key reuse, bounded set-up time
HOT_SHARE = 0.3  # share of subjects that have penalties at all: most entities have none
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_SINCE = dt.date(2015, 10, 1)  # codes issued since then carry a new "MA…" body, older ones the old org code


# -- reference data as plain values -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dept:
    code: str
    name: str
    credit_code: str
    region: str
    domain: str
    is_court: bool
    prefix: str  # of its document numbers: 兰市监 → 兰市监罚〔2024〕12号


@dataclass(frozen=True)
class Reference:
    """What the files must agree with: the region's districts, the departments and the domains."""

    city_code: str
    city_name: str
    districts: tuple[tuple[str, str], ...]  # (code, name)
    departments: tuple[Dept, ...]
    domain_names: dict[str, str]

    @classmethod
    def from_db(cls) -> "Reference":
        root = Region.root()
        districts = tuple(Region.objects.filter(parent=root).order_by("order", "code").values_list("code", "name"))
        departments = tuple(
            Dept(d.code, d.name, d.credit_code, d.region_id, d.default_domain_id, d.is_court,
                 vocab.DOC_PREFIXES.get(d.code) or _plain(root.name[:1] + d.name.removeprefix(root.name)[:2]))
            for d in Department.objects.filter(is_active=True).order_by("code")
        )
        return cls(root.code, root.name, districts, departments, dict(Domain.objects.values_list("code", "name")))

    def departments_for(self, domain: str, district: str, courts: bool = False) -> list[Dept]:
        """The departments of `domain` that serve `district`: its own district's first, else city-wide ones."""
        of_domain = [d for d in self.departments if d.domain == domain and d.is_court == courts]
        local = [d for d in of_domain if d.region == district]
        city = [d for d in of_domain if d.region == self.city_code]
        return local + city if local else (city or of_domain)


def _plain(text: str) -> str:
    """Text safe inside a CSV field without quoting: document number prefixes are spliced into lines."""
    return "".join(c for c in text if c not in '",\r\n')


# -- seeded choices ---------------------------------------------------------------------------


class Draw:
    """Seeded choices made from random() alone, the one generator method with a stable sequence."""

    def __init__(self, seed: int, purpose: str):
        # A stream per purpose: changing how licences are drawn leaves the penalty file unchanged.
        self.random = random.Random(f"cleanrecord-demo:{seed}:{purpose}").random

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return low + int(self.random() * (high - low + 1))

    def pick(self, seq: Sequence):
        return seq[int(self.random() * len(seq))]

    def chance(self, p: float) -> bool:
        return self.random() < p

    def permutation(self, n: int) -> list[int]:
        order = list(range(n))
        for i in range(n - 1, 0, -1):  # Fisher–Yates
            j = int(self.random() * (i + 1))
            order[i], order[j] = order[j], order[i]
        return order


def _bag(weighted: Sequence[tuple[object, int]]) -> list:
    """A list in which each item appears `weight` times: a weighted pick then costs one random()."""
    out: list = []
    for item, weight in weighted:
        out.extend([item] * weight)
    return out


class Calendar:
    """Dates as list indexes, so the hot loop adds integers and looks up ready-made strings."""

    def __init__(self, today: dt.date, back_days: int, ahead_days: int):
        origin = today - dt.timedelta(days=back_days)
        days = [origin + dt.timedelta(days=i) for i in range(back_days + ahead_days + 1)]
        self.today = back_days  # index of today
        self.iso = [d.isoformat() for d in days]
        self.chinese = [f"{d.year}年{d.month}月{d.day}日" for d in days]
        self.year = [d.year for d in days]


def _wan(yuan: int) -> str:
    """An amount in 元 written in 万元 without float rounding: 2500 → 0.25."""
    whole, rest = divmod(yuan, 10000)
    return f"{whole}.{rest:04d}".rstrip("0").rstrip(".")


# -- entities ---------------------------------------------------------------------------------


class Subject(NamedTuple):
    credit_code: str
    name: str
    category: str  # 行政相对人类别
    declared_type: str  # 主体类型 as the register writes it
    district: str
    legal_rep: str
    legal_rep_id: str
    status: str  # 登记状态
    established: dt.date
    industry: int  # index into vocabulary.INDUSTRIES
    org_code: str  # old 组织机构代码 for codes converted from one, else ""


def _gb11714_check(digits: str) -> str:
    """Check character of an old organisation code (GB 11714): bodies of pre-2015 credit codes end with it."""
    total = sum(int(c) * w for c, w in zip(digits, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


@cache
def _id_prefix_valid(prefix: str, year: int) -> bool:
    """Whether stdnum knows `prefix` as a county that existed in `year` (城关区 620102 dates from 1983)."""
    try:
        ric.get_birth_place(f"{prefix}{year}01010010")
    except (ValidationError, KeyError):  # KeyError: codes stdnum lists without a county (兰州新区)
        return False
    return True


# Every 2- and 3-character run of the credit code alphabet: a random code body costs two draws.
_USCC_PAIRS = [a + b for a in USCC_ALPHABET for b in USCC_ALPHABET]
_USCC_TRIPLES = [a + b for a in USCC_ALPHABET for b in _USCC_PAIRS]


class SubjectMaker:
    """Makes entities one by one; a benchmark makes 200,000 of them, so the common path stays cheap."""

    def __init__(self, draw: Draw, reference: Reference, today: dt.date):
        self.d = draw
        self.ref = reference
        self.today = today.toordinal()
        codes = [c for c, _ in reference.districts] or [reference.city_code]
        self.district_names = dict(reference.districts)
        self.district_bag = _bag([(c, vocab.DISTRICT_WEIGHTS.get(c, 1)) for c in codes])
        self.rural = [c for c in vocab.COOPERATIVE_DISTRICTS if c in codes] or codes
        # ID numbers: the entity's district when it existed at the birth year, else another one of the region.
        self.id_prefixes = codes
        self._prefixes_by_year: dict[int, list[str]] = {}
        self.status_bag = _bag(vocab.STATUSES)
        self.shop_industries = [i for i, ind in enumerate(vocab.INDUSTRIES) if ind.shops]
        self.company_forms = _bag([((ending, declared), weight) for ending, declared, weight in vocab.COMPANY_FORMS])
        self.codes: set[str] = set()
        self.names: set[str] = set()
        self.long_names = False
        self.new_codes_since = USCC_SINCE.toordinal()
        self.oldest = dt.date(1998, 1, 1).toordinal()

    # people

    def person(self, district: str, established: int) -> tuple[str, str]:
        """A name and a valid 18-digit ID number of someone of working age, adult when the entity was founded."""
        d = self.d
        latest = min(self.today - 25 * 365, established - 20 * 365)
        birth = dt.date.fromordinal(latest - d.below(40 * 365))
        male = d.random() < 0.6
        given = vocab.GIVEN_MALE if male else vocab.GIVEN_FEMALE
        name = d.pick(vocab.SURNAMES) + d.pick(given) + (d.pick(given) if d.random() < 0.7 else "")
        prefix = district
        if not _id_prefix_valid(prefix, birth.year):
            prefix = d.pick(self._id_prefixes(birth.year))
        seq = d.below(500) * 2 + (1 if male else 0)  # the 17th digit is odd for men
        body = f"{prefix}{birth.year}{birth.month:02d}{birth.day:02d}{seq:03d}"
        return name, body + ric.calc_check_digit(body + "0")  # stdnum expects the check place included

    def _id_prefixes(self, year: int) -> list[str]:
        found = self._prefixes_by_year.get(year)
        if found is None:
            found = self._prefixes_by_year[year] = (
                [p for p in self.id_prefixes if _id_prefix_valid(p, year)] or [self.ref.city_code])
        return found

    # codes and names

    def trade_name(self) -> str:
        d = self.d
        if d.random() < 0.15:
            return d.pick(vocab.LOCAL_TRADE_NAMES)
        first = d.pick(vocab.TRADE_NAME_FIRST)
        second = d.pick(vocab.TRADE_NAME_SECOND)
        name = first + (second if second != first else d.pick(vocab.TRADE_NAME_SECOND))
        return name + d.pick(vocab.TRADE_NAME_SECOND) if self.long_names else name

    def credit_code(self, kind_digits: str, district: str, established: int) -> str:
        d = self.d
        while True:
            if established >= self.new_codes_since or kind_digits == "92":
                body = "MA7" + d.pick("1234") + d.pick(_USCC_TRIPLES) + d.pick(_USCC_PAIRS)
            else:  # converted from the entity's old organisation code
                digits = f"{d.below(100_000_000):08d}"
                body = digits + _gb11714_check(digits)
            code = f"{kind_digits}{district}{body}"
            code += uscc.calc_check_digit(code)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def unique(self, make) -> str:
        for attempt in range(1000):
            if attempt == 50:
                self.long_names = True  # two-character 字号 are running out: three from now on
            name = make()
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("no unused entity name left")

    def make(self, special: tuple | None = None) -> Subject:
        d = self.d
        if special:
            name, kind, industry, district = special
            self.names.add(name)
        else:
            name = ""
            roll = d.random()
            kind = ("company" if roll < 0.52 else "individual" if roll < 0.77 else "branch" if roll < 0.83
                    else "cooperative" if roll < 0.90 else "sole" if roll < 0.95 else "partnership")
            district = d.pick(self.rural) if kind == "cooperative" else d.pick(self.district_bag)
            if kind == "company":
                industry = d.below(len(vocab.INDUSTRIES))
            elif kind == "individual":
                industry = d.pick(self.shop_industries)
            elif kind == "branch":
                industry = d.pick(vocab.BRANCH_INDUSTRIES)
            elif kind == "sole":
                industry = d.pick(vocab.SOLE_INDUSTRIES)
            elif kind == "partnership":
                industry = vocab.PARTNERSHIP_INDUSTRY
            else:
                industry = vocab.COOPERATIVE_INDUSTRY
        # Young entities are more common than old ones; none younger than 120 days, so every one has room
        # for a record decided, then revoked or repaired.
        span = self.today - self.oldest - 120
        if kind == "individual":
            span = min(span, 15 * 365)
        established = self.today - 120 - int(d.random() ** 1.6 * span)
        kind_digits = {"individual": "92", "cooperative": "93"}.get(kind, "91")
        code = self.credit_code(kind_digits, district, established)
        industry_words = vocab.INDUSTRIES[industry]
        district_name = self.district_names.get(district, self.ref.city_name)
        city = "兰州新区" if district_name == "兰州新区" else d.pick(vocab.CITY_PREFIXES)
        if kind == "company":
            form, declared = d.pick(self.company_forms)
            name = name or self.unique(lambda: f"{city}{self.trade_name()}{industry_words.company}{form}")
        elif kind == "individual":
            declared = vocab.INDIVIDUAL_TYPE

            def shop() -> str:
                roll = d.random()
                brand = (d.pick(vocab.SURNAMES) + "记" if roll < 0.45 else "老" + d.pick(vocab.SURNAMES) + "家"
                         if roll < 0.6 else self.trade_name())
                return f"{district_name}{brand}{d.pick(industry_words.shops)}"

            name = name or self.unique(shop)
        elif kind == "branch":
            declared = vocab.BRANCH_TYPE

            def branch() -> str:
                parent = f"{d.pick(('甘肃', '兰州'))}{self.trade_name()}{industry_words.company}有限公司"
                place = "兰州" if parent.startswith("甘肃") and d.chance(0.5) else district_name.removesuffix("区")
                return f"{parent}{place}分公司"

            name = name or self.unique(branch)
        elif kind == "cooperative":
            declared = vocab.COOPERATIVE_TYPE
            towns = vocab.TOWNS.get(district, ("",))
            name = name or self.unique(
                lambda: f"{district_name}{d.pick(towns)}{self.trade_name()}{d.pick(vocab.COOPERATIVE_PRODUCTS)}农民专业合作社")
        elif kind == "sole":
            declared = vocab.SOLE_TYPE
            name = name or self.unique(
                lambda: f"兰州{self.trade_name()}{industry_words.company}{d.pick(vocab.SOLE_FORMS)}（个人独资）")
        else:
            suffix, declared = d.pick(vocab.PARTNERSHIP_NAMES)
            name = name or self.unique(lambda: f"兰州{self.trade_name()}{suffix}")
        rep, rep_id = self.person(district, established)
        if special and kind == "individual":
            rep = "刘䶮"  # a CJK extension A character in a person's name as well
        return Subject(
            credit_code=code, name=name, category=INDIVIDUAL_BUSINESS if kind == "individual" else ORGANISATION,
            declared_type=declared, district=district, legal_rep=rep, legal_rep_id=rep_id,
            status=d.pick(self.status_bag), established=dt.date.fromordinal(established), industry=industry,
            org_code=code[8:17] if code[8:10] != "MA" else "",
        )


def make_subjects(seed: int, count: int, reference: Reference, today: dt.date) -> list[Subject]:
    """`count` entities of the region. The first `k` of a larger set equal a set of `k`: one seed, one population."""
    maker = SubjectMaker(Draw(seed, "subjects"), reference, today)
    return [maker.make(vocab.SPECIAL_NAMES[i] if i < len(vocab.SPECIAL_NAMES) else None) for i in range(count)]


# -- writing ----------------------------------------------------------------------------------


@contextmanager
def _csv_file(path: Path | str, header: list[str]):
    """A CSV as departments export it from Excel: UTF-8 with BOM, CRLF, quoted only where needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(header)
        yield writer


def write_register_csv(path: Path | str, subjects: Sequence[Subject]) -> int:
    with _csv_file(path, REGISTER_HEADER) as w:
        for s in subjects:
            w.writerow([s.credit_code, s.name, s.declared_type, s.legal_rep, s.legal_rep_id, s.status,
                        s.established.isoformat()])
    return len(subjects)


def _subject_cells(s: Subject) -> tuple[str, ...]:
    return (s.name, s.category, s.credit_code, "", s.org_code, "", "", "", s.legal_rep, ID_CARD, s.legal_rep_id, "", "")


# -- penalties --------------------------------------------------------------------------------

NORMAL, REVOKED, REPAIRED, SIMPLE, NOT_PENALISED, CONFIDENTIAL = range(6)
# Rows every file starts with, so that even a small demo shows each case a report must handle.
FORCED_VARIANTS = (REVOKED, REVOKED, REPAIRED, REPAIRED, SIMPLE, SIMPLE, NOT_PENALISED, CONFIDENTIAL)
GENERIC_VIOLATIONS = (
    vocab.Violation("违反行政管理秩序", "当事人违反有关行政管理规定，经责令改正逾期未改正。", "有关法律、法规、规章规定",
                    "警告；罚款", "给予警告，并处罚款{fine}元", (1000, 10000)),
)


SUFFIX_HAO = "号".encode()


def _cell(value: str) -> bytes:
    """One CSV field as UTF-8, quoted as csv.writer does by default (QUOTE_MINIMAL, comma, CRLF)."""
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        value = '"' + value.replace('"', '""') + '"'
    return value.encode()


class _Violation(NamedTuple):
    """A violation with its fixed cells encoded and escaped once, not once per row."""

    v: vocab.Violation
    type: bytes
    basis: bytes
    categories: bytes
    facts: bytes  # after the inspection date: "，" + facts
    quote_facts: bool
    quote_content: bool

    @classmethod
    def of(cls, v: vocab.Violation) -> "_Violation":
        quote = _cell(v.facts) != v.facts.encode()
        facts = ("，" + (v.facts.replace('"', '""') if quote else v.facts)).encode()
        return cls(v, _cell(v.type), _cell(v.basis), _cell(v.categories), facts, quote,
                   _cell(v.content) != v.content.encode())


@dataclass(frozen=True, slots=True)
class _Source:
    """One department filing in one domain, with its fixed cells already escaped for CSV."""

    dept: Dept
    domain: str
    violations: tuple[_Violation, ...]
    tail: bytes  # 处罚机关 … 备注 and 领域, escaped and joined
    extra: "_Source | None" = None  # the same department filing in another domain (市场监管 → 知识产权)

    @classmethod
    def of(cls, dept: Dept, domain: str, violations: Sequence[vocab.Violation], label: str,
           extra: "_Source | None" = None) -> "_Source":
        name = _cell(dept.name)
        code = dept.credit_code.encode()
        # The 领域 column stays empty when the department files in its own domain.
        tail = b",".join([name, code, name, code, b"", _cell(label)])
        return cls(dept, domain, tuple(_Violation.of(v) for v in violations), tail, extra)


class PenaltyRows:
    """Penalty rows of the national layout, made one at a time as UTF-8 CSV lines.

    Lines are joined from pre-encoded pieces rather than by csv.writer: quoting and encoding 37 fields
    per row was the slowest step of a million-row file, and most cells are known before the first row.
    """

    def __init__(self, draw: Draw, subjects: Sequence[Subject], reference: Reference, today: dt.date,
                 hot_share: float = HOT_SHARE):
        self.d = draw
        self.ref = reference
        self.cal = Calendar(today, (PENALTY_YEARS + 1) * 366, 4 * 366)
        self.iso = [d.encode() for d in self.cal.iso]
        self.chinese = [d.encode() for d in self.cal.chinese]
        self.subjects = subjects
        self.prefixes = [b",".join(_cell(c) for c in _subject_cells(s)) for s in subjects]
        self.ages = [(today - s.established).days for s in subjects]
        hot = [i for i in range(len(subjects)) if draw.random() < hot_share]
        self.hot = hot or list(range(len(subjects)))
        self.own: dict[str, _Source] = {}
        self.extra: dict[str, _Source] = {}
        for dept in reference.departments:
            if dept.is_court:
                continue  # courts send the 失信被执行人 list, not administrative penalties
            for extra in vocab.EXTRA_DOMAINS.get(dept.domain, ()):
                if extra in vocab.VIOLATIONS and extra in reference.domain_names:
                    self.extra[dept.code] = _Source.of(dept, extra, vocab.VIOLATIONS[extra], reference.domain_names[extra])
            violations = vocab.VIOLATIONS.get(dept.domain, GENERIC_VIOLATIONS)
            self.own[dept.code] = _Source.of(dept, dept.domain, violations, "", self.extra.get(dept.code))
        self.simple_sources = [
            _Source(src.dept, src.domain, simple, src.tail) for src in self.own.values()
            if (simple := tuple(v for v in src.violations if v.v.simple))
        ]
        self._bags: dict[tuple[int, str], list[_Source]] = {}
        self._watched: dict[str, list[int]] = {}
        self.bags = [self._sources(s.industry, s.district) for s in subjects]  # shared lists, one per trade and district
        self.numbers: dict[tuple[str, str, int], list] = {}  # (prefix, kind, year) → [encoded head, last number]
        self._wan: dict[int, bytes] = {}

    def forced_count(self) -> int:
        return len(self.own) + len(self.extra) + len(FORCED_VARIANTS)

    def _sources(self, industry: int, district: str) -> list[_Source]:
        """Departments likely to penalise this trade in this district, repeated by likelihood."""
        key = (industry, district)
        bag = self._bags.get(key)
        if bag is None:
            own_domains = vocab.INDUSTRIES[industry].domains
            weighted: list[tuple[str, float]] = [(dom, vocab.TRADE_DOMAIN_WEIGHT) for dom in own_domains]
            weighted += [w for w in vocab.GENERAL_DOMAINS if w[0] not in own_domains]
            bag = []
            for domain, weight in weighted:
                depts = [d for d in self.ref.departments_for(domain, district) if d.code in self.own]
                for dept in depts:
                    bag.extend([self.own[dept.code]] * max(1, round(weight * 10 / len(depts))))
            self._bags[key] = bag = bag or list(self.own.values())
        return bag

    def _watched_by(self, domain: str) -> list[int]:
        """Penalised subjects whose trade this domain watches, so forced rows still make sense."""
        found = self._watched.get(domain)
        if found is None:
            found = self._watched[domain] = [
                i for i in self.hot if domain in vocab.INDUSTRIES[self.subjects[i].industry].domains
            ] or self.hot
        return found

    def _number(self, prefix: str, kind: str, year: int) -> bytes:
        """The next document number of a department (or of credit repair) in a year: 兰市监罚〔2024〕12号."""
        counter = self.numbers.get((prefix, kind, year))
        if counter is None:
            counter = self.numbers[(prefix, kind, year)] = [f"{prefix}{kind}〔{year}〕".encode(), 0]
        counter[1] += 1
        return counter[0] + b"%d" % counter[1] + SUFFIX_HAO

    def plan(self) -> list[tuple[_Source | None, int]]:
        """The forced rows: every department once, every extra domain once, then each lifecycle case."""
        out: list[tuple[_Source | None, int]] = [(src, NORMAL) for src in self.own.values()]
        out += [(src, NORMAL) for src in self.extra.values()]
        out += [(None, v) for v in FORCED_VARIANTS]
        return out

    def lines(self, count: int) -> Iterator[bytes]:
        d, cal = self.d, self.cal
        rnd = d.random
        iso, chinese, years = self.iso, self.chinese, cal.year
        plan = self.plan()
        subjects, prefixes, ages, hot = self.subjects, self.prefixes, self.ages, self.hot
        sources, bags, number, wan = self._sources, self.bags, self._number, self._wan
        texts: dict[tuple[str, int, int], bytes] = {}  # 处罚内容 by template and amounts
        max_days = PENALTY_YEARS * 365
        today = cal.today
        reasons = [_cell(r) for r in vocab.REVOKE_REASONS]
        not_penalised = ("不予行政处罚".encode(), _cell(vocab.NOT_PENALISED_CONTENT))
        confidential, public = "是".encode(), "否".encode()
        active, revoked = "正常".encode(), "撤销".encode()
        untouched = active + b",,,,"  # 当前状态 … 信用修复决定文书号 of a record in force
        n_hot = len(hot)
        for i in range(count):
            if i < len(plan):
                src, variant = plan[i]
                if src is None:
                    s_index = hot[int(rnd() * n_hot)]
                    s = subjects[s_index]
                    src = d.pick(self.simple_sources) if variant == SIMPLE and self.simple_sources else d.pick(
                        sources(s.industry, s.district))
                else:
                    s_index = d.pick(self._watched_by(src.domain))
            else:
                s_index = hot[int(rnd() * n_hot)]
                bag = bags[s_index]
                src = bag[int(rnd() * len(bag))]
                if src.extra is not None and rnd() < vocab.EXTRA_DOMAIN_SHARE:
                    src = src.extra
                roll = rnd()
                variant = (REVOKED if roll < 0.02 else REPAIRED if roll < 0.05 else NOT_PENALISED if roll < 0.053
                           else CONFIDENTIAL if roll < 0.055 else NORMAL)
            violations = src.violations
            pv = violations[int(rnd() * len(violations))]
            v = pv.v
            if variant == NORMAL and v.simple and rnd() < 0.4:
                variant = SIMPLE
            elif variant == SIMPLE and not v.simple:
                variant = NORMAL
            age = ages[s_index]
            days_ago = 1 + int(rnd() * min(max_days, age - 1))
            if variant in (REVOKED, REPAIRED):
                days_ago = max(days_ago, min(120, age - 1))  # room for a later revocation or repair
            decided = today - days_ago
            year = years[decided]
            fine = conf = valid = b""
            fine_yuan = conf_yuan = period = 0
            if variant == NOT_PENALISED:
                categories, content = not_penalised
                doc_no = number(src.dept.prefix, "不罚", year)
            else:
                if v.fine:
                    low, high = v.fine
                    if variant == SIMPLE:
                        high = min(high, 3000)  # the most an organisation can be fined on the spot
                    fine_yuan = low + int(rnd() * (high - low))
                    fine_yuan -= fine_yuan % (1000 if fine_yuan >= 10000 else 100)  # fines are round sums
                    fine = wan.get(fine_yuan) or wan.setdefault(fine_yuan, _wan(fine_yuan).encode())
                if v.conf:
                    low, high = v.conf
                    conf_yuan = (low + int(rnd() * (high - low))) // 10 * 10 or low
                    conf = wan.get(conf_yuan) or wan.setdefault(conf_yuan, _wan(conf_yuan).encode())
                categories = pv.categories
                cached = texts.get((v.content, fine_yuan, conf_yuan))
                if cached is not None:
                    content = cached
                else:
                    text = v.content.format(fine=fine_yuan, conf=conf_yuan)
                    content = _cell(text) if pv.quote_content else text.encode()
                    if not conf_yuan:  # few distinct fines per violation: worth keeping; with confiscations, not
                        texts[(v.content, fine_yuan, conf_yuan)] = content
                doc_no = number(src.dept.prefix, "简罚" if variant == SIMPLE else "罚", year)
                # Publicity periods of the 2021 national rules: 3 months for warnings and small fines,
                # 3 years for the gravest penalties, 1 year otherwise.
                if fine_yuan < 5000 and not v.licence:
                    period = 92
                elif fine_yuan >= 100000 or v.licence or "停产停业" in v.categories:
                    period = 3 * 365
                else:
                    period = 365
                valid = iso[decided + period]  # 处罚有效期 and 公示截止期 alike
            licence = b""
            if v.licence:
                licence = _cell(f"{v.licence}（编号JY1{subjects[s_index].district}{int(rnd() * 1e6):06d}）")
            facts = chinese[decided - 7 - int(rnd() * 60)] + pv.facts
            if pv.quote_facts:
                facts = b'"' + facts + b'"'
            lifecycle = untouched
            if variant == REVOKED:
                revoked_on = iso[decided + 10 + int(rnd() * (min(days_ago, 180) - 10))]
                lifecycle = b",".join([revoked, revoked_on, reasons[int(rnd() * len(reasons))], b"", b""])
            elif variant == REPAIRED:
                repaired = decided + 90 + int(rnd() * max(1, min(days_ago, period) - 90))
                lifecycle = b",".join([active, b"", b"", iso[repaired], number(vocab.REPAIR_PREFIX, "", years[repaired])])
            yield b",".join([
                prefixes[s_index], doc_no, pv.type, facts, pv.basis, categories, content, fine, conf, licence,
                iso[decided], valid, valid, src.tail, lifecycle, confidential if variant == CONFIDENTIAL else public,
            ]) + b"\r\n"


def write_penalty_csv(path: Path | str, rows: int, seed: int, *, reference: Reference | None = None,
                      subjects: Sequence[Subject] | None = None, today: dt.date | None = None,
                      pool: int = BENCH_POOL, hot_share: float | None = None) -> int:
    """Write `rows` penalty rows in the national layout, streamed; returns the number of data rows.

    With `subjects` (the demo), HOT_SHARE of them have penalties at all. Without, a pool of
    min(rows, `pool`) entities is made from `seed` and every one of them is used: a benchmark file
    names that many distinct entities. Reference data comes from the database unless given.
    """
    reference = reference or Reference.from_db()
    today = today or timezone.localdate()
    if subjects is None:
        subjects = make_subjects(seed, max(1, min(rows, pool)), reference, today)
        hot_share = 1.0 if hot_share is None else hot_share
    maker = PenaltyRows(Draw(seed, "penalty"), subjects, reference, today,
                        HOT_SHARE if hot_share is None else hot_share)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        f.write(codecs.BOM_UTF8 + b",".join(_cell(h) for h in PENALTY_HEADER) + b"\r\n")
        buffer: list[bytes] = []
        for line in maker.lines(rows):
            buffer.append(line)
            if len(buffer) == 4096:  # one write per few thousand lines
                f.write(b"".join(buffer))
                buffer.clear()
        f.write(b"".join(buffer))
    return rows


# -- licences ---------------------------------------------------------------------------------


def write_licence_csv(path: Path | str, *, subjects: Sequence[Subject], seed: int, reference: Reference,
                      today: dt.date) -> int:
    """Licences of each entity's trade: most entities hold one or two; expired ones were renewed."""
    d = Draw(seed, "licence")
    cal = Calendar(today, (LICENCE_YEARS + 1) * 366, 6 * 366)
    numbers: dict[tuple[str, int], int] = {}
    written = 0
    with _csv_file(path, LICENCE_HEADER) as w:
        for s in subjects:
            cells = _subject_cells(s)
            age = (today - s.established).days
            for j, key in enumerate(vocab.INDUSTRIES[s.industry].licences):
                if not d.chance(0.85 if j == 0 else 0.45):
                    continue
                kind = vocab.LICENCES[key]
                depts = reference.departments_for(kind.domain, s.district)
                if not depts:
                    continue  # this city has no department for that licence
                dept = depts[0]
                decided = cal.today - 1 - d.below(min(age - 1, LICENCE_YEARS * 365))
                while True:  # a licence and, while it has expired, its renewal (延续)
                    year = cal.year[decided]
                    n = numbers[(dept.code, year)] = numbers.get((dept.code, year), 0) + 1
                    end = decided + kind.years * 365 - 1 if kind.years else None
                    w.writerow([
                        *cells, kind.doc_name, f"{dept.prefix}许〔{year}〕{n}号", kind.category, kind.certificate,
                        f"{kind.number}{s.district}{year}{n:05d}", kind.content, cal.iso[decided], cal.iso[decided],
                        cal.iso[end] if end is not None else "", dept.name, dept.credit_code,
                        "有效" if end is None or end >= cal.today else "有效期届满", dept.name, dept.credit_code, "",
                    ])
                    written += 1
                    if end is None or end >= cal.today:
                        break
                    decided = end - d.between(10, 30)  # renewals are applied for before expiry
    return written


# -- dishonesty lists -------------------------------------------------------------------------


def write_listing_csv(path: Path | str, *, subjects: Sequence[Subject], seed: int, reference: Reference,
                      today: dt.date) -> int:
    """A few entities on dishonesty lists: departments' lists and the courts' 失信被执行人, some since removed."""
    d = Draw(seed, "listing")
    cal = Calendar(today, (PENALTY_YEARS + 1) * 366, 0)
    n = len(subjects)
    order = d.permutation(n)
    k_admin, k_court = max(2, round(n * 0.02)), max(2, round(n * 0.03))
    numbers: dict[tuple[str, int], int] = {}

    def number(key: str, year: int) -> int:
        value = numbers[(key, year)] = numbers.get((key, year), 0) + 1
        return value

    list_types = _bag([(t, t.weight) for t in vocab.LIST_TYPES if t.domain in reference.domain_names])
    written = 0
    with _csv_file(path, LISTING_HEADER) as w:
        for i in range(k_admin):
            s = subjects[order[i % n]]
            kind = d.pick(list_types)
            depts = reference.departments_for(kind.domain, s.district)
            if not depts:
                continue
            dept = depts[-1]  # lists are kept by the city-level department
            listed = cal.today - d.between(400 if i == 0 else 30, 5 * 365)
            removed = ""
            if (i == 0 or d.chance(0.35)) and cal.today - listed > 366:
                removed = cal.iso[listed + d.between(365, cal.today - listed - 1)]
            year = cal.year[listed]
            w.writerow([
                s.name, s.category, s.credit_code, s.legal_rep, s.legal_rep_id, kind.name, kind.reason, kind.basis,
                dept.name, dept.credit_code, cal.iso[listed], removed, f"{dept.prefix}失信〔{year}〕{number(dept.code, year)}号",
                "", "", "", "", "", "", "", "", "", dept.name, dept.credit_code, "",
            ])
            written += 1
        for i in range(k_court):
            s = subjects[order[(k_admin + i) % n]]
            courts = reference.departments_for("court-enforcement", s.district, courts=True)
            if not courts:
                continue
            court = courts[0]
            province = vocab.PROVINCE_ABBREVIATIONS.get(court.region[:2], "")
            court_no = court.region[2:4] if court.region == reference.city_code else court.region[2:6]
            filed = cal.today - d.between(400 if i == 0 else 120, PENALTY_YEARS * 365)
            published = filed + d.between(30, 100)
            removed = ""
            if (i == 0 or d.chance(0.3)) and cal.today - published > 60:
                removed = cal.iso[published + d.between(60, cal.today - published - 1)]
            filed_year = cal.year[filed]
            judged_year = filed_year - (1 if d.chance(0.6) else 0)
            if d.chance(0.3):
                basis_no, issuer = f"（{judged_year}）兰仲字第{d.between(10, 900)}号", vocab.ARBITRATION
            else:
                basis_no, issuer = f"（{judged_year}）{province}{court_no}民初{d.between(100, 9999)}号", court.name
            creditor = subjects[d.below(n)]
            creditor_name = creditor.name if creditor is not s else f"{reference.city_name}某商贸有限公司"
            amount = d.between(5, 300 if s.category == INDIVIDUAL_BUSINESS else 3000) * 1000
            obligation = (f"{s.name}于判决生效之日起十日内向{creditor_name}支付{d.pick(vocab.OBLIGATIONS)}{amount}元"
                          "及逾期付款利息")
            conduct = d.pick(vocab.CONDUCTS)
            case_no = f"（{filed_year}）{province}{court_no}执{number(court.code, filed_year)}号"
            w.writerow([
                s.name, s.category, s.credit_code, s.legal_rep, s.legal_rep_id, COURT_LIST, conduct,
                COURT_LIST_BASIS, court.name, court.credit_code, cal.iso[published], removed, "", court.name, case_no,
                cal.iso[filed], basis_no, issuer, obligation,
                vocab.PERFORMANCE_DONE if removed else d.pick(vocab.PERFORMANCE_OPEN), conduct, cal.iso[published],
                court.name, court.credit_code, "",
            ])
            written += 1
    return written


# -- administrative compulsion ---------------------------------------------------------------------

MEASURE_NAME = "行政强制措施"


def write_compulsion_csv(path: Path | str, *, subjects: Sequence[Subject], seed: int, reference: Reference,
                         today: dt.date) -> int:
    """A few entities under 行政强制: measures (查封, 扣押, 冻结), lifted or not, and enforcements (划拨, 加处罚款).

    The first row is a measure since lifted, the second one still in force, so a small demo shows both."""
    d = Draw(seed, "compulsion")
    cal = Calendar(today, (PENALTY_YEARS + 1) * 366, 0)
    n = len(subjects)
    order = d.permutation(n)
    kinds = _bag([(c, c.weight) for c in vocab.COMPULSIONS if c.domain in reference.domain_names])
    measures = [c for c in vocab.COMPULSIONS if c.type_name == MEASURE_NAME and c.domain in reference.domain_names]
    numbers: dict[tuple[str, int], int] = {}
    written = 0
    with _csv_file(path, COMPULSION_HEADER) as w:
        for i in range(max(4, round(n * 0.03))):
            s = subjects[order[i % n]]
            kind = measures[0] if i < 2 and measures else d.pick(kinds)
            depts = reference.departments_for(kind.domain, s.district)
            if not depts:
                continue
            dept = depts[0]
            decided = cal.today - d.between(120 if i == 0 else 20, 4 * 365)
            lifted, remark = "", ""
            if kind.type_name != MEASURE_NAME:
                state = "执行完毕" if d.chance(0.6) else "执行中"
            elif i == 0 or (i != 1 and d.chance(0.5)):
                lifted = cal.iso[decided + d.between(7, min(90, cal.today - decided - 1))]
                state, remark = "已解除", d.pick(vocab.COMPULSION_LIFT_REMARKS)
            else:
                state = "实施中"
            year = cal.year[decided]
            number = numbers[(dept.code, year)] = numbers.get((dept.code, year), 0) + 1
            w.writerow([
                *_subject_cells(s), f"{dept.prefix}强〔{year}〕{number}号", kind.type_name, kind.category, kind.reason,
                kind.basis, cal.iso[decided], lifted, dept.name, dept.credit_code, dept.name, dept.credit_code, state,
                remark,
            ])
            written += 1
    return written


# -- criminal judgments ------------------------------------------------------------------------------

GUILTY, ACQUITTED, EXEMPTED, SET_ASIDE = range(4)
# The first judgments of every file: a conviction with a fine, an acquittal, an exemption, one set aside on retrial.
FORCED_VERDICTS = (GUILTY, ACQUITTED, EXEMPTED, SET_ASIDE)


def write_judgment_csv(path: Path | str, *, subjects: Sequence[Subject], seed: int, reference: Reference,
                       today: dt.date) -> int:
    """A few companies convicted as 被告单位 (单位犯罪), judged by the court of their district."""
    d = Draw(seed, "judgment")
    cal = Calendar(today, (PENALTY_YEARS + 1) * 366, 0)
    units = [s for s in subjects if s.category == ORGANISATION]
    order = d.permutation(len(units))
    numbers: dict[tuple[str, int], int] = {}
    written = 0
    with _csv_file(path, JUDGMENT_HEADER) as w:
        for i in range(min(len(units), max(len(FORCED_VERDICTS), round(len(subjects) * 0.01)))):
            s = units[order[i]]
            courts = reference.departments_for("court-enforcement", s.district, courts=True)
            if not courts:
                continue
            court = courts[0]
            crime = d.pick(vocab.CRIMES)
            outcome = FORCED_VERDICTS[i] if i < len(FORCED_VERDICTS) else GUILTY
            judged = cal.today - d.between(400 if outcome == SET_ASIDE else 60, 5 * 365)
            effective = judged + d.between(10, 25)
            year = cal.year[judged]
            number = numbers[(court.code, year)] = numbers.get((court.code, year), 0) + 1
            province = vocab.PROVINCE_ABBREVIATIONS.get(court.region[:2], "")
            court_no = court.region[2:4] if court.region == reference.city_code else court.region[2:6]
            fine, set_aside, remark = "", "", ""
            if outcome == ACQUITTED:
                verdict, summary, remark = "无罪", f"被告单位{s.name}无罪", vocab.ACQUITTAL_REMARK
            elif outcome == EXEMPTED:
                verdict, summary = "定罪免予刑事处罚", f"被告单位{s.name}犯{crime.charges}，免予刑事处罚"
            else:
                fine = str(d.between(*crime.fine_wan))
                verdict, summary = "有罪", f"被告单位{s.name}犯{crime.charges}，判处罚金人民币{fine}万元"
                if outcome == SET_ASIDE:
                    set_aside = cal.iso[effective + d.between(60, cal.today - effective - 1)]
                    remark = vocab.JUDGMENT_SET_ASIDE_REMARK
            w.writerow([
                s.name, s.category, s.credit_code, s.legal_rep, f"（{year}）{province}{court_no}刑初{number}号", court.name,
                court.credit_code, crime.charges, verdict, summary, cal.iso[judged], cal.iso[effective], fine, "",
                set_aside, reference.domain_names.get(crime.domain, ""), court.name, court.credit_code, remark,
            ])
            written += 1
    return written


# -- the demo data set ------------------------------------------------------------------------

DEMO_FILES = {"register": "demo-register.csv", "penalty": "demo-penalty.csv", "licence": "demo-licence.csv",
              "listing": "demo-listing.csv", "compulsion": "demo-compulsion.csv", "judgment": "demo-judgment.csv"}
DEMO_PENALTIES_PER_ENTITY = 0.5


@dataclass
class DemoFiles:
    paths: dict[str, Path]  # kind → file, in the order they must be imported
    rows: dict[str, int]


def write_demo_files(folder: Path | str, *, entities: int, seed: int, reference: Reference | None = None,
                     today: dt.date | None = None) -> DemoFiles:
    """The demo data set as import files: the register first, then penalties, licences, listings, compulsions
    and judgments."""
    folder = Path(folder)
    reference = reference or Reference.from_db()
    today = today or timezone.localdate()
    subjects = make_subjects(seed, entities, reference, today)
    paths = {kind: folder / name for kind, name in DEMO_FILES.items()}
    # Enough penalty rows that the forced ones (every department, every lifecycle case) fit in.
    penalties = PenaltyRows(Draw(seed, "penalty"), subjects, reference, today).forced_count()
    penalties = max(round(entities * DEMO_PENALTIES_PER_ENTITY), penalties)
    rows = {
        "register": write_register_csv(paths["register"], subjects),
        "penalty": write_penalty_csv(paths["penalty"], penalties, seed, reference=reference, subjects=subjects,
                                     today=today),
        "licence": write_licence_csv(paths["licence"], subjects=subjects, seed=seed, reference=reference, today=today),
        "listing": write_listing_csv(paths["listing"], subjects=subjects, seed=seed, reference=reference, today=today),
        "compulsion": write_compulsion_csv(paths["compulsion"], subjects=subjects, seed=seed, reference=reference,
                                           today=today),
        "judgment": write_judgment_csv(paths["judgment"], subjects=subjects, seed=seed, reference=reference, today=today),
    }
    return DemoFiles(paths, rows)
