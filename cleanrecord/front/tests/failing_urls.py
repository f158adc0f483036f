"""The site's URLconf plus views that fail, for the tests of unhandled errors and of the error pages."""

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import path

from cleanrecord.urls import handler400, handler403, handler404, handler500
from cleanrecord.urls import urlpatterns as site_urls

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


class DatabaseGone(Exception):
    pass


def refuse_queries(execute, sql, params, many, context):
    raise DatabaseGone("the database went away")


def fails(request):
    raise ZeroDivisionError("a bug in a view")


def fails_without_database(request):
    """The database goes away mid-request (the test takes the wrapper off again): the error page must not need it."""
    connection.execute_wrappers.append(refuse_queries)
    raise ZeroDivisionError("a bug in a view, and no database")


def refuses(request):
    raise PermissionDenied


urlpatterns = [path("test-only/fails", fails), path("test-only/fails-without-database", fails_without_database),
               path("test-only/refuses", refuses), *site_urls]
