import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from cleanrecord.testing.actors import (  # noqa: F401  (the named actors every app's tests share)
    alice,
    amr,
    amr_clerk,
    auditor,
    bank_organisation,
    bank_user,
    bob,
    carol,
    dave,
    office_admin,
    office_user,
    outsider,
    superuser,
    tax,
    tax_clerk,
)
from cleanrecord.testing.browser import browser  # noqa: F401  (a fixture for the browser tests)
from cleanrecord.testing.concurrency import shared_database  # noqa: F401  (for tests that start threads)
from cleanrecord.testing.oidc import Provider, start_provider
from cleanrecord.testing.tasks import (  # noqa: F401  (tasks run at once, unless a test asks for the real queue)
    _tasks_run_at_once,
    database_tasks,
)


@pytest.fixture(scope="session", autouse=True)
def _isolated_data_dir(tmp_path_factory):
    """Each test session keeps its files (keys, error files, reports) in a directory of its own."""
    from django.conf import settings

    folder = tmp_path_factory.mktemp("cleanrecord-data")
    settings.DATA_DIR = folder
    settings.CLEANRECORD["IMPORT_DIR"] = str(folder / "imports")
    settings.CLEANRECORD["REPORT_DIR"] = str(folder / "reports")
    settings.CLEANRECORD["EVIDENCE_DIR"] = str(folder / "evidence")
    # Uploads waiting to be read or imported: a second test run at the same time must not sweep this one's.
    settings.CLEANRECORD["TEMP_DIR"] = str(folder / "tmp")
    # Verification log entries go into the database in their request: a test's reports live in its transaction,
    # which the batching thread's connection would not see. The servers the tests start (gunicorn) batch, as
    # deployed; cleanrecord/verification/tests/test_journal.py tests the batching there.
    settings.CLEANRECORD["VERIFY_LOG_BATCH_SECONDS"] = 0


@pytest.fixture
def oidc_provider(settings) -> Iterator[Provider]:
    """A real OpenID Connect provider on a free local port (cleanrecord/testing/oidc.py), and the platform
    configured to sign entities in through it."""
    with start_provider() as provider:
        settings.CLEANRECORD = {**settings.CLEANRECORD, **provider.settings()}
        yield provider


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database starts with the region, the 38 domains and the departments loaded, and the
    signing keys made and recorded (as `make run` does on its first start)."""
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)
        call_command("signing_keys", "init", verbosity=0)
        _calendar_covers_this_year()


def _calendar_covers_this_year() -> None:
    """The tests run on today's date. When the chinese-calendar package does not know this year yet (its release
    lags the State Council's notice), the test database has the year as the office would enter it — with New
    Year's Day only — so that /readyz and the deadlines do not start failing on 1 January."""
    from django.utils import timezone

    from cleanrecord.workdays.models import CalendarYear
    from cleanrecord.workdays.services import Entry, set_year, sync_package

    year = timezone.localdate().year
    sync_package()
    if not CalendarYear.objects.filter(year=year).exists():
        set_year(year, [Entry(dt.date(year, 1, 1), working=False)], note="测试：元旦")


@pytest.fixture(scope="session", autouse=True)
def _live_server_one_request_at_a_time_on_sqlite():
    """On SQLite the live server's threads share the test's one in-memory connection (Django's
    connections_override), and two requests using it at once hang (a browser's dashboard fetch beside its
    favicon's 404 page, which loads the signed-in user for the menu). There the live server answers one request
    at a time, closing each connection, as `runserver --nothreading` does; PostgreSQL's stays threaded."""
    from django.core.servers.basehttp import WSGIServer
    from django.db import connection
    from django.test.testcases import LiveServerThread

    class OneAtATime(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)  # the live server's own thread holds the shared connection

    if connection.vendor == "sqlite":
        LiveServerThread.server_class = OneAtATime


@pytest.fixture(autouse=True)
def _signing_root_in_transactional_tests(request, django_db_blocker):
    """A transactional test starts from a flushed database: record the session's signing root again, or
    every report it issues would be refused (the key folder is there, its root no longer recorded)."""
    marker = request.node.get_closest_marker("django_db")
    if (marker and marker.kwargs.get("transaction")) or {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("django_db_setup")
        with django_db_blocker.unblock():
            call_command("signing_keys", "init", verbosity=0)
            _calendar_covers_this_year()


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """The working-day calendar is cached per process; a test's calendar must not leak into the next."""
    from cleanrecord.workdays.services import forget

    forget()
    yield
    forget()


def pytest_collection_modifyitems(config, items):
    """A test that drives Chromium (uses the `browser` fixture, directly or through another fixture) must carry
    the `browser` marker: `make test-quick` leaves out exactly the marked tests."""
    unmarked = [item.nodeid for item in items
                if "browser" in getattr(item, "fixturenames", ()) and item.get_closest_marker("browser") is None]
    if unmarked:
        raise pytest.UsageError("browser tests without the `browser` marker: " + ", ".join(unmarked))


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (verification's answers): SQLite reuses ids a rolled-back test took."""
    from django.core.cache import cache

    cache.clear()
