"""Credit codes (GB 32100-2015) and personal ID numbers: checking, kinds and masking."""

import re
from enum import Enum
from functools import lru_cache

from stdnum.cn import ric, uscc

USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


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


def is_valid_id_number(number: str) -> bool:
    try:
        ric.validate(number)
    except Exception:
        return False
    return True


def mask_id_number(number: str) -> str:
    """6201**********1234: the first four and last four characters, the rest hidden."""
    number = number.strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def division_of(code: str) -> str:
    """The administrative division of registration: positions 3–8 of a credit code."""
    return code[2:8]
