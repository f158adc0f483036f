"""A clerk in Chromium: uploads a published list with a profile, reads the preview, confirms, sees the result."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from cleanrecord.accounts.models import DepartmentClerk
from cleanrecord.records.models import ImportBatch, ImportProfile, Listing
from cleanrecord.reference.models import Department
from cleanrecord.testing.browser import collect_script_problems, needs_chromium, outside_the_browser_loop

from .test_import_preview import SPEC, list_csv

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clerk_page(browser, live_server):
    with outside_the_browser_loop():
        call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
        tax = Department.objects.get(code="tax")
        user = User.objects.create_user("carol", password="pw-carol-1")
        DepartmentClerk.objects.create(user=user, department=tax)
        ImportProfile.objects.create(department=tax, kind="listing", name="国家名单", spec=SPEC)
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"].value
        content = list_csv(tax)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    page.problems = []
    collect_script_problems(page, page.problems)
    page.content_to_upload = content
    yield page
    context.close()


def upload_with_profile(page, base_url: str, path) -> None:
    """The clerk sends `path` as a list (名单) read with the profile 国家名单, and asks for the preview."""
    page.goto(f"{base_url}/imports/")
    page.select_option("select[name=kind]", "listing")
    page.select_option("select[name=profile]", "国家名单")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="上传并预览").click()


def test_a_clerk_previews_a_list_with_a_profile_and_confirms_it(clerk_page, live_server, tmp_path):
    page = clerk_page
    path = tmp_path / "2024年重大税收违法失信主体名单.csv"
    path.write_bytes(page.content_to_upload)
    upload_with_profile(page, live_server.url, path)

    expect(page.locator("h1")).to_contain_text("导入预览")
    expect(page.locator("#preview-encoding")).to_have_text("GB18030（GBK）")
    expect(page.locator("#preview-header-row")).to_have_text("第 2 行")
    expect(page.locator("#preview-profile")).to_have_text("国家名单")
    columns = page.locator("#preview-columns tbody tr")
    expect(columns.filter(has_text="失信事由")).to_contain_text("列入原因")
    expect(columns.filter(has_text="内部编号")).to_contain_text("方案忽略")
    expect(columns.filter(has_text="（方案固定值）列入日期")).to_contain_text("=2024-01-01")
    expect(page.locator("#preview-unused")).to_contain_text("公示网站")
    rows = page.locator("#preview-rows tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("兰州公示示例有限公司1")
    expect(rows.first).to_contain_text("2024-01-01")
    expect(rows.first).to_contain_text("法人及非法人组织")
    with outside_the_browser_loop():
        assert (ImportBatch.objects.count(), Listing.objects.count()) == (0, 0)  # seen, not yet written

    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("h1")).to_contain_text("导入结果")
    expect(page.locator("#rows-created")).to_have_text("3")
    expect(page.locator("#rows-rejected")).to_have_text("0")
    expect(page.locator("#profile-name")).to_have_text("国家名单")
    expect(page.locator("#profile-note")).to_contain_text("由方案填入：列入日期=2024-01-01（3 行）")
    with outside_the_browser_loop():
        assert Listing.objects.count() == 3
    assert page.problems == []


@pytest.mark.usefixtures("database_tasks")
def test_the_result_page_shows_the_queue_and_progress_then_refreshes_to_the_counts(clerk_page, live_server, tmp_path):
    page = clerk_page
    path = tmp_path / "名单.csv"
    path.write_bytes(page.content_to_upload)
    upload_with_profile(page, live_server.url, path)
    page.get_by_role("button", name="确认导入").click()

    expect(page.locator("h1")).to_contain_text("排队中")
    expect(page.locator("#progress-bar")).to_be_visible()
    expect(page.locator("#progress-text")).to_contain_text("已读取 0 / ")
    with outside_the_browser_loop():
        assert Listing.objects.count() == 0
        call_command("worker", "--batch", "--no-startup-delay", "--interval", "0", "--no-schedule", verbosity=0)
    # The page refreshes itself (every 2 s) to the result.
    expect(page.locator("h1")).to_contain_text("已完成", timeout=15_000)
    expect(page.locator("#rows-created")).to_have_text("3")
    expect(page.locator("#import-progress")).to_have_count(0)
    assert page.problems == []
