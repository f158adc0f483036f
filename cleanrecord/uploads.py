"""Request bodies refused by size before they are read.

A route that takes a file has its own limit (the import file, the PDF to verify, an objection's
evidence); every other route takes no more than a form. The middleware answers 413 from the
Content-Length header alone, before anything reads the body (nothing reaches a temporary file);
the upload handler stops a body that arrives without one (chunked) once it passes the same limit.
A view that checks a file's size before reading it (the file verification, which logs and words
its own verdict) is given the file unread instead: its size, no content.
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from cleanrecord import conf

# Form fields, multipart boundaries and, for an import through the API, its mapping file.
FORM_MARGIN = 1024 * 1024

# URL name → (setting with the largest file, setting with the number of files, or 1)
ROUTE_LIMITS: dict[str, tuple[str, str | int]] = {
    "imports": ("IMPORT_MAX_BYTES", 1),
    "create_import": ("IMPORT_MAX_BYTES", 1),
    "verify-file": ("VERIFY_MAX_FILE_BYTES", 1),
    "verify_file": ("VERIFY_MAX_FILE_BYTES", 1),
    "objection-new": ("OBJECTION_EVIDENCE_MAX_BYTES", "OBJECTION_EVIDENCE_MAX_FILES"),
}


# Views that answer an over-limit upload in their own words, given it unread (UnreadUpload): they
# look at its size before its content. Their file field is named "file".
ANSWERED_BY_VIEW = {"verify-file", "verify_file"}


class UnreadUpload(UploadedFile):
    """An upload the middleware did not read: the size its request declared, and no content."""

    def __init__(self, size: int):
        super().__init__(io.BytesIO(), name="upload", content_type="application/octet-stream", size=size)


def _route(path_info: str):
    try:
        return resolve(path_info)
    except Resolver404:
        return None


def body_limit(path_info: str, match=None) -> tuple[int, int]:
    """(largest body accepted on this path, largest single file it names in the message)."""
    match = match or _route(path_info)
    name = match.url_name if match else None
    if name in ROUTE_LIMITS:
        size_setting, count = ROUTE_LIMITS[name]
        size = conf.get(size_setting)
        files = conf.get(count) if isinstance(count, str) else count
        return size * files + FORM_MARGIN, size
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE + FORM_MARGIN, settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _megabytes(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n < 1 << 30 else f"{n / (1 << 30):.1f} GB"


def too_large(request: HttpRequest, size: int, file_limit: int) -> HttpResponse:
    message = _("上传内容过大（本次 %(size)s）：此处单个文件不能超过 %(limit)s") % {
        "size": _megabytes(size), "limit": _megabytes(file_limit)}
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=413, json_dumps_params={"ensure_ascii": False})
    else:
        response = render(request, "front/too_large.html", {"message": message}, status=413)
    return response


class ContentLengthLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        # The common request has no body or a small one: the route is looked up only for a larger one.
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            match = _route(request.path_info)
            limit, file_limit = body_limit(request.path_info, match)
            if length > limit:
                if match is not None and match.url_name in ANSWERED_BY_VIEW and request.method == "POST":
                    # The body stays unread: the view sees the form empty and the file by its size alone.
                    # Django's private cache of the parsed body (not in its stubs): once set, the body is never read.
                    request._post = QueryDict()  # type: ignore[attr-defined]
                    request._files = MultiValueDict({"file": [UnreadUpload(length)]})  # type: ignore[attr-defined]
                    return match.func(request, *match.args, **match.kwargs)
                return too_large(request, length, file_limit)
        return self.get_response(request)


class SizeLimitUploadHandler(FileUploadHandler):
    """Counts the bytes of a multipart body as they arrive and stops past the route's limit (a body
    without Content-Length, which the middleware could not judge). Passes every chunk on."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit, _ = body_limit(self.request.path_info)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
