"""What /metrics exports, fed from any layer: the request-latency histogram and a registry of collectors.

An app adds its own figures by registering a collector, a function called at every scrape that yields
prometheus-client metric families (a gauge of its queue, say); it reads what it reports from the database
then, so that every web worker answers the same:

    from prometheus_client.core import GaugeMetricFamily
    from cleanrecord.lib.metrics import collector

    @collector("tasks")
    def queue_depth():
        yield GaugeMetricFamily("cleanrecord_tasks_queued", "Tasks waiting to run.", value=Task.objects.count())

A collector that fails is left out of that scrape (and logged); the others still answer.

The histogram is observed once per request by cleanrecord.requestlog. Under gunicorn, whose workers are
separate processes, prometheus-client's multiprocess mode adds up every worker's observations: each
process writes its own into a memory-mapped file in CLEANRECORD_METRICS_DIR and /metrics reads them all.
The mode is chosen when prometheus-client is first imported, from PROMETHEUS_MULTIPROC_DIR, which the
gunicorn master sets (cleanrecord.lib.metricsdir, from gunicorn.conf.py) before its workers start.
"""

from collections.abc import Callable, Iterable

from prometheus_client import Histogram
from prometheus_client.metrics_core import Metric

Collector = Callable[[], Iterable[Metric]]

COLLECTORS: dict[str, Collector] = {}


def collector(name: str) -> Callable[[Collector], Collector]:
    """Register `function` as the collector `name` (a later registration under the same name replaces it)."""

    def register(function: Collector) -> Collector:
        COLLECTORS[name] = function
        return function

    return register


# Seconds from the first middleware to the response, by the URL pattern that answered (never the path
# itself: it may hold a credit code or a report's verification code). Buckets up to two minutes: a large
# upload is read within its request.
REQUEST_SECONDS = Histogram(
    "cleanrecord_http_request_duration_seconds",
    "Time to answer a request, by URL pattern, method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
    registry=None,  # exported by cleanrecord.metrics, from this process or from every worker's file
)
