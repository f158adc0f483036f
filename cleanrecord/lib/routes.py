"""A request named by the URL pattern that answers it, never by its path, for logs and metrics.

A path may hold a credit code, a report's verification code or a person's ID number; the pattern
(`entities/<str:code>/`) holds none of them and groups alike requests.
"""

import logging

from django.http import HttpRequest
from django.urls import Resolver404, resolve

UNMATCHED = "unmatched"  # no URL pattern matches: the path itself is never written
HOME = "/"  # the home page, whose pattern is the empty string


def route_of(request: HttpRequest) -> str:
    """The URL pattern that answered `request`, as the URLconf spells it."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        # Answered by a middleware before the URL was resolved (a 400, a 413): resolve it here.
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return UNMATCHED
    if match.route == "" and match.url_name:
        return HOME
    return match.route or UNMATCHED


class PathsAsRoutes(logging.Filter):
    """Django's own records about a request name its path ("Internal Server Error: /entities/9162…/"):
    the path becomes the URL pattern, so that the log holds no code or ID number from it."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest) and isinstance(record.args, tuple):
            paths = {request.path, request.path.encode("unicode_escape").decode("ascii")}
            record.args = tuple(route_of(request) if arg in paths else arg for arg in record.args)
        return True
