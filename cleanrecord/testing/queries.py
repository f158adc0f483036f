"""Counting the database queries a page or a service makes, for the query-count checks of every app."""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(action: Callable[[], object]) -> int:
    """How many queries `action()` sends to the default database (savepoints included)."""
    with CaptureQueriesContext(connection) as ctx:
        action()
    return len(ctx.captured_queries)


# Queries a request makes or not by the clock alone: the office's rules are read again at most every few seconds
# (conf.OFFICE_RULES_TTL_SECONDS), so one of two identical requests may make one more. A comparison of two counts
# allows for that; an N+1 over the seven or more rows each check adds costs seven queries or more.
CLOCK_SLACK = 2
