"""One log line per request — request id, role, URL pattern, method, status, milliseconds — as text or JSON,
with no credit code, ID number or username in it; and a 500's lines carry the id its error page shows."""

import io
import json
import logging
import os
import re
import subprocess
import sys
from typing import cast

import pytest
from django.conf import settings
from django.test import Client
from django.utils.module_loading import import_string

from cleanrecord.reports.tests.factories import entity
from cleanrecord.testing.actors import make_entity_user

# A resident ID number (valid check digit) used as a username, as some deployments do, and searched for.
PERSON_ID = "11010519491231002X"


def _formatter(name: str) -> logging.Formatter:
    formatters = cast(dict[str, dict], settings.LOGGING["formatters"])
    spec = dict(formatters[name])
    if "()" in spec:
        return import_string(spec.pop("()"))(**spec)
    return logging.Formatter(spec["format"])


@pytest.fixture
def log_lines():
    """What the console handler, as settings.LOGGING builds it, writes for the platform's and Django's loggers."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    for spec in settings.LOGGING["handlers"]["console"]["filters"]:
        handler.addFilter(import_string(settings.LOGGING["filters"][spec]["()"])())
    loggers = [logging.getLogger(name) for name in ("cleanrecord", "django")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)

    def lines(fmt: str = "json") -> Lines:
        handler.setFormatter(_formatter(fmt))
        stream.seek(0)
        stream.truncate()
        return Lines(stream, fmt)

    yield lines
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


class Lines:
    def __init__(self, stream: io.StringIO, fmt: str):
        self.stream, self.fmt = stream, fmt

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def parsed(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines()]

    def requests(self) -> list[dict]:
        return [line for line in self.parsed() if line["logger"] == "cleanrecord.access"]


@pytest.mark.django_db
def test_each_request_writes_one_json_line_with_role_and_route_and_no_codes_or_ids(log_lines):
    company = entity()
    person = make_entity_user(PERSON_ID, company)
    client = Client()
    client.force_login(person)
    lines = log_lines("json")

    page = client.get(f"/entities/{company.credit_code}/")
    search = client.get("/entities/", {"q": PERSON_ID})
    missing = client.get(f"/no-such-page/{company.credit_code}")
    home = client.get("/")

    assert (page.status_code, search.status_code, missing.status_code, home.status_code) == (200, 200, 404, 200)
    first, second, third, fourth = lines.requests()
    assert first == {"level": "INFO", "logger": "cleanrecord.access", "request_id": page["X-Request-ID"],
                     "message": f"GET entities/<str:code>/ 200 {first['duration_ms']:.1f} ms role=entity_user",
                     "event": "request", "route": "entities/<str:code>/", "method": "GET", "status": 200,
                     "duration_ms": first["duration_ms"], "role": "entity_user", "timestamp": first["timestamp"]}
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert (second["route"], second["request_id"]) == ("entities/", search["X-Request-ID"])
    # The 404 page is in the site's frame, with the user's own menu: it knows who asked, and so does the log.
    assert (third["route"], third["status"], third["role"]) == ("unmatched", 404, "entity_user")
    assert (fourth["route"], fourth["status"]) == ("/", 200)  # the home page's pattern is empty, not unmatched
    assert PERSON_ID not in lines.text and PERSON_ID.lower() not in lines.text
    assert company.credit_code not in lines.text


@pytest.mark.django_db
def test_roles_name_the_kind_of_user_never_the_user(log_lines, office_user, amr_clerk, auditor, outsider):
    lines = log_lines("json")
    Client().get("/")
    for user in (office_user, amr_clerk, auditor, outsider):
        client = Client()
        client.force_login(user)
        client.get("/")
    assert [line["role"] for line in lines.requests()] == ["anonymous", "office", "clerk", "auditor", "user"]
    for user in (office_user, amr_clerk, auditor, outsider):
        assert user.username not in lines.text


@pytest.mark.django_db
def test_an_api_token_logs_its_owners_role(log_lines, amr_clerk):
    from cleanrecord.accounts.tokens import create_token

    _token, text = create_token(owner=amr_clerk, name="feed", scopes="imports:write")
    lines = log_lines("json")
    response = Client(headers={"Authorization": f"Bearer {text}"}).get("/api/v1/imports/999999")
    assert response.status_code == 404
    line, django_said = lines.parsed()
    assert (line["role"], line["route"], line["status"]) == ("clerk", "api/v1/imports/<batch_id>", 404)
    # Django's own line about the 404, written after the middleware returned, has the request's id too.
    assert (django_said["message"], django_said["request_id"]) == ("Not Found: api/v1/imports/<batch_id>",
                                                                   response["X-Request-ID"])
    assert text not in lines.text


@pytest.mark.django_db
def test_as_text_the_line_has_the_same_facts(log_lines):
    lines = log_lines("text")
    response = Client().get("/verify")
    assert re.fullmatch(rf"\S+ \S+ INFO cleanrecord.access \[{response['X-Request-ID']}\] GET verify 200 [0-9.]+ ms "
                        r"role=anonymous\n", lines.text)


@pytest.mark.django_db
def test_a_made_up_method_is_logged_and_counted_as_other(log_lines):
    lines = log_lines("json")
    assert Client().generic("FOOBAR", "/verify").status_code == 405
    (line,) = lines.requests()
    assert (line["method"], line["route"], line["status"]) == ("OTHER", "verify", 405)


@pytest.mark.django_db
def test_probes_and_scrapes_are_logged_only_at_debug_when_they_succeed(log_lines):
    lines = log_lines("json")
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/metrics").status_code == 403
    assert [(line["route"], line["status"]) for line in lines.requests()] == [("metrics", 403)]


@pytest.mark.django_db
@pytest.mark.urls("cleanrecord.tests.failing_urls")
def test_a_500_logs_the_error_and_the_request_under_the_id_its_page_shows(log_lines):
    lines = log_lines("json")

    response = Client(raise_request_exception=False).get(f"/boom/{PERSON_ID}")

    assert response.status_code == 500
    shown = re.search(r"错误编号：([0-9a-f]{32})", response.content.decode()).group(1)
    assert shown == response["X-Request-ID"]
    error, request = lines.parsed()
    assert (error["logger"], error["level"], error["request_id"]) == ("django.request", "ERROR", shown)
    assert error["message"] == "Internal Server Error: boom/<str:code>"
    assert "RuntimeError: something broke" in error["exc_info"] and "request" not in error
    assert (request["logger"], request["level"], request["request_id"]) == ("cleanrecord.access", "ERROR", shown)
    assert (request["route"], request["status"]) == ("boom/<str:code>", 500)
    assert PERSON_ID not in lines.text


def test_the_setting_switches_the_console_to_json():
    program = ("import django, logging; django.setup(); "
               "logging.getLogger('cleanrecord.access').info('GET verify 200', extra={'route': 'verify'})")
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "cleanrecord.settings", "CLEANRECORD_LOG_FORMAT": "json",
               "CLEANRECORD_DATA_DIR": str(settings.DATA_DIR)}
    done = subprocess.run([sys.executable, "-c", program], env=environ, cwd=settings.BASE_DIR, capture_output=True,
                          text=True, check=True)
    line = json.loads(done.stderr)
    assert (line["level"], line["logger"], line["route"], line["request_id"]) == ("INFO", "cleanrecord.access",
                                                                                  "verify", "-")
    environ["CLEANRECORD_LOG_FORMAT"] = "xml"
    refused = subprocess.run([sys.executable, "-c", program], env=environ, cwd=settings.BASE_DIR, capture_output=True,
                             text=True)
    assert refused.returncode != 0 and "CLEANRECORD_LOG_FORMAT='xml'：应为 text、json 之一" in refused.stderr

