"""The journeys of the roles that only read, in Chromium: a bank an entity granted its reports to, and the auditor.
(The entity's, the clerk's, the office's and the verifier's are walked in the reports, records, objections, quality
and verification apps' browser tests; the landing page of each role in test_site_browser.py.)

Each page met on the way is checked by axe (no serious or critical violation).
"""

import re

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, expect

from cleanrecord.accounts.tests.actors import Actors
from cleanrecord.testing.browser import (
    assert_accessible,
    collect_script_problems,
    needs_chromium,
    outside_the_browser_loop,
)

pytestmark = [pytest.mark.pdf, pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def _signed_in(browser: Browser, base_url: str, actors: Actors, role: str) -> BrowserContext:
    context = browser.new_context(locale="zh-CN", base_url=base_url, viewport={"width": 1200, "height": 900},
                                  accept_downloads=True)
    with outside_the_browser_loop():
        session = actors.client(role).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])
    return context


def test_a_bank_reads_a_granted_report_downloads_it_and_verifies_it(browser: Browser, live_server, people, tmp_path):
    report = people.report_a
    page = _signed_in(browser, live_server.url, people, "bank").new_page()
    problems: list[str] = []
    collect_script_problems(page, problems)
    page.goto("/my/")
    main = page.locator("main")
    expect(main).to_contain_text("授权我查阅的报告")
    expect(main).to_contain_text(people.entity_a.name)
    expect(main).not_to_contain_text(people.report_b.number)  # only what was granted
    expect(page.locator("nav.menu")).not_to_contain_text("数据报送")
    assert_accessible(page, "the bank's landing page")

    page.get_by_role("link", name=report.number).click()
    expect(main).to_contain_text(report.number)
    expect(main).to_contain_text(people.entity_a.name)
    assert_accessible(page, "the granted report's page")
    with page.expect_download() as download:
        page.locator(f"a[href$='/reports/{report.verification_code}/pdf']").first.click()
    saved = tmp_path / "report.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    page.locator("#nav-verify").click()
    page.get_by_label("核验码").fill(report.verification_code)
    page.get_by_role("button", name="核验", exact=True).click()
    expect(page.locator(".verdict-line")).to_contain_text("有效")
    expect(main).to_contain_text(report.number)
    assert_accessible(page, "the verification page the bank reads")
    assert problems == []


def test_the_auditor_reads_the_trail_in_words_and_filters_it(browser: Browser, live_server, people):
    page = _signed_in(browser, live_server.url, people, "auditor").new_page()
    problems: list[str] = []
    collect_script_problems(page, problems)
    page.goto("/")
    menu = page.locator("nav.menu")
    expect(menu).to_contain_text("审计日志")
    for other in ("数据报送", "异议受理", "我的主体"):
        expect(menu).not_to_contain_text(other)
    page.get_by_role("link", name="审计日志").first.click()
    expect(page).to_have_url(f"{live_server.url}/audit/")
    rows = page.locator("table.audit tbody tr")
    expect(rows.first).to_be_visible()
    total = rows.count()
    assert total > 1
    actions = page.locator("table.audit td.action").all_inner_texts()
    assert all(not a.replace(".", "").replace("_", "").isascii() for a in actions), actions  # words, not codes
    assert_accessible(page, "the audit trail")

    page.get_by_label("操作人").fill("entity_a_user")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"/audit/\?.*actor=entity_a_user"))
    expect(page.locator("table.audit tbody tr").first).to_contain_text("entity_a_user")
    assert 0 < page.locator("table.audit tbody tr").count() < total
    assert_accessible(page, "the filtered audit trail")
    assert problems == []
