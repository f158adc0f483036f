"""Credit codes (GB 32100-2015) and personal ID numbers: checking, kinds and masking."""

import datetime as dt
import re
from enum import Enum
from functools import lru_cache

from stdnum.cn import ric, uscc

# [0-9], not \d: \d also matches other scripts' digits (٦, ६), which the check-digit tables do not know.
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


class CodeCheck(Enum):
    VALID = "valid"
    BAD_CHECKSUM = "bad_checksum"  # shape is right, check character is not: early pilot codes
    INVALID = "invalid"


@lru_cache(maxsize=200_000)
def check_credit_code(code: str) -> CodeCheck:
    """Classify an upper-case, stripped credit code."""
    if not USCC_RE.match(code):
        return CodeCheck.INVALID
    if uscc.calc_check_digit(code[:17]) != code[17]:
        return CodeCheck.BAD_CHECKSUM
    return CodeCheck.VALID


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


def mask_id_number(number: str) -> str:
    """6201**********1234: the first four and last four characters, the rest hidden."""
    number = number.strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def division_of(code: str) -> str:
    """The administrative division of registration: positions 3–8 of a credit code."""
    return code[2:8]
