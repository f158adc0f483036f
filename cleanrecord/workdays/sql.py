"""Working days on the official calendar, in SQL, for PostgreSQL and SQLite.

    WorkingDays(start, end)   working days after `start`, up to and including `end`: 0 on the same day,
                              negative when `end` comes first — services.working_days_between, per row

Both arguments are date expressions. A datetime must first be turned into the local day it falls on
(TruncDate, which uses the current time zone): a timestamp would be read as a UTC day on PostgreSQL.
"""

from django.core.exceptions import FieldError
from django.db import NotSupportedError
from django.db.models import DateField, DateTimeField, Func, IntegerField

from .models import CalendarDay


def _is_date(expression) -> bool | None:
    """Whether the expression gives a date; None when that is not known before the query is compiled."""
    try:
        field = expression.output_field
    except (FieldError, AttributeError):
        return None
    return isinstance(field, DateField) and not isinstance(field, DateTimeField)


class WorkingDays(Func):
    """Working days after `start`, up to and including `end`, on the official calendar.

    The week first: W(n) = 5 * (n div 7) + min(n mod 7, 5) counts the weekdays among the n days from
    Monday 0001-01-01, so W(end + 1) - W(start + 1) counts Monday to Friday. Then the calendar:
    CalendarDay.offset is the running sum of its days' shifts (-1 a holiday on a weekday, +1 a worked
    weekend day), so O(end) - O(start), with O(x) the offset of the last CalendarDay on or before x
    (0 before the first), corrects the count for the holidays and make-up days in between. Days outside
    the years the calendar knows follow the week, as in services.

    PostgreSQL finds O(x) by binary search (width_bucket) in the calendar's days, read once per query
    as an array: no lookup per row. SQLite looks it up with a correlated subquery on the primary key.
    A NULL date gives NULL.
    """

    arity = 2
    output_field = IntegerField()

    def resolve_expression(self, *args, **kwargs):
        resolved = super().resolve_expression(*args, **kwargs)
        for expression in resolved.source_expressions:
            if _is_date(expression) is False:
                raise TypeError(f"WorkingDays counts between dates; got {expression!r} "
                                "(convert a datetime to its local day with TruncDate)")
        return resolved

    def _compile(self, compiler, day_number: str, least: str, remainder: str, calendar_offset) -> tuple[str, list]:
        """W(end + 1) + O(end) - (W(start + 1) + O(start)); `remainder` is n mod 7, written without %
        (a query without parameters would keep it doubled)."""
        counts, params = [], []
        for expression in reversed(self.source_expressions):  # end first
            x, p = compiler.compile(expression)
            n = f"({day_number.format(x)} + 1)"
            counts.append(f"(5 * ({n} / 7) + {least}({remainder.format(n=n)}, 5) + {calendar_offset(x)})")
            params += p * (1 + remainder.count("{n}") + 1)  # x appears in n / 7, in n mod 7 and in O(x)
        return f"({counts[0]} - {counts[1]})", params

    def as_postgresql(self, compiler, connection, **extra):
        table, day, offset = _names(connection)

        def calendar_offset(x: str) -> str:  # the days and offsets: uncorrelated subqueries, run once (InitPlans)
            days = f"(SELECT array_agg({day} ORDER BY {day}) FROM {table})"
            offsets = f"(SELECT array_agg({offset} ORDER BY {day}) FROM {table})"
            return f"COALESCE(({offsets})[width_bucket(({x})::date, {days})], 0)"

        return self._compile(compiler, "((({})::date) - DATE '0001-01-01')", "LEAST", "mod({n}, 7)",
                             calendar_offset)

    def as_sqlite(self, compiler, connection, **extra):
        table, day, offset = _names(connection)

        def calendar_offset(x: str) -> str:  # the offset of the last calendar day on or before x
            return (f"COALESCE((SELECT wd_day.{offset} FROM {table} AS wd_day WHERE wd_day.{day} <= ({x})"
                    f" ORDER BY wd_day.{day} DESC LIMIT 1), 0)")

        return self._compile(compiler, "CAST(julianday({}) - 1721425.5 AS INTEGER)", "MIN",
                             "({n} - 7 * ({n} / 7))", calendar_offset)

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError("WorkingDays is written for PostgreSQL and SQLite")


def _names(connection) -> tuple[str, str, str]:
    """The calendar's table and its day and offset columns, quoted ("offset" is a reserved word)."""
    q, meta = connection.ops.quote_name, CalendarDay._meta
    return q(meta.db_table), q(meta.get_field("day").column), q(meta.get_field("offset").column)
