"""An unhandled error, with DEBUG off: the visitor sees an id, the log holds the traceback under it."""

import logging
import re

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

FAILING_URLS = "cleanrecord.front.tests.failing_urls"


def console_handler() -> logging.Handler:
    (handler,) = [h for h in logging.getLogger("django").handlers if isinstance(h, logging.StreamHandler)]
    return handler


@override_settings(ROOT_URLCONF=FAILING_URLS, DEBUG=False)
def test_an_unhandled_error_shows_its_id_and_logs_the_traceback_under_it(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/test-only/fails")

    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    page = response.content.decode()
    assert f"错误编号：{request_id}" in page
    assert "服务器内部错误" in page and "ZeroDivisionError" not in page and "a bug in a view" not in page

    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.ERROR
    assert record.exc_info[0] is ZeroDivisionError
    assert record.request_id == request_id  # set by the console handler's filter: the record went there
    line = console_handler().format(record)
    assert f"[{request_id}]" in line
    assert "Traceback (most recent call last)" in line and "ZeroDivisionError: a bug in a view" in line


def test_every_response_carries_a_fresh_request_id(client):
    first, second = client.get("/verify"), client.get("/verify")
    assert first.status_code == second.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_clients_request_id_is_ignored_unless_a_proxy_is_trusted_to_set_it(client, settings):
    assert client.get("/verify", HTTP_X_REQUEST_ID="proxy-7f3a9c01")["X-Request-ID"] != "proxy-7f3a9c01"

    settings.CLEANRECORD = {**settings.CLEANRECORD, "TRUSTED_PROXIES": ["127.0.0.0/8"]}
    assert client.get("/verify", HTTP_X_REQUEST_ID="proxy-7f3a9c01")["X-Request-ID"] == "proxy-7f3a9c01"
    untrusted = client.get("/verify", HTTP_X_REQUEST_ID="proxy-7f3a9c01", REMOTE_ADDR="203.0.113.9")
    assert untrusted["X-Request-ID"] != "proxy-7f3a9c01"
    for insane in ("short", "has space in it", "x" * 101, "abcdefgh\nforged log line", "<script>alert(1)</script>"):
        answered = client.get("/verify", HTTP_X_REQUEST_ID=insane)["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", answered), insane


def test_log_lines_outside_a_request_say_so(caplog):
    with caplog.at_level(logging.INFO, logger="cleanrecord"):
        logging.getLogger("cleanrecord.test").warning("no request here")
    assert "[-] no request here" in console_handler().format(caplog.records[-1])
