"""Liveness and readiness for the load balancer and the operator.

/healthz answers "ok" while the process serves requests at all. /readyz runs every registered check
and answers 200 when all pass, 503 with the names of those that fail; the reasons go to the log,
not to whoever asks. A check is a function that raises (anything) when the platform is not ready;
register one with @check("name"). Here: the database answers, the signing key loads and is the recorded
root, the storage folders can be written, the official working-day calendar covers this year. With a read
replica, /readyz also says how far it lags and which database its readers use now.
"""

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cleanrecord import conf
from cleanrecord.jobs.heartbeat import ensure_fresh as worker_heartbeat_fresh
from cleanrecord.lib import metricsdir, replica
from cleanrecord.reports.signing import ensure_ready
from cleanrecord.workdays.services import known_years

log = logging.getLogger("cleanrecord.health")

CHECKS: dict[str, Callable[[], None]] = {}


def check(name: str):
    """Register a readiness check under `name`."""

    def register(function: Callable[[], None]) -> Callable[[], None]:
        CHECKS[name] = function
        return function

    return register


@check("database")
def database_answers() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


@check("signing_key")
def signing_key_matches_recorded_root() -> None:
    ensure_ready()


def data_dirs() -> list[Path]:
    """The data directory, the report store, import files, evidence, the upload temp dir, and under gunicorn
    the folder its workers share their metrics in."""
    folders = [Path(settings.DATA_DIR),
               *(Path(conf.get(name)) for name in ("REPORT_DIR", "IMPORT_DIR", "EVIDENCE_DIR", "TEMP_DIR"))]
    if os.environ.get(metricsdir.VARIABLE):
        folders.append(Path(os.environ[metricsdir.VARIABLE]))
    return folders


@check("data_dirs")
def data_dirs_writable() -> None:
    for folder in data_dirs():
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".readyz-", dir=folder)
        try:
            os.write(fd, b"ok")
        finally:
            os.close(fd)
            os.unlink(name)


@check("calendar")
def calendar_covers_this_year() -> None:
    """The official working-day calendar knows this year's holidays: deadlines count on it."""
    year = timezone.localdate().year
    if year not in known_years():
        raise LookupError(f"the working-day calendar has no {year}: enter it at /office/calendar/ or "
                          f"`manage.py load_calendar FILE --year {year}`")


# A worker (manage.py worker) wrote its heartbeat within CLEANRECORD_WORKER_STALE_SECONDS: imports, e-mail and
# the scheduled jobs are being run.
check("worker")(worker_heartbeat_fresh)


def failing_checks() -> list[str]:
    failing = []
    for name, function in CHECKS.items():
        try:
            function()
        except Exception as exc:
            log.error("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
            failing.append(name)
    return failing


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    failing = failing_checks()
    checks = {name: "fail" if name in failing else "ok" for name in CHECKS}
    extra = {}
    if replica.configured():
        # Not a check: while the replica lags or is down, its readers read the primary and the platform serves on.
        extra["replica"] = replica.measure().as_dict()
    if failing:
        return JsonResponse({"status": "not ready", "failing": failing, "checks": checks, **extra}, status=503)
    return JsonResponse({"status": "ready", "checks": checks, **extra})
