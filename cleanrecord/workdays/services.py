"""Counting working days on the official calendar.

    add_working_days(d, n)        the n-th working day after d: a deadline n working days from d
    working_days_between(a, b)    working days after a, up to and including b (0 on the same day)
    is_working_day(d)

A day follows the week unless CalendarDay says otherwise. The table is filled from the chinese-calendar
package (sync_package, run when load_reference loads the reference data, and on first use) and by the office for years the package
does not know yet (set_year). Years that neither knows are counted Monday to Friday, and
missing_years() names them so that the office sees why a deadline may be off.
"""

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from cleanrecord.audit.services import record_event
from cleanrecord.lib.refusals import Refused

from .models import CalendarDay, CalendarYear

CACHE_SECONDS = 60  # other processes see an office change within a minute
_cache: dict = {"at": 0.0, "days": None, "years": None}
_lock = threading.RLock()  # re-entered: a first read fills the table, which forgets the cache


# -- reading ---------------------------------------------------------------------------------------

def _exceptions() -> tuple[dict[dt.date, bool], frozenset[int]]:
    now = time.monotonic()
    with _lock:
        if _cache["days"] is None or now - _cache["at"] > CACHE_SECONDS:
            if not CalendarYear.objects.exists():
                sync_package()
            _cache["days"] = dict(CalendarDay.objects.values_list("day", "working"))
            _cache["years"] = frozenset(CalendarYear.objects.values_list("year", flat=True))
            _cache["at"] = now
        return _cache["days"], _cache["years"]


def forget() -> None:
    """Drop this process's copy of the calendar (after a change, and between tests)."""
    with _lock:
        _cache.update(at=0.0, days=None, years=None)


def _is_working(days: dict[dt.date, bool], day: dt.date) -> bool:
    working = days.get(day)
    return day.weekday() < 5 if working is None else working


def is_working_day(day: dt.date) -> bool:
    return _is_working(_exceptions()[0], day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (n >= 1); `start` itself never counts."""
    if n < 1:
        raise ValueError("n must be at least 1")
    days, _ = _exceptions()
    day = start
    while n:
        day += dt.timedelta(days=1)
        n -= _is_working(days, day)
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` comes first."""
    if end < start:
        return -working_days_between(end, start)
    days, _ = _exceptions()
    return sum(_is_working(days, start + dt.timedelta(days=n)) for n in range(1, (end - start).days + 1))


def known_years() -> frozenset[int]:
    return _exceptions()[1]


def missing_years(years: Iterable[int]) -> list[int]:
    """Years among `years` whose holidays the calendar does not know: counted Monday to Friday."""
    known = known_years()
    return sorted({y for y in years if y not in known})


def calendar_warning(today: dt.date | None = None) -> str:
    """A Chinese sentence for the office when this or next year's calendar is missing, else ''."""
    today = today or timezone.localdate()
    wanted = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    missing = missing_years(wanted)
    if not missing:
        return ""
    years = "、".join(gettext("%(year)s 年") % {"year": y} for y in missing)
    return (gettext("%(years)s的法定节假日安排尚未录入工作日历，期限暂按周一至周五计算。请信用办在收到国务院办公厅通知后录入。")
            % {"years": years})


# -- writing ---------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Entry:
    day: dt.date
    working: bool
    name: str = ""


def _shift(e: Entry) -> int:
    weekday = e.day.weekday() < 5
    if e.working and not weekday:
        return 1
    if not e.working and weekday:
        return -1
    return 0


def _renumber() -> None:
    """Recompute the running `offset` of every row (a few hundred rows per decade)."""
    total, changed = 0, []
    for row in CalendarDay.objects.order_by("day"):
        total += row.shift
        if row.offset != total:
            row.offset = total
            changed.append(row)
    CalendarDay.objects.bulk_update(changed, ["offset"], batch_size=500)


def _replace_year(year: int, entries: list[Entry]) -> None:
    CalendarDay.objects.filter(day__year=year).delete()
    CalendarDay.objects.bulk_create([
        CalendarDay(day=e.day, working=e.working, name=e.name[:20], shift=_shift(e)) for e in entries])


def package_entries() -> dict[int, list[Entry]]:
    """The holidays and make-up working days chinese-calendar knows, by year."""
    import chinese_calendar

    names = {h.value: h.chinese for h in chinese_calendar.Holiday}
    out: dict[int, list[Entry]] = {}
    for source, working in ((chinese_calendar.holidays, False), (chinese_calendar.workdays, True)):
        for day, name in source.items():
            out.setdefault(day.year, []).append(Entry(day, working, names.get(name, name or "")))
    return out


@transaction.atomic
def sync_package() -> list[int]:
    """Load the package's years, except those the office entered itself. Returns the years loaded."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # two processes starting on an empty table load it once
            cur.execute("SELECT pg_advisory_xact_lock(727275)")
    office = set(CalendarYear.objects.filter(source=CalendarYear.Source.OFFICE).values_list("year", flat=True))
    have = set(CalendarYear.objects.filter(source=CalendarYear.Source.PACKAGE).values_list("year", flat=True))
    loaded = []
    for year, entries in sorted(package_entries().items()):
        if year in office or year in have:
            continue
        _replace_year(year, entries)
        CalendarYear.objects.create(year=year, source=CalendarYear.Source.PACKAGE)
        loaded.append(year)
    if loaded:
        _renumber()
    forget()
    return loaded


def load_with_reference(sender=None, *, stdout=None, **kwargs) -> None:
    """Receiver of reference's `reference_loaded`: loading the reference data loads the package's years too."""
    years = sync_package()
    if years and stdout is not None:
        stdout.write(gettext("工作日历已从 chinese-calendar 载入 %(n)s 个年度（%(first)s–%(last)s）")
                     % {"n": len(years), "first": years[0], "last": years[-1]})


@transaction.atomic
def set_year(year: int, entries: list[Entry], *, note: str = "", user=None) -> CalendarYear:
    """The office enters (or replaces) one year's holidays and make-up working days."""
    if not 2000 <= year <= 2100:
        raise Refused(gettext("年度 %(year)s 超出范围（2000–2100）") % {"year": year})
    if len(note) > 200:
        raise Refused(gettext("说明过长（%(len_note)s 字，最多 200 字）") % {"len_note": len(note)})
    seen: set[dt.date] = set()
    for e in entries:
        if e.day.year != year:
            raise Refused(gettext("%(e_day)s 不属于 %(year)s 年") % {"e_day": e.day, "year": year})
        if e.day in seen:
            raise Refused(gettext("%(e_day)s 重复出现") % {"e_day": e.day})
        seen.add(e.day)
        if e.working and e.day.weekday() < 5:
            raise Refused(gettext("%(e_day)s 是工作日（%(weekday)s），无需登记为调休上班")
                          % {"e_day": e.day, "weekday": _weekday(e.day)})
    if not any(not e.working for e in entries):
        raise Refused(gettext("%(year)s 年没有任何放假日期，请检查文件") % {"year": year})
    before = CalendarYear.objects.filter(year=year).first()
    _replace_year(year, entries)
    row, _ = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": CalendarYear.Source.OFFICE, "note": note[:200]})
    _renumber()
    forget()
    record_event(user=user, action="workdays.set_year", target=f"calendar:{year}",
                 before={"source": before.source} if before else {},
                 after={"holidays": sum(not e.working for e in entries), "workdays": sum(e.working for e in entries),
                        "note": note[:200]})
    return row


def _weekday(day: dt.date) -> str:
    return [gettext("星期一"), gettext("星期二"), gettext("星期三"), gettext("星期四"), gettext("星期五"), gettext("星期六"),
            gettext("星期日")][day.weekday()]


def describe(year: int, entries: list[Entry]) -> str:
    """What the office entered, as the page and the command confirm it."""
    return (gettext("%(year)s 年工作日历已录入：放假 %(holidays)s 天，调休上班 %(workdays)s 天")
            % {"year": year, "holidays": sum(not e.working for e in entries),
               "workdays": sum(e.working for e in entries)})


# The words of the office's calendar file (see read_entries), matched against its cells.
HEADER_WORDS = ("日期", "date")
HOLIDAY_WORDS = ("放假", "休", "假", "holiday")
WORKDAY_WORDS = ("上班", "班", "调休上班", "workday")


def read_entries(lines: Iterable[str], year: int) -> list[Entry]:
    """Parse the office's file: one day per line, `日期,类型[,节日]`, 类型 放假/休 or 上班/班.

    Blank lines, a header line and lines starting with # are skipped. Errors name the line.
    """
    import csv

    entries = []
    for number, row in enumerate(csv.reader(lines), start=1):
        cells = [c.strip() for c in row]
        if not cells or not cells[0] or cells[0].startswith("#") or cells[0] in HEADER_WORDS:
            continue
        if len(cells) < 2:
            raise Refused(gettext("第 %(number)s 行：应为“日期,类型[,节日]”，实际为“%(join_cells)s”")
                          % {"number": number, "join_cells": ','.join(cells)})
        try:
            day = dt.date.fromisoformat(cells[0].replace("/", "-"))
        except ValueError:
            raise Refused(gettext("第 %(number)s 行：日期“%(cells_0)s”格式不正确，应为 YYYY-MM-DD")
                          % {"number": number, "cells_0": cells[0]}) from None
        kind = cells[1]
        if kind in HOLIDAY_WORDS:
            working = False
        elif kind in WORKDAY_WORDS:
            working = True
        else:
            raise Refused(gettext("第 %(number)s 行：类型“%(kind)s”无法识别，应为“放假”或“上班”") % {"number": number, "kind": kind})
        if day.year != year:
            raise Refused(gettext("第 %(number)s 行：%(day)s 不属于 %(year)s 年")
                          % {"number": number, "day": day, "year": year})
        entries.append(Entry(day, working, cells[2] if len(cells) > 2 else ""))
    return entries
