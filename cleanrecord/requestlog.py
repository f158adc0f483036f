"""One log line per request, and its time in the latency histogram /metrics exports.

The line says which URL pattern answered (`route`, e.g. `verify/<str:code>`), the method, the status,
the time in milliseconds and the user's role (cleanrecord.accounts.roles: never a username, which may
be an ID number); the request id comes with every line (cleanrecord.requestid). The path and query
are never written: they may hold a credit code, a report's code or an ID number someone searched for.
With CLEANRECORD_LOG_FORMAT=json each line is a JSON object with these as fields (settings.LOGGING).

The time is from this middleware to the response's headers: a streamed body (a large XLSX) goes on after.
The load balancer's probes (healthz, readyz) and Prometheus' scrapes (metrics) are logged at DEBUG
when they succeed, so that they do not drown the rest.
"""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from cleanrecord.accounts.roles import ANONYMOUS, role_of
from cleanrecord.lib.metrics import REQUEST_SECONDS
from cleanrecord.lib.routes import route_of

log = logging.getLogger("cleanrecord.access")

QUIET_ROUTES = frozenset({"healthz", "readyz", "metrics"})
# A client may send any word as its method: others are counted and logged as OTHER, so they cannot add labels.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def role_for(request: HttpRequest) -> str:
    user = getattr(request, "user", None)  # set by the authentication middleware or an API token
    if user is None:
        return "-"
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        # The view never looked at who asked (an anonymous API call, a probe, a bare 404): finding out now would
        # cost the session's query after the answer, on every such request. Without a session cookie it is nobody.
        return ANONYMOUS if settings.SESSION_COOKIE_NAME not in request.COOKIES else "-"
    try:
        return role_of(user)
    except Exception:  # the database is what failed this request, most often: the line is still written
        return "-"


def middleware(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Second in MIDDLEWARE, right after the request id: times everything else."""

    def handle(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        seconds = time.perf_counter() - started
        route = route_of(request)
        method = request.method if request.method in METHODS else "OTHER"
        status = response.status_code
        REQUEST_SECONDS.labels(route, method, str(status)).observe(seconds)
        level = logging.DEBUG if route in QUIET_ROUTES and status < 400 else (
            logging.ERROR if status >= 500 else logging.INFO)
        if log.isEnabledFor(level):
            role = role_for(request)
            duration_ms = round(seconds * 1000, 1)
            log.log(level, "%s %s %s %.1f ms role=%s", method, route, status, duration_ms, role,
                    extra={"event": "request", "route": route, "method": method, "status": status,
                           "duration_ms": duration_ms, "role": role})
        return response

    return handle
