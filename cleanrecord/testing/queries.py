"""Counting the database queries a page or a service makes, for the query-count checks of every app."""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(action: Callable[[], object]) -> int:
    """How many queries `action()` sends to the default database (savepoints included)."""
    with CaptureQueriesContext(connection) as ctx:
        action()
    return len(ctx.captured_queries)
