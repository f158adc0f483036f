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
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.html import escape
from django.utils.translation import gettext as _

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


def _footer() -> dict[str, str]:
    return {"platform_name": conf.get("PLATFORM_NAME"), "sponsor": conf.get("SPONSOR"), "contact": conf.get("CONTACT"),
            "icp": conf.get("ICP")}


CJK = re.compile(r"[\u4e00-\u9fff]")


def _reason(exception: Exception | None) -> str:
    """A refusal's own message when it is one written for people (Chinese): "未找到该经营主体", "账号未绑定报送部门".
    Django's own (get_object_or_404's "No Entity matches the given query.") are for developers: left out."""
    text = str(exception) if exception is not None and exception.args else ""
    return text if CJK.search(text) else ""


def _client_error(template: str, status: int) -> Callable[..., HttpResponse]:
    def handler(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        return render(request, template, {"reason": _reason(exception), "request_id": current_id(request)},
                      status=status)

    handler.__name__ = f"client_error_{status}"
    return handler


# The site's 400, 403 and 404 pages (urls.py names them): in the site's frame, in Chinese, with the request id.
bad_request = _client_error("400.html", 400)
permission_denied = _client_error("403.html", 403)
page_not_found = _client_error("404.html", 404)


def current_id(request: HttpRequest) -> str:
    return getattr(request, "request_id", None) or current.get()


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page with the request's id. Rendered without context processors: whatever failed (the
    database, most often) must not fail the error page too."""
    request_id = current_id(request)
    try:
        body = loader.get_template("500.html").render({"request_id": request_id, **_footer()})
    except Exception:
        log.exception("the error page itself failed")
        body = (f"<!doctype html><meta charset=utf-8><h1>{escape(_('服务器内部错误'))}</h1>"
                f"<p>{escape(_('错误编号：'))}{escape(request_id)}</p>")
    return HttpResponseServerError(body)
