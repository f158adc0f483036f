"""Refusing control characters before any view sees them.

PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"), so a NUL that reaches a query
turns into a 500; other C0 controls are never part of a code, a name or a date. The path, query
string and cookies may hold none of them; a form or JSON body may hold tab, CR and LF (textareas),
nothing else. Multipart bodies (uploads) are left to the views' forms: reading one here would read the
whole upload before the view's own size checks.
"""

import json
import re

from django.http import HttpResponse, JsonResponse

# C0 controls and DEL; tab, LF and CR are line breaks in a textarea, but never part of a path or query.
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MESSAGE = "请求中含有不允许的控制字符（如 NUL），请删除后重试"


def has_control(value: str, *, text: bool = False) -> bool:
    """Whether `value` holds a control character; `text` allows tab, CR and LF."""
    return bool((_CONTROL_IN_TEXT if text else _ANY_CONTROL).search(value))


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


def _refuse(request) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": MESSAGE}, status=400, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(MESSAGE, status=400, content_type="text/plain; charset=utf-8")


class RejectControlCharacters:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (has_control(request.path_info) or has_control(request.META.get("QUERY_STRING", ""))
                or any(has_control(s) for k, vs in request.GET.lists() for s in (k, *vs))
                or any(has_control(k) or has_control(v) for k, v in request.COOKIES.items())):
            return _refuse(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        content_type = request.content_type or ""
        if content_type == "application/x-www-form-urlencoded":
            if any(has_control(k) or has_control(v, text=True) for k, vs in request.POST.lists() for v in vs):
                return _refuse(request)
        elif content_type == "application/json" or content_type.endswith("+json"):
            try:
                data = json.loads(request.body or b"null")
            except (ValueError, UnicodeDecodeError):
                return None  # the API answers malformed JSON itself
            if any(has_control(s, text=True) for s in _json_strings(data)):
                return _refuse(request)
        return None
