"""Every page of the site, as each role sees it, checked by axe-core in Chromium (issue 17, point 7): no serious or
critical violation.

The pages come from the access matrix (cleanrecord/accounts/tests/test_access_matrix.py), whose rows cover every
route of the URLconf (`test_every_route_is_in_the_matrix` fails on a route without one): each GET row an actor opens
with a 200 is visited here as that actor, and its page checked if it is HTML. A new page is therefore checked as soon
as it has its row in the matrix; `test_every_route_is_visited_or_said_why_not` fails on a route this walk leaves out
without a reason below.
"""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import get_resolver
from playwright.sync_api import Browser

from cleanrecord.accounts.tests.actors import ANONYMOUS, Actors, build_actors
from cleanrecord.accounts.tests.test_access_matrix import ADMIN_PREFIX, ROWS, Row, _url_routes, api_operations
from cleanrecord.testing.browser import (
    axe_violations,
    collect_script_problems,
    describe_violations,
    needs_chromium,
    outside_the_browser_loop,
)

pytestmark = [pytest.mark.pdf, pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

# The roles whose pages are walked: the verifier (anonymous), an entity's user, a bank a report was granted to,
# the clerks of two departments, the credit office and the auditor (the matrix's outsider sees only public pages).
ROLES = (ANONYMOUS, "entity_a_user", "bank", "clerk_amr", "clerk_tax", "office", "auditor")
# Walked again in English (the language switch's cookie): the public pages, and an entity's (the report's
# requester, the likeliest to read the site in English).
IN_ENGLISH = (ANONYMOUS, "entity_a_user")

# Routes no role's walk opens as a page, and why.
NOT_PAGES = {
    "healthz": "a JSON answer for the load balancer",
    "readyz": "a JSON answer for the load balancer",
    "metrics": "Prometheus text for the monitoring",
    "trust/root.pem": "the signing root certificate, a file",
    "accounts/logout/": "POST only: the header's 退出 button (its page is the one it is on)",
    "i18n/setlang/": "POST only: the header's language switch",
    "my/entities/<str:code>/grants": "POST only: the grant form on /my/ (walked there)",
    "my/entities/<str:code>/grants/<int:grant_id>/revoke": "POST only: a button on /my/",
    "imports/confirm": "POST only: the preview's 确认导入 button",
    "my/entities/<str:code>/explanations/new/<int:record_id>/": "POST only: a form on the entity's records page",
    "office/jobs/<str:name>/run": "POST only: a button on /office/jobs/",
    "office/dashboard/recompute": "POST only: a button on the dashboard",
    "office/dashboard/data.json": "the dashboard's data, fetched by its script",
    "office/quality/<slug:code>/scorecard/send": "POST only: a button on the quality page",
    "department/quality/": "a redirect to the clerk's own department's page (walked)",
    "reports/<str:code>/pdf": "the signed PDF",
    "imports/<int:batch_id>/errors.csv": "a CSV download",
    "imports/<int:batch_id>/rejected.<str:file_format>": "a CSV/XLSX download",
    "office/quality/statistics.csv": "a CSV download",
    "office/quality/statistics.xlsx": "an XLSX download",
    "office/quality/<slug:code>/scorecard.pdf": "a PDF download",
    "office/quality/<slug:code>/scorecard.xlsx": "an XLSX download",
    "department/quality/<slug:code>/scorecard.pdf": "a PDF download",
    "department/quality/<slug:code>/scorecard.xlsx": "an XLSX download",
    "objections/<int:pk>/evidence/<int:file_id>/": "an evidence file the entity uploaded",
    "api/v1/openapi.json": "the API's schema (JSON)",
    "api/v1/": "no page (404): the API's root",
    "accounts/oidc/start/": "a redirect to the identity service's sign-in page (off unless configured: 404)",
    "accounts/oidc/callback/": "the identity service's redirect back (a redirect on, 404 unless configured)",
    "my/entities/<str:code>/staff/<int:pk>/withdraw": "POST only: a button on the staff authorisation page",
    "office/accounts/<int:user_id>/active": "POST only: the deactivate / reactivate button on an account's page",
    "office/accounts/<int:user_id>/password": "POST only: the reset button on an account's page (walked there)",
    "my/group-batches/<str:token>/zip": "a ZIP download (the group's reports and their summary)",
}
# Pages opened besides the matrix's rows: Django's error pages in the site's frame.
ERROR_PAGES = [(ANONYMOUS, "/no-such-page/", 404), ("clerk_amr", "/audit/", 403), ("entity_a_user", "/no-such/", 404)]


def visits(role: str) -> list[Row]:
    """The matrix's GET rows the role opens with a 200: every public page for the anonymous visitor, and the pages
    only signed-in users open (the role's own and everyone's) for a signed-in role, with the home page for its menu."""
    rows = [r for r in ROWS if r.method == "GET" and not r.api and r.route not in NOT_PAGES]
    if role == ANONYMOUS:
        return [r for r in rows if r.expected(ANONYMOUS) == 200]
    return [r for r in rows if (r.expected(role) == 200 and r.expected(ANONYMOUS) != 200) or r.route == ""]


def site_routes() -> set[str]:
    """The URLconf's routes but the admin's (Django's own pages, for the office's staff only) and the API's
    operations (JSON, no page)."""
    api_paths = {op.split(" ", 1)[1].lstrip("/").replace("{", "<").replace("}", ">") for op in api_operations()}
    return {r for r in _url_routes(get_resolver().url_patterns)
            if not r.startswith(ADMIN_PREFIX) and r not in api_paths}


def test_every_route_is_visited_or_said_why_not():
    visited = {r.route for role in ROLES for r in visits(role)}
    left_out = sorted(site_routes() - visited - set(NOT_PAGES))
    assert not left_out, f"routes the accessibility walk does not open, with no reason in NOT_PAGES: {left_out}"
    stale = sorted(set(NOT_PAGES) - site_routes())
    assert not stale, f"NOT_PAGES names routes that no longer exist: {stale}"


def _context(browser: Browser, base_url: str, actors: Actors, role: str, language: str = "zh-hans"):
    context = browser.new_context(locale="zh-CN", base_url=base_url, viewport={"width": 1200, "height": 900})
    if language != "zh-hans":
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}])
    if role != ANONYMOUS:
        with outside_the_browser_loop():
            session = actors.client(role).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])
    return context


def test_every_page_of_every_role_has_no_serious_accessibility_violation(browser: Browser, live_server):
    with outside_the_browser_loop():
        call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
        actors = build_actors()
    failures: list[str] = []
    checked = 0
    for role, language in [(role, "zh-hans") for role in ROLES] + [(role, "en") for role in IN_ENGLISH]:
        context = _context(browser, live_server.url, actors, role, language)
        page = context.new_page()
        problems: list[str] = []
        collect_script_problems(page, problems)
        with outside_the_browser_loop():
            urls = [(row.url(actors), 200) for row in visits(role)]
        urls += [(url, status) for who, url, status in ERROR_PAGES if who == role]
        for url, status in urls:
            response = page.goto(url)
            assert response is not None
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            assert response.status == status, f"{role} {url}: {response.status}"
            assert page.locator("html").get_attribute("lang") == ("en" if language == "en" else "zh-CN"), url
            page.wait_for_load_state("networkidle")
            if url.endswith("/api/v1/docs"):  # Swagger UI draws the operations and schemas after fetching the API's
                page.locator(".opblock").first.wait_for()
                page.locator(".json-schema-2020-12").first.wait_for()
            violations = axe_violations(page)
            checked += 1
            if violations:
                failures.append(f"{role} ({language}) {url}:\n{describe_violations(violations)}")
        problems = [p for p in problems if "404" not in p and "403" not in p]  # the error pages asked for
        assert problems == [], f"{role} ({language}): {problems}"
        context.close()
    assert checked > 40
    assert not failures, "serious or critical accessibility violations:\n" + "\n".join(failures)
