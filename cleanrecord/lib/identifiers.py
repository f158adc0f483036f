"""Credit codes (GB 32100-2015) and personal ID numbers: checking, kinds and masking."""

import datetime as dt
import operator
import re
from enum import Enum
from functools import lru_cache

from django.utils import timezone
from stdnum.cn import ric
from stdnum.iso7064 import mod_11_10

# [0-9], not \d: \d also matches other scripts' digits (٦, ६), which the check-digit tables do not know.
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


class CodeCheck(Enum):
    VALID = "valid"
    BAD_CHECKSUM = "bad_checksum"  # shape is right, check character is not: early pilot codes
    INVALID = "invalid"


# GB 32100-2015's check character, as stdnum.cn.uscc.calc_check_digit computes it (a property test holds
# the two equal), without its per-call cleaning of the input: the import checks two codes a row.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}.__getitem__
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first17: str) -> str:
    """The check character of a credit code whose first 17 characters are `first17` (already shape-checked)."""
    return _USCC_ALPHABET[-sum(map(operator.mul, map(_USCC_VALUE, first17), _USCC_WEIGHTS)) % 31]


@lru_cache(maxsize=200_000)
def check_credit_code(code: str) -> CodeCheck:
    """Classify an upper-case, stripped credit code."""
    if not USCC_RE.match(code):
        return CodeCheck.INVALID
    if credit_code_check_character(code[:17]) != code[17]:
        return CodeCheck.BAD_CHECKSUM
    return CodeCheck.VALID


# 组织机构代码 (GB 11714-1997): eight digits or capital letters and a check character; python-stdnum has no
# module for it (only the credit code that embeds it, positions 9-17).
_ORG_RE = re.compile(r"^[0-9A-Z]{8}[0-9X]$")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_REG_15 = re.compile(r"^[0-9]{15}$")
_REG_13 = re.compile(r"^[0-9]{13}$")


def normalise_org_code(code: str) -> str:
    """71000000-1 and 710000001 are the same code: the hyphen before the check character is optional."""
    return code.replace("-", "").replace("－", "").upper()


def check_org_code(code: str) -> CodeCheck:
    """Classify a 组织机构代码 (with or without its hyphen)."""
    code = normalise_org_code(code)
    if not _ORG_RE.match(code):
        return CodeCheck.INVALID
    total = sum(int(c, 36) * w for c, w in zip(code[:8], _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    expected = "X" if check == 10 else "0" if check == 11 else str(check)
    return CodeCheck.VALID if code[8] == expected else CodeCheck.BAD_CHECKSUM


def check_reg_no(number: str) -> CodeCheck:
    """Classify a 工商注册号: 15 digits with an ISO 7064 MOD 11,10 check digit (GS15001-2006), or the older
    13 digits, which carry no check digit."""
    if _REG_13.match(number):
        return CodeCheck.VALID
    if not _REG_15.match(number):
        return CodeCheck.INVALID
    return CodeCheck.VALID if mod_11_10.is_valid(number) else CodeCheck.BAD_CHECKSUM


def reg_no_ok(number: str) -> bool:
    """check_reg_no(number) is VALID, computed inline: the import checks one per row."""
    if not (number.isascii() and number.isdigit()) or len(number) not in (13, 15):
        return False
    if len(number) == 13:
        return True
    check = 5  # ISO 7064 MOD 11,10, as stdnum.iso7064.mod_11_10.checksum
    for n in number:
        check = (((check or 10) * 2) % 11 + ord(n) - 48) % 10
    return check == 1


def org_code_of(credit_code: str) -> str:
    """The 组织机构代码 a credit code embeds (positions 9-17)."""
    return credit_code[8:17]


_RIC_RE = re.compile(r"^[0-9]{17}[0-9X]$")


def is_valid_id_number(number: str) -> bool:
    """An 18-character resident ID number with a real birth date and the right check character.

    The region part is not checked against python-stdnum's table of divisions: that table dates
    Lanzhou's urban districts (620102–620111) from 1983 and does not know 兰州新区 (620171), so it
    would flag the real numbers of older residents and crash on others.
    """
    if not _RIC_RE.match(number):
        return False
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return ric.calc_check_digit(number) == number[17]


# Province-level codes a resident ID number starts with (GB/T 2260): no credit code of a market entity
# (91/92/93…) starts with one of these digits pairs, which keeps real codes from looking like ID numbers.
_PROVINCES = frozenset(f"{n}" for n in (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45,
                                         46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83))
PROVINCE_CODES = _PROVINCES  # the first two digits of every administrative division code
_ID_18 = r"[1-8]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
_ID_15 = r"[1-8]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}"
_ID_ANYWHERE = re.compile(rf"(?<![0-9A-Za-z])(?:{_ID_18}|{_ID_15})(?![0-9A-Za-z])")
_ID_WHOLE = re.compile(rf"(?:{_ID_18}|{_ID_15})")


def _id_date_ok(number: str) -> bool:
    if len(number) == 18:
        year, rest = int(number[6:10]), number[10:14]
    else:  # 15-digit numbers (before 1999) write the year of birth in two digits, all in the 1900s
        year, rest = 1900 + int(number[6:8]), number[8:12]
    try:
        born = dt.date(year, int(rest[:2]), int(rest[2:]))
    except ValueError:
        return False
    return dt.date(1880, 1, 1) <= born <= timezone.localdate()


def looks_like_id_number(value: str) -> bool:
    """Whether a value has the shape of a resident ID number: 18 characters (17 digits and a digit or X)
    or 15 digits, a province code and a real birth date; the check character is not needed.

    A mistyped check character does not make a person's number public data, so shape decides.
    """
    value = value.strip()
    return (len(value) in (15, 18) and bool(_ID_WHOLE.fullmatch(value)) and value[:2] in _PROVINCES
            and _id_date_ok(value.upper()))


def find_id_numbers(text: str) -> list[str]:
    """The ID-number-shaped values written anywhere in a text (a name, a fact, a remark)."""
    if not text or len(text) < 15:
        return []
    return [m for m in _ID_ANYWHERE.findall(text) if looks_like_id_number(m)]


def mask_id_numbers_in(text: str) -> str:
    """The text with every ID-number-shaped value in it masked."""
    if not text or len(text) < 15:
        return text
    return _ID_ANYWHERE.sub(lambda m: mask_id_number(m[0]) if looks_like_id_number(m[0]) else m[0], text)


def mask_id_number(number: str) -> str:
    """6201**********1234: the first four and last four characters, the rest hidden."""
    number = number.strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def division_of(code: str) -> str:
    """The administrative division of registration: positions 3–8 of a credit code."""
    return code[2:8]
