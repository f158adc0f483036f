"""Normalising the text that arrives in department files."""

import re

# Full-width ASCII (！ to ～) and the ideographic space, to their half-width forms.
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_WIDTH_AND_SPACE = {**_FULLWIDTH, 0x20: None, 0x3000: None, 0x09: None, 0xA0: None, 0x200B: None, 0xFEFF: None}

EMPTY_MARKERS = frozenset({"", "无", "暂无", "/", "-", "--", "—", "——", "－", "null", "none", "空", "n/a", "na", "#n/a"})

_SPACES = re.compile(r"[ \t\u3000\u00a0\u200b\ufeff]+")


def half_width(value: str) -> str:
    return value.translate(_FULLWIDTH)


def compact(value: str) -> str:
    """Half-width with every kind of space removed: for codes, numbers, dates and headers."""
    return value.translate(_WIDTH_AND_SPACE)


_NEEDS_CLEANING = re.compile(r"[\t\r\u3000\u00a0\u200b\ufeff]|  ")


def clean_text(value: str) -> str:
    """Trim a free-text cell and fold runs of spaces; Chinese punctuation is kept as written."""
    value = value.strip()
    if not _NEEDS_CLEANING.search(value):  # the common case: nothing to fold
        return value
    value = value.strip("\ufeff\u200b")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _SPACES.sub(" ", value).strip()


_LONGEST_MARKER = max(len(m) for m in EMPTY_MARKERS)


def is_empty(value: str) -> bool:
    """True for blank cells and the words departments write for "nothing" (无, 暂无, /, null …).

    A long cell that is only spaces is reported non-empty here; callers strip it to "" anyway.
    """
    if len(value) > _LONGEST_MARKER + 4:  # most cells: one length check, no normalising
        return False
    value = value.strip()
    return not value or value.lower() in EMPTY_MARKERS or compact(value).lower() in EMPTY_MARKERS


# Control characters: invisible, never meant, and PostgreSQL refuses NUL in text and JSON. In free text
# (a textarea, a multi-line cell) tab, LF and CR are line breaks, and C1 controls are refused too. Outside
# it — codes, names, and the raw WSGI strings of a path, query or cookie, where UTF-8 bytes stand as
# Latin-1 characters, so C1 code points are a Chinese character's continuation bytes — C0 and DEL only.
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def control_character(value: str, *, text: bool = True) -> str:
    """The first control character in `value`, or ""; `text`: free text (see above)."""
    if value.isprintable():  # the common case, one C loop
        return ""
    found = (_CONTROL_IN_TEXT if text else _CONTROL).search(value)
    return found[0] if found else ""


def has_control(value: str, *, text: bool = False) -> bool:
    """Whether `value` holds a control character; `text`: free text (see above)."""
    return bool(control_character(value, text=text))


def without_controls(value: str) -> str:
    return value if value.isprintable() else _CONTROL_IN_TEXT.sub("", value)
