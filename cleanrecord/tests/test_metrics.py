"""/metrics: what a scrape shows after reports are issued and verified and a file is imported, who may read
it, and the latency histogram summed over the web server's worker processes."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from cleanrecord.lib import metrics as lib_metrics
from cleanrecord.lib.metricsdir import VARIABLE, prepare
from cleanrecord.objections.models import Objection
from cleanrecord.records.tests.uploads import penalty_csv
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import entity
from cleanrecord.workdays.services import working_days_between

TOKEN = "scrape-token-0123456789abcdef"


def scrape(client: Client, **headers) -> dict[tuple[str, frozenset], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.content.decode())
            for s in family.samples}


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def office(office_user) -> Client:
    client = Client()
    client.force_login(office_user)
    return client


# -- what a scrape counts --------------------------------------------------------------------------------

@pytest.mark.pdf
@pytest.mark.django_db
def test_a_scrape_counts_reports_verifications_imports_and_the_oldest_open_objection(office, amr_clerk, amr):
    before = scrape(office)
    company = entity()
    web = issue_report(credit_code=company.credit_code, domains="all", purpose="finance", channel="web")
    issue_report(credit_code=company.credit_code, domains="all", purpose="finance", channel="api")
    issue_report(credit_code=company.credit_code, domains="all", purpose="finance", channel="api")
    anyone = Client()
    assert anyone.get(f"/api/v1/verify/{web.verification_code}").status_code == 200
    assert anyone.get(f"/verify/{web.verification_code}").status_code == 200
    assert anyone.get("/verify/ABCDEFGHJKMNPQRSTVWX").status_code == 404
    clerk = Client()
    clerk.force_login(amr_clerk)
    rows = penalty_csv(amr, {"code": company.credit_code, "name": company.name}, {"code": "91620102NOTACODE0"})
    imported = clerk.post("/api/v1/imports", {"kind": "penalty",
                                              "file": SimpleUploadedFile("p.csv", rows, "text/csv")})
    assert imported.status_code == 200, imported.content
    assert imported.json()["rows_rejected"] == 1
    opened = timezone.now() - dt.timedelta(days=20)
    Objection.objects.create(kind="penalty", record_id=1, subject_key=company.credit_code, department=amr,
                             opened_at=opened)
    Objection.objects.create(kind="penalty", record_id=2, subject_key=company.credit_code, department=amr,
                             opened_at=opened - dt.timedelta(days=30), status=Objection.Status.CLOSED)

    after = scrape(office)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("cleanrecord_reports_issued_total", channel="web") == 1
    assert grew("cleanrecord_reports_issued_total", channel="api") == 2
    assert grew("cleanrecord_verifications_total", channel="api", result="authentic") == 1
    assert grew("cleanrecord_verifications_total", channel="page", result="authentic") == 1
    assert grew("cleanrecord_verifications_total", channel="page", result="not_found") == 1
    assert grew("cleanrecord_import_rows_total", department="amr", outcome="accepted") == 1
    assert grew("cleanrecord_import_rows_total", department="amr", outcome="rejected") == 1
    assert value(after, "cleanrecord_objections_open") == 1
    age = value(after, "cleanrecord_objection_oldest_open_working_days")
    assert age == working_days_between(timezone.localdate(opened), timezone.localdate()) >= 10
    # The latency histogram names URL patterns, never a path: no verification code and no credit code.
    assert value(after, "cleanrecord_http_request_duration_seconds_count", route="verify/<str:code>", method="GET",
                 status="200") >= 1
    assert value(after, "cleanrecord_http_request_duration_seconds_count", route="verify/<str:code>", method="GET",
                 status="404") >= 1
    text = office.get("/metrics").content.decode()
    assert web.verification_code not in text and company.credit_code not in text
    assert value(after, "cleanrecord_metrics_collector_up", collector="reports") == 1


@pytest.mark.django_db
def test_with_nothing_open_the_oldest_objection_is_zero_and_an_apps_own_collector_is_exported(office):
    from prometheus_client.core import GaugeMetricFamily

    @lib_metrics.collector("test_queue")
    def queue():
        yield GaugeMetricFamily("cleanrecord_test_queue_depth", "Tasks waiting.", value=7)

    @lib_metrics.collector("test_broken")
    def broken():
        raise RuntimeError("the queue table is gone")

    try:
        found = scrape(office)
    finally:
        del lib_metrics.COLLECTORS["test_queue"], lib_metrics.COLLECTORS["test_broken"]
    assert value(found, "cleanrecord_objection_oldest_open_working_days") == 0
    assert value(found, "cleanrecord_test_queue_depth") == 7
    assert value(found, "cleanrecord_metrics_collector_up", collector="test_queue") == 1
    assert value(found, "cleanrecord_metrics_collector_up", collector="test_broken") == 0
    assert value(found, "cleanrecord_metrics_collector_up", collector="verifications") == 1


# -- who may read it ---------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_only_the_office_a_token_or_a_listed_address_reads_the_metrics(settings, office, amr_clerk, auditor):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "METRICS_TOKEN": TOKEN, "METRICS_ADDRESSES": ["10.1.2.0/24"]}
    assert office.get("/metrics").status_code == 200
    assert Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert Client(REMOTE_ADDR="10.1.2.7").get("/metrics").status_code == 200

    assert Client().get("/metrics").status_code == 403
    assert Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 403
    assert Client().get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 403
    assert Client(REMOTE_ADDR="10.1.3.7").get("/metrics").status_code == 403
    for user in (amr_clerk, auditor):
        client = Client()
        client.force_login(user)
        assert client.get("/metrics").status_code == 403
    assert Client().post("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 405


@pytest.mark.django_db
def test_without_a_token_set_no_bearer_opens_it_and_a_forwarded_address_counts_only_from_a_trusted_proxy(settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "METRICS_TOKEN": "", "METRICS_ADDRESSES": ["10.1.2.7"],
                            "TRUSTED_PROXIES": ["192.0.2.10"]}
    assert Client().get("/metrics", headers={"Authorization": "Bearer "}).status_code == 403
    spoofed = Client(REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="10.1.2.7")
    assert spoofed.get("/metrics").status_code == 403
    proxied = Client(REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="10.1.2.7")
    assert proxied.get("/metrics").status_code == 200


# -- gunicorn's workers are separate processes: their timings add up -----------------------------------

WORKER = """
from cleanrecord.lib.metrics import REQUEST_SECONDS
REQUEST_SECONDS.labels("verify/<str:code>", "GET", "200").observe(0.03)
REQUEST_SECONDS.labels("verify/<str:code>", "GET", "200").observe(0.2)
"""


@pytest.mark.django_db
def test_the_latency_histogram_adds_up_every_worker_process(office, tmp_path, monkeypatch):
    shared = tmp_path / "metrics"
    (shared).mkdir()
    (shared / "histogram_999999.db").write_bytes(b"left by the server before")
    environ = dict(os.environ)
    prepare(shared, environ)  # what gunicorn.conf.py's on_starting does in the master
    assert list(shared.iterdir()) == [] and environ[VARIABLE] == str(shared)
    for _worker in range(2):  # two worker processes, each answering two requests
        subprocess.run([sys.executable, "-c", WORKER], env=environ, cwd=settings.BASE_DIR, check=True)
    assert len(list(shared.glob("histogram_*.db"))) == 2

    monkeypatch.setenv(VARIABLE, str(shared))  # this process now scrapes as a worker of that server
    found = scrape(office)

    labels = {"route": "verify/<str:code>", "method": "GET", "status": "200"}
    assert value(found, "cleanrecord_http_request_duration_seconds_count", **labels) == 4
    assert value(found, "cleanrecord_http_request_duration_seconds_bucket", le="0.05", **labels) == 2
    assert value(found, "cleanrecord_http_request_duration_seconds_sum", **labels) == pytest.approx(0.46)
    assert value(found, "cleanrecord_reports_issued_total", channel="web") == 0  # the database's figures too
    assert value(found, "cleanrecord_metrics_collector_up", collector="reports") == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_the_task_queue_shows_what_waits_for_the_worker(office):
    from cleanrecord.accounts.tasks import send_notification_mail

    before = scrape(office)
    assert value(before, "cleanrecord_tasks_queued") == 0
    assert value(before, "cleanrecord_tasks_oldest_queued_seconds") == 0

    send_notification_mail.enqueue([], [])
    send_notification_mail.enqueue([], [])
    found = scrape(office)

    assert value(found, "cleanrecord_tasks_queued") == 2
    assert value(found, "cleanrecord_tasks_running") == 0
    assert value(found, "cleanrecord_tasks_oldest_queued_seconds") >= 0
    assert value(found, "cleanrecord_scheduled_jobs_failed_today") == 0
    assert value(found, "cleanrecord_metrics_collector_up", collector="tasks") == 1
