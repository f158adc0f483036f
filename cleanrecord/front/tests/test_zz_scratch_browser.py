import os
import pytest
from playwright.sync_api import expect
from cleanrecord.testing.browser import needs_chromium, axe_violations, describe_violations

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

def test_scratch(browser, live_server):
    page = browser.new_context(locale="zh-CN").new_page()
    for url in os.environ.get("URLS", "/api/v1/docs").split(","):
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        if "docs" in url:
            expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
        print(url, describe_violations(axe_violations(page)))
