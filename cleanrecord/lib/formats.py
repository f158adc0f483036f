"""Dates, times, amounts and shares as a Chinese reader writes them: 2026年12月7日 12:30, 8,700.00 元, 3.03%.

Pages show local time without its offset ("+08:00" means nothing to a clerk), amounts with thousands
separators and two decimals in 元 (never `8.700000`), and a share of 0–1 as a percentage.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _


def _parsed(value):
    """Dates and times as stored in snapshots and audit entries (ISO text) too."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.datetime.fromisoformat(text) if ("T" in text or " " in text) else dt.date.fromisoformat(text)
        except ValueError:
            return None
    return value


def zh_date(value) -> str:
    """2026年12月7日; a datetime gives its local day. Anything that is no date: as it is ("" for None)."""
    parsed = _parsed(value)
    if isinstance(parsed, dt.datetime):
        parsed = timezone.localtime(parsed).date() if timezone.is_aware(parsed) else parsed.date()
    if isinstance(parsed, dt.date):
        return _("%(year)s年%(month)s月%(day)s日") % {"year": parsed.year, "month": parsed.month, "day": parsed.day}
    return "" if value is None else str(value)


def zh_datetime(value) -> str:
    """2026年12月7日 12:30 in the platform's time zone, without the offset; a bare date as zh_date."""
    parsed = _parsed(value)
    if isinstance(parsed, dt.datetime):
        local = timezone.localtime(parsed) if timezone.is_aware(parsed) else parsed
        return f"{zh_date(local.date())} {local:%H:%M}"
    return zh_date(value)


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def yuan(value) -> str:
    """8,700.00 元; "" for no amount; text that is no number as it is."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return _("%(amount)s 元") % {"amount": f"{number:,.2f}"}


def wan_yuan(value) -> str:
    """An amount kept in 万元 (the national layouts' unit, 6 decimals) in 元: 8.700000 → 87,000.00 元."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return yuan(number * 10000)


def percent(value, places: int = 2) -> str:
    """A share of 0–1 as a percentage with at most `places` decimals, trailing zeros dropped: 0.0303 → 3.03%, 0.05 → 5%."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    text = f"{number * 100:.{places}f}".rstrip("0").rstrip(".") if places else f"{number * 100:.0f}"
    return f"{text}%"
