"""WorkingDays in SQL gives what services.working_days_between gives, on SQLite and on PostgreSQL."""

import datetime as dt

import pytest
from django.db.models import DateField, F, Value
from django.db.models.functions import TruncDate

from cleanrecord.records.models import ImportBatch
from cleanrecord.workdays import services
from cleanrecord.workdays.models import CalendarDay
from cleanrecord.workdays.sql import WorkingDays

from .test_calendar import CALENDAR_2027

pytestmark = pytest.mark.django_db

D = dt.date


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def in_sql(pairs: list[tuple[dt.date, dt.date]]) -> list[int | None]:
    """WorkingDays for each pair of literal dates, a few hundred expressions a query."""
    out = []
    for i in range(0, len(pairs), 200):
        chunk = pairs[i:i + 200]
        row = (CalendarDay.objects.order_by().values()[:1].annotate(**{
            f"w{j}": WorkingDays(Value(start, DateField()), Value(end, DateField()))
            for j, (start, end) in enumerate(chunk)}).values(*(f"w{j}" for j in range(len(chunk))))).get()
        out += [row[f"w{j}"] for j in range(len(chunk))]
    return out


def assert_agrees(pairs: list[tuple[dt.date, dt.date]]) -> None:
    got = in_sql(pairs)
    wrong = [(start, end, w, services.working_days_between(start, end))
             for (start, end), w in zip(pairs, got, strict=True) if w != services.working_days_between(start, end)]
    assert not wrong, wrong[:10]


def test_spring_festival_2026_every_pair_of_days():
    # 15–23 February off; Saturdays 14 and 28 February worked.
    window = days(D(2026, 2, 6), D(2026, 3, 3))
    assert_agrees([(start, end) for start in window for end in window])
    assert in_sql([(D(2026, 2, 13), D(2026, 2, 27)), (D(2026, 2, 13), D(2026, 2, 14)), (D(2026, 2, 14), D(2026, 2, 24)),
                   (D(2026, 2, 27), D(2026, 3, 2)), (D(2026, 2, 24), D(2026, 2, 13))]) == [
        5,  # 14, 24, 25, 26, 27
        1,  # the make-up Saturday
        1,  # nine days off, then Tuesday
        2,  # the worked Saturday 28th and Monday
        -2]


def test_national_day_2025_every_pair_of_days():
    # 1–8 October off; Sunday 28 September and Saturday 11 October worked.
    window = days(D(2025, 9, 24), D(2025, 10, 15))
    assert_agrees([(start, end) for start in window for end in window])
    assert in_sql([(D(2025, 9, 30), D(2025, 10, 8)), (D(2025, 9, 26), D(2025, 9, 28)),
                   (D(2025, 9, 30), D(2025, 10, 11))]) == [0, 1, 3]  # 9, 10 and the worked 11 October


def test_across_years_and_beyond_the_calendar():
    known = sorted(services.known_years())
    first, last = D(known[0], 1, 1), D(known[-1], 12, 31)
    anchors = [first - dt.timedelta(days=400), first - dt.timedelta(days=1), first, D(2019, 2, 1), D(2020, 1, 24),
               D(2024, 9, 30), D(2025, 1, 1), D(2025, 9, 28), D(2025, 10, 11), D(2026, 2, 14), D(2026, 2, 28),
               D(2026, 10, 8), last, last + dt.timedelta(days=1), last + dt.timedelta(days=365)]
    assert_agrees([(start, end) for start in anchors for end in anchors])


def test_a_date_column_on_either_side_and_null():
    """Correlated with the outer row, even when the outer table is the calendar itself."""
    end = D(2026, 3, 2)
    rows = (CalendarDay.objects.filter(day__range=(D(2025, 9, 1), end))
            .annotate(after=WorkingDays(F("day"), Value(end)), before=WorkingDays(Value(end), F("day"))))
    assert rows.count() > 20
    for row in rows:
        assert row.after == services.working_days_between(row.day, end) == -row.before, row.day
    assert in_sql([(D(2026, 2, 13), None), (None, D(2026, 2, 13))]) == [None, None]
    # A query without parameters: the SQL must not rely on % being unescaped.
    assert set(CalendarDay.objects.annotate(w=WorkingDays(F("day"), F("day"))).values_list("w", flat=True)) == {0}


def test_the_local_day_of_a_datetime():
    """A datetime counts through its local day (TruncDate): 23:30 UTC on Friday 13 February is the 14th in China."""
    batch = ImportBatch.objects.create(kind="penalty", file_name="f.csv")
    ImportBatch.objects.filter(pk=batch.pk).update(started_at=dt.datetime(2026, 2, 13, 23, 30, tzinfo=dt.UTC))
    w = (ImportBatch.objects.filter(pk=batch.pk)
         .annotate(w=WorkingDays(Value(D(2026, 2, 12)), TruncDate("started_at"))).values_list("w", flat=True).get())
    assert w == 2  # Friday 13th and the make-up Saturday
    with pytest.raises(TypeError, match="TruncDate"):
        ImportBatch.objects.annotate(w=WorkingDays(Value(D(2026, 2, 12)), F("started_at")))


def test_a_year_the_office_enters_counts_at_once():
    pairs = [(start, end) for start in days(D(2027, 2, 1), D(2027, 2, 20)) for end in (D(2027, 2, 4), D(2027, 2, 16))]
    assert_agrees(pairs)  # not known yet: Monday to Friday
    services.set_year(2027, services.read_entries(CALENDAR_2027.splitlines(), 2027))
    assert_agrees(pairs)
    assert in_sql([(D(2027, 2, 4), D(2027, 2, 13)), (D(2026, 12, 31), D(2027, 12, 31))]) == [
        1, services.working_days_between(D(2026, 12, 31), D(2027, 12, 31))]
