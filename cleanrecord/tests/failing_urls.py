"""The platform's URLconf plus a page that fails, for the tests of what an error leaves in the log."""

from django.urls import path

from cleanrecord.urls import handler500, urlpatterns  # noqa: F401  (the same error page)


def boom(request, code):
    raise RuntimeError("something broke")


urlpatterns = [path("boom/<str:code>", boom, name="boom"), *urlpatterns]
