"""A request id for every request: on the response, in every log line written meanwhile, on the error page.

Whoever reports an error quotes the id printed on the page ("错误编号"), and the operator finds the
traceback logged under it. When a trusted proxy (CLEANRECORD_TRUSTED_PROXIES) sets X-Request-ID, the
proxy's id is kept, so that its access log and ours line up; a value that is not a plain token is
never trusted, so a client cannot write arbitrary text into the log.
"""

import contextvars
import logging
import re
import uuid

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

from cleanrecord import conf
from cleanrecord.lib.clientip import from_trusted_proxy

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,99}")
NO_REQUEST = "-"

current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)

log = logging.getLogger("cleanrecord.requests")


def request_id_for(request: HttpRequest) -> str:
    incoming = request.META.get(META_KEY, "")
    if SANE.fullmatch(incoming) and from_trusted_proxy(request):
        return incoming
    return uuid.uuid4().hex


def middleware(get_response):
    """First in MIDDLEWARE, so that everything after it, and Django's own error logging, sees the id."""

    def handle(request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]  # our own attribute, read by server_error
        token = current.set(request_id)
        try:
            response = get_response(request)
        finally:
            current.reset(token)
        response[HEADER] = request_id
        return response

    return handle


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on each record (as `request_id`; "-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django logs a 4xx after the middleware has returned: its record carries the request, and so the id.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or current.get()
        return True


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page with the request's id. Rendered without context processors: whatever failed (the
    database, most often) must not fail the error page too."""
    request_id = getattr(request, "request_id", None) or current.get()
    try:
        body = loader.get_template("500.html").render({
            "request_id": request_id,
            "platform_name": conf.get("PLATFORM_NAME"),
        })
    except Exception:
        log.exception("the error page itself failed")
        body = f"<!doctype html><meta charset=utf-8><h1>服务器内部错误</h1><p>错误编号：{request_id}</p>"
    return HttpResponseServerError(body)
