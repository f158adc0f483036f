"""Django's PostgreSQL backend, checking a kept connection's health only when it sat idle.

With persistent connections and CONN_HEALTH_CHECKS, Django asks PostgreSQL `SELECT 1` at the start of every
request before reusing its connection: on the verification path, a third of the round trips and a sixth of the
database's work. A connection a request finished with less than IDLE_SECONDS ago is reused unchecked: a server
that went away in that moment fails that one request, as it would fail a request already under way. A connection
idle longer (a quiet night, a database restarted in between) is checked as before, and one that had an error is
checked by Django whatever its age.
"""

import time

from django.db.backends.postgresql import base

IDLE_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    _finished_at = float("-inf")

    def close_if_unusable_or_obsolete(self) -> None:
        # Called when a request starts and when it finishes (django.db's request signals).
        now = time.monotonic()
        recent = now - self._finished_at < IDLE_SECONDS
        super().close_if_unusable_or_obsolete()
        if self.connection is not None:
            if recent and not self.errors_occurred:
                self.health_check_done = True  # used a moment ago: no SELECT 1 before this request's first query
            self._finished_at = now
