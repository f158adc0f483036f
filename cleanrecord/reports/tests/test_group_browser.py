"""A group's batch in Chromium at 375 px (issue 18, point 6): from 我的主体 to the batch page and its ZIP, with no
script problem under the CSP and no page wider than the phone."""

import datetime as dt
import zipfile

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, expect

from cleanrecord.accounts.models import EntityUser
from cleanrecord.reports.models import GroupAuthorisation
from cleanrecord.testing.browser import collect_script_problems, needs_chromium, outside_the_browser_loop

from .factories import entity

pytestmark = [pytest.mark.pdf, pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-group-18"


@pytest.fixture
def group(live_server):
    with outside_the_browser_loop():
        call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
        parent = entity("91620102MA71GRB00", "兰州浏览器集团有限公司")
        today = timezone.localdate()
        for i, name in enumerate(["兰州浏览器甲子公司", "兰州浏览器乙子公司"], 1):
            GroupAuthorisation.objects.create(parent=parent, subsidiary=entity(f"91620102MA71GC{i:03d}", name),
                                              valid_from=today, valid_until=today + dt.timedelta(days=30))
        user = User.objects.create_user("group_browser", password=PASSWORD)
        EntityUser.objects.create(user=user, entity=parent, role=EntityUser.Role.LEGAL_REP)
    return parent


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the page is wider than the phone"


def test_a_group_applies_for_its_subsidiaries_and_downloads_the_zip_on_a_phone(browser: Browser, live_server, group,
                                                                                tmp_path) -> None:
    problems: list[str] = []
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 375, "height": 800})
    page = context.new_page()
    collect_script_problems(page, problems)
    page.goto("/accounts/login/?next=/my/")
    page.get_by_label("用户名").fill("group_browser")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="为子公司申请报告（集团）").click()
    expect(page.get_by_label("兰州浏览器甲子公司（", exact=False)).to_be_checked()
    _fits(page)
    page.get_by_role("button", name="出具集团报告").click()
    expect(page.get_by_role("heading", name="集团报告已出具")).to_be_visible()
    expect(page.locator("#group-reports tbody tr")).to_have_count(2)
    _fits(page)
    with page.expect_download() as download:
        page.locator("#group-zip").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert len(archive.namelist()) == 3 and any(n.endswith("-summary.pdf") for n in archive.namelist())
    assert not problems, problems
    context.close()
