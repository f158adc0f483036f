"""Report numbers and verification codes."""

import datetime as dt
import re
import secrets
import unicodedata

from django.db import transaction

from .models import ReportSequence

# No 0/O, 1/I/L or U: easy to read aloud and to type from paper.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_IN_ALPHABET = frozenset(ALPHABET)
CODE_LENGTH = 20  # 20 × log2(30) ≈ 98 random bits
GROUP = 4


def new_verification_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display(code: str) -> str:
    """7KQ2M9XH… → 7KQ2-M9XH-…: groups of four."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def normalise(typed: str) -> str:
    """What a verifier typed, in canonical form: any case, full- or half-width (NFKC), with or without
    separators and spaces; "" when it holds a letter or digit no code has (0, O, 1, I, L, U, 中 …)."""
    code = [ch.upper() for ch in unicodedata.normalize("NFKC", typed) if ch.isalnum()]
    return "".join(code) if _IN_ALPHABET.issuperset(code) else ""


# PREFIX-YYYYMMDD-NNNNNN, read loosely: any case, any separators (next_number() writes them).
_REPORT_NUMBER = re.compile(r"([A-Z][A-Z0-9]{0,15}?)(\d{8})(\d{6})")


def as_report_number(typed: str) -> str:
    """What a verifier typed, as a report number (LZXY-20261126-000123) when it has the shape of one, else "".

    Only the shape: nothing is looked up. A report number is never a verification code (its date has a 0, and
    its prefix an L), so a verifier who typed one is told where the code is printed.
    """
    compact = "".join(ch.upper() for ch in unicodedata.normalize("NFKC", typed) if ch.isalnum())
    match = _REPORT_NUMBER.fullmatch(compact) if compact.isascii() else None
    return "-".join(match.groups()) if match else ""


@transaction.atomic
def next_number(prefix: str, day: dt.date) -> str:
    """LZXY-20261126-000123: the day's next number, never reused."""
    seq, _ = ReportSequence.objects.select_for_update().get_or_create(day=day)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{prefix}-{day:%Y%m%d}-{seq.last:06d}"


@transaction.atomic
def next_numbers(prefix: str, day: dt.date, count: int) -> list[str]:
    """`count` consecutive numbers of the day at once, in a short transaction of their own: a group batch takes
    them before it typesets, so other reports do not wait for it. Unused if the batch then fails (a gap)."""
    seq, _ = ReportSequence.objects.select_for_update().get_or_create(day=day)
    first, seq.last = seq.last + 1, seq.last + count
    seq.save(update_fields=["last"])
    return [f"{prefix}-{day:%Y%m%d}-{n:06d}" for n in range(first, seq.last + 1)]
