"""Reading from a PostgreSQL streaming replica (DATABASE_REPLICA_URL), where a little lag does no harm.

Only the requests that read and barely write are sent there: verification (page, API, file check), the
public pages and report downloads, each marked with @replica_reads. Inside them the router reads the records'
apps from the replica; sessions, accounts and everything else, and every write, go to the primary — so a
signed-in user's fresh session and the verification log never depend on the replica. Elsewhere every read is
from the primary, so a workflow always reads what it has just written.

The replica is used while it keeps up: each process asks it for its lag at most once a second and reads from
the primary while the lag reaches CLEANRECORD_REPLICA_MAX_LAG_SECONDS, the replica does not stream, or it does
not answer. A row written a moment ago may not have arrived yet: `or_from_primary` looks again on the primary
when the replica finds nothing (a report issued a second ago still verifies).
"""

import contextvars
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DatabaseError, connections

from cleanrecord import conf

logger = logging.getLogger("cleanrecord.replica")

REPLICA = "replica"
PRIMARY = "default"
# The apps whose tables the marked requests may read from the replica: reports, their records and subjects,
# the reference data. Not sessions, users, tokens, the guessing budget's writes or the audit trail.
READ_APPS = frozenset({"reports", "records", "entities", "reference", "objections", "verification", "workdays"})
CHECK_SECONDS = 1.0  # how often a process asks the replica for its lag
RETRY_SECONDS = 5.0  # how long a process reads the primary after the replica failed to answer

_reading = contextvars.ContextVar("replica_reads", default=False)

T = TypeVar("T")


def configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def reads() -> Iterator[None]:
    """Reads of READ_APPS inside go to the replica (while it keeps up)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    token = _reading.set(False)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_reads(view: Callable[..., T]) -> Callable[..., T]:
    """Mark a view (or any function) whose reads may come from the replica."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> T:
        with reads():
            return view(*args, **kwargs)

    return wrapped


def or_from_primary(find: Callable[[], T | None]) -> T | None:
    """`find()`, and when it finds nothing on the replica, `find()` again on the primary: the row may have
    been written a moment ago and not have reached the replica yet."""
    found = find()
    if found is None and _reading.get() and configured():
        with primary_reads():
            found = find()
    return found


def on_replica() -> bool:
    """Reads of READ_APPS made now go to the replica."""
    return _reading.get() and configured() and _state.usable()


# -- the replica's lag ---------------------------------------------------------------------------

LAG_SQL = """
SELECT CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0.0
            ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0.0) END,
       pg_is_in_recovery(),
       (SELECT count(*) FROM pg_stat_wal_receiver),
       (SELECT status FROM pg_stat_wal_receiver LIMIT 1)
"""


@dataclass(frozen=True)
class Lag:
    """What the replica said of itself, or why it could not."""

    seconds: float | None  # behind the primary: 0 when it has replayed all it received; None: no answer
    streaming: bool  # its WAL receiver runs (and streams, where the database user may see its status)
    error: str = ""

    @property
    def usable(self) -> bool:
        return (self.seconds is not None and self.streaming
                and self.seconds < conf.get("REPLICA_MAX_LAG_SECONDS"))

    def as_dict(self) -> dict[str, Any]:
        return {"lag_seconds": None if self.seconds is None else round(self.seconds, 3),
                "streaming": self.streaming, "reading_from": REPLICA if self.usable else PRIMARY,
                **({"error": self.error} if self.error else {})}


def measure() -> Lag:
    """Ask the replica how far behind the primary it is (one query on the replica's connection)."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            seconds, in_recovery, receivers, status = cursor.fetchone()
    except DatabaseError as exc:
        return Lag(None, False, f"{type(exc).__name__}: {exc}".strip())
    # A user without pg_monitor sees the receiver's row but not its status: its presence is what it can tell.
    streaming = bool(in_recovery) and receivers > 0 and status in (None, "streaming")
    return Lag(float(seconds), streaming, "" if in_recovery else "not a standby (pg_is_in_recovery() is false)")


class _State:
    """This process's latest look at the replica, renewed at most every CHECK_SECONDS."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked = float("-inf")
        self.ok = False

    def usable(self) -> bool:
        now = time.monotonic()
        if now < self.checked:
            return self.ok
        with self.lock:
            if now >= self.checked:
                lag = measure()
                if lag.usable != self.ok:
                    logger.warning("replica %s: %s", "in use" if lag.usable else "not used, reading the primary",
                                   lag.as_dict())
                self.ok = lag.usable
                self.checked = now + (CHECK_SECONDS if lag.seconds is not None else RETRY_SECONDS)
        return self.ok

    def forget(self) -> None:
        self.checked = float("-inf")


_state = _State()
forget = _state.forget  # the tests' way to make the next read ask the replica again


class Router:
    """Every write to the primary; reads of READ_APPS to the replica inside @replica_reads, the rest to the
    primary (also for rows fetched from the replica, which Django would otherwise read their relations from)."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        if model._meta.app_label in READ_APPS and on_replica():  # type: ignore[attr-defined]
            return REPLICA
        return PRIMARY

    def db_for_write(self, model: type, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA
