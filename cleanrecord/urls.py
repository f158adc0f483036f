from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from cleanrecord import health, metrics
from cleanrecord.api import api

# The error pages: Chinese, in the site's frame, with the request id the log holds the details under.
handler400 = "cleanrecord.requestid.bad_request"
handler403 = "cleanrecord.requestid.permission_denied"
handler404 = "cleanrecord.requestid.page_not_found"
handler500 = "cleanrecord.requestid.server_error"

urlpatterns = [
    # Verification first: the busiest pages, matched before the rest of the site's patterns are tried.
    path("", include("cleanrecord.verification.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    # The language switch in every page's header: keeps the choice in the language cookie. Without a CSRF token,
    # so that a page a visitor without a session sees (the verification page) is the same for every such visitor
    # and can be cached; the worst a forged post can do is switch someone's display language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("audit/", include("cleanrecord.audit.urls")),
    path("", include("cleanrecord.jobs.urls")),
    path("", include("cleanrecord.quality.urls")),
    path("", include("cleanrecord.freshness.urls")),
    path("", include("cleanrecord.workdays.urls")),
    path("", include("cleanrecord.objections.urls")),
    path("", include("cleanrecord.matters.urls")),
    path("", include("cleanrecord.acceptance.urls")),
    path("", include("cleanrecord.reports.urls")),
    path("", include("cleanrecord.records.urls")),
    path("", include("cleanrecord.accounts.urls")),
    path("", include("cleanrecord.signin.urls")),
    path("", include("cleanrecord.front.urls")),
]
