"""Refusing control characters before any view sees them.

PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"), so a NUL that reaches a query
turns into a 500; other C0 controls are never part of a code, a name or a date. The path, query
string and cookies may hold none of them; a form or JSON body may hold tab, CR and LF (textareas),
nothing else. The multipart upload of a CSRF-exempt view (the API's) is left to that view: reading it
here would read the whole upload before the view's own size checks.
"""

import json

from django.http import HttpResponse, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from cleanrecord.lib.text import has_control

MESSAGE = gettext_lazy("请求中含有不允许的控制字符（如 NUL），请删除后重试")


def _json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)


def _refuse(request, message: str | Promise = MESSAGE) -> HttpResponse:
    message = str(message)  # a lazy message in the request's language
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


class RejectControlCharacters:
    """The path, query string and cookies: checked before sessions read a cookie or a view a parameter."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (has_control(request.path_info) or has_control(request.META.get("QUERY_STRING", ""))
                or any(has_control(s) for k, vs in request.GET.lists() for s in (k, *vs))
                or any(has_control(k) or has_control(v) for k, v in request.COOKIES.items())):
            return _refuse(request)
        return self.get_response(request)


class RejectControlCharactersInBodies:
    """Form fields and JSON strings, checked just before the view (after the CSRF check, which parses a
    form anyway). A CSRF-exempt view's multipart upload is left to that view, which may limit its size
    before reading it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        content_type = request.content_type or ""
        exempt = getattr(view_func, "csrf_exempt", False)
        if content_type == "application/x-www-form-urlencoded" or (content_type == "multipart/form-data" and not exempt):
            if any(has_control(k) or has_control(v, text=True) for k, vs in request.POST.lists() for v in vs):
                return _refuse(request)
            if any(has_control(f.name or "") for f in request.FILES.values()):
                return _refuse(request)
        elif content_type == "application/json" or content_type.endswith("+json"):
            try:
                data = json.loads(request.body or b"null")
                hostile = any(has_control(s, text=True) for s in _json_strings(data))
            except (ValueError, UnicodeDecodeError):
                return None  # the API answers malformed JSON itself
            except RecursionError:  # thousands of nested brackets: no body of ours is like that
                return _refuse(request, gettext("请求内容嵌套过深"))
            if hostile:
                return _refuse(request)
        return None
