"""/metrics: the platform's figures in Prometheus' text format, for the credit office's monitoring.

Two kinds of figure:

- The request latency histogram (`cleanrecord_http_request_duration_seconds`, by URL pattern, method and
  status) lives in the web processes (cleanrecord.lib.metrics). Under gunicorn it is the sum over every
  worker, read from the files the workers share (prometheus-client's multiprocess mode).
- Everything the database knows is counted there at scrape time, so every worker answers the same and a
  restart loses nothing: reports issued by channel, verifications by channel and result, import rows
  accepted and rejected by department, open objections and the oldest one's age in working days. These
  are registered as collectors (cleanrecord.lib.metrics.collector); an app adds its own the same way.

Who may read it: a signed-in credit office user, a scraper sending `Authorization: Bearer` with
CLEANRECORD_METRICS_TOKEN, or a client whose address (behind the trusted proxies) is in
CLEANRECORD_METRICS_ADDRESSES. Everyone else gets 403.
"""

import hmac
import ipaddress
import logging
import os
from collections.abc import Iterable

from django.db.models import Count, F, Min, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector

from cleanrecord import conf
from cleanrecord.accounts.models import is_office
from cleanrecord.jobs.models import JobRun
from cleanrecord.lib import metrics
from cleanrecord.lib.clientip import client_ip
from cleanrecord.lib.metricsdir import VARIABLE
from cleanrecord.objections.models import Objection
from cleanrecord.records.models import ImportBatch
from cleanrecord.reports.models import Report
from cleanrecord.verification.models import VerificationLog
from cleanrecord.workdays.services import working_days_between

log = logging.getLogger("cleanrecord.metrics")

NO_DEPARTMENT = "none"  # an import the office made without naming a department


# -- what the database knows, counted at scrape time ---------------------------------------------------

@metrics.collector("reports")
def reports_issued() -> Iterable[Metric]:
    family = CounterMetricFamily("cleanrecord_reports_issued", "Reports issued, by channel (web, api, cli).",
                                 labels=["channel"])
    for row in Report.objects.order_by().values("channel").annotate(n=Count("id")):
        family.add_metric([row["channel"]], row["n"])
    yield family


@metrics.collector("verifications")
def verifications() -> Iterable[Metric]:
    family = CounterMetricFamily("cleanrecord_verifications",
                                 "Verifications, by channel (page, api, file) and result (authentic, not_found …).",
                                 labels=["channel", "result"])
    for row in VerificationLog.objects.order_by().values("channel", "result").annotate(n=Count("id")):
        family.add_metric([row["channel"], row["result"]], row["n"])
    yield family


@metrics.collector("imports")
def import_rows() -> Iterable[Metric]:
    family = CounterMetricFamily("cleanrecord_import_rows",
                                 "Rows of finished imports (dry runs and failures left out), accepted or rejected, "
                                 "by department code.", labels=["department", "outcome"])
    rows = (ImportBatch.objects.filter(status=ImportBatch.Status.DONE).order_by()
            .values(code=F("department__code"))
            .annotate(read=Sum("rows_read"), rejected=Sum("rows_rejected")))
    for row in rows:
        department = row["code"] or NO_DEPARTMENT
        family.add_metric([department, "accepted"], (row["read"] or 0) - (row["rejected"] or 0))
        family.add_metric([department, "rejected"], row["rejected"] or 0)
    yield family


@metrics.collector("objections")
def open_objections() -> Iterable[Metric]:
    still_open = Objection.objects.exclude(status__in=Objection.CLOSED)
    found = still_open.aggregate(n=Count("id"), oldest=Min("opened_at"))
    yield GaugeMetricFamily("cleanrecord_objections_open", "Objections not yet closed.", value=found["n"])
    age = 0
    if found["oldest"] is not None:
        age = working_days_between(timezone.localdate(found["oldest"]), timezone.localdate())
    yield GaugeMetricFamily("cleanrecord_objection_oldest_open_working_days",
                            "Working days (official calendar) since the oldest open objection was filed; 0: none open.",
                            value=age)



@metrics.collector("tasks")
def tasks() -> Iterable[Metric]:
    """The worker's queue (django-tasks' database backend): what waits, what runs, how long the oldest has waited,
    and how many scheduled runs ended failed today (the office's /office/jobs/ lists them)."""
    waiting = DBTaskResult.objects.ready().aggregate(n=Count("id"), oldest=Min("enqueued_at"))
    yield GaugeMetricFamily("cleanrecord_tasks_queued", "Background tasks ready and waiting for a worker.",
                            value=waiting["n"])
    yield GaugeMetricFamily("cleanrecord_tasks_running", "Background tasks a worker is running.",
                            value=DBTaskResult.objects.running().count())
    age = (timezone.now() - waiting["oldest"]).total_seconds() if waiting["oldest"] is not None else 0
    yield GaugeMetricFamily("cleanrecord_tasks_oldest_queued_seconds",
                            "Seconds the oldest waiting task has waited; 0: none waiting.", value=max(age, 0))
    since = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    yield GaugeMetricFamily("cleanrecord_scheduled_jobs_failed_today",
                            "Runs of the platform's scheduled jobs queued today that ended failed.",
                            value=JobRun.objects.filter(queued_at__gte=since, status=JobRun.Status.FAILED).count())


class _Registered:
    """Every registered collector, each called on its own: one that fails is left out and said to be down."""

    def describe(self) -> list[Metric]:
        return []  # nothing to check at registration: collect() runs only when scraped

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily("cleanrecord_metrics_collector_up", "1: the collector answered this scrape.",
                               labels=["collector"])
        for name, function in sorted(metrics.COLLECTORS.items()):
            try:
                families = list(function())
            except Exception:
                log.exception("metrics collector %s failed", name)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up


def registry() -> CollectorRegistry:
    """What one scrape exports: the latency histogram (every worker's under gunicorn) and the collectors."""
    scrape = CollectorRegistry(auto_describe=True)
    shared = os.environ.get(VARIABLE)
    if shared:
        MultiProcessCollector(scrape, path=shared)
    else:
        scrape.register(metrics.REQUEST_SECONDS)
    scrape.register(_Registered())
    return scrape


# -- who may read it -------------------------------------------------------------------------------------

def _bearer_matches(request: HttpRequest) -> bool:
    expected = conf.get("METRICS_TOKEN")
    scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
    return bool(expected) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                                                 expected.encode())


def _address_allowed(request: HttpRequest) -> bool:
    allowed = conf.get("METRICS_ADDRESSES")
    if not allowed:
        return False
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(entry, strict=False) for entry in allowed)


def may_read(request: HttpRequest) -> bool:
    return _bearer_matches(request) or _address_allowed(request) or is_office(request.user)


@require_GET
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not may_read(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
