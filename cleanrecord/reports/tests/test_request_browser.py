"""The report request in Chromium (issue 17, point 3): ticking a single domain unticks 全部领域 and the other way
round (a vendored script, no inline code under the CSP), and the form is filled and sent by keyboard alone.

The page's screenshot is docs/screenshots/entity-request.png (`UPDATE_SCREENSHOTS=1` rewrites it)."""


import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from cleanrecord.accounts.models import EntityUser
from cleanrecord.reports.models import Report
from cleanrecord.reports.snapshot import read_snapshot
from cleanrecord.testing.browser import (
    assert_accessible,
    assert_focus_visible,
    collect_script_problems,
    needs_chromium,
    outside_the_browser_loop,
    save_screenshot,
)

from .factories import entity

pytestmark = [pytest.mark.pdf, pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-request-17"


@pytest.fixture
def company(live_server):
    with outside_the_browser_loop():
        call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
        company = entity(name="兰州键盘申请测试有限公司")
        owner = User.objects.create_user("keyboard", password=PASSWORD)
        EntityUser.objects.create(user=owner, entity=company, role=EntityUser.Role.LEGAL_REP)
    return company


def _signed_in(browser: Browser, base_url: str, problems: list[str]) -> Page:
    context = browser.new_context(locale="zh-CN", base_url=base_url, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    collect_script_problems(page, problems)
    page.goto("/accounts/login/?next=/my/")
    page.get_by_label("用户名").fill("keyboard")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base_url}/my/")
    return page


def _tab_to(page: Page, element_id: str, most: int = 80) -> None:
    """Press Tab until the element has the focus, as a keyboard user moves through the page; the focus shows."""
    for _ in range(most):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            assert_focus_visible(page)
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} never got the focus by Tab")


def test_a_single_domain_and_all_domains_untick_each_other(browser: Browser, live_server, company) -> None:
    problems: list[str] = []
    page = _signed_in(browser, live_server.url, problems)
    page.goto(f"/entities/{company.credit_code}/report/")
    everything = page.get_by_label("全部领域（完整版）")
    taxation = page.get_by_role("checkbox", name="税务", exact=True)
    expect(everything).to_be_checked()
    taxation.check()
    expect(everything).not_to_be_checked()  # one domain asked for: no longer the full report
    expect(taxation).to_be_checked()
    everything.check()
    expect(taxation).not_to_be_checked()  # the full report again: no single domain left ticked
    assert problems == []


def test_the_request_is_filled_and_sent_by_keyboard_alone(browser: Browser, live_server, company, tmp_path) -> None:
    problems: list[str] = []
    page = _signed_in(browser, live_server.url, problems)
    page.goto(f"/entities/{company.credit_code}/report/")
    everything = page.get_by_label("全部领域（完整版）")

    _tab_to(page, "id_domains_0")
    page.keyboard.press("Space")
    expect(page.locator("#id_domains_0")).to_be_checked()
    expect(everything).not_to_be_checked()
    _tab_to(page, "id_purpose_text")
    page.keyboard.type("申请银行贷款")

    save_screenshot(page, "entity-request.png", tmp_path)
    assert_accessible(page, "the report request form")

    page.keyboard.press("Enter")  # Enter in a text input sends the form
    expect(page.get_by_role("heading", name="专用信用报告已出具")).to_be_visible()
    with outside_the_browser_loop():
        report = Report.objects.get()
    query = read_snapshot(report.snapshot)["query"]
    assert report.purpose_text == "申请银行贷款"
    assert not query["all_domains"] and len(query["domains"]) == 1  # the one domain ticked, not all 38
    assert problems == []
