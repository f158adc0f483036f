"""The site's URLconf plus a view that fails, for the tests of unhandled errors."""

from django.urls import path

from cleanrecord.urls import handler500
from cleanrecord.urls import urlpatterns as site_urls

__all__ = ["handler500", "urlpatterns"]


def fails(request):
    raise ZeroDivisionError("a bug in a view")


urlpatterns = [path("test-only/fails", fails), *site_urls]
