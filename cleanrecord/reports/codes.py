"""Report numbers and verification codes."""

import datetime as dt
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


@transaction.atomic
def next_number(prefix: str, day: dt.date) -> str:
    """LZXY-20261126-000123: the day's next number, never reused."""
    seq, _ = ReportSequence.objects.select_for_update().get_or_create(day=day)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{prefix}-{day:%Y%m%d}-{seq.last:06d}"
