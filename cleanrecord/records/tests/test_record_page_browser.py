"""A clerk in Chromium corrects a record: reads its current values, sends the correction, sees the before/after.

UPDATE_SCREENSHOTS=1 also writes the page to docs/screenshots/clerk-record.png, the clerk's guide's picture."""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from cleanrecord.records.models import Penalty
from cleanrecord.records.services import import_upload
from cleanrecord.reference.models import Department
from cleanrecord.testing.actors import make_clerk
from cleanrecord.testing.browser import (
    collect_script_problems,
    needs_chromium,
    outside_the_browser_loop,
    save_screenshot,
)

from .uploads import penalty_csv

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]



@pytest.fixture
def clerk_page(browser, live_server):
    with outside_the_browser_loop():
        call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
        amr = Department.objects.get(code="amr")
        clerk = make_clerk("bob", "amr")
        import_upload(user=clerk, upload=SimpleUploadedFile("p.csv", penalty_csv(amr, {})), kind="penalty",
                      department=amr, mapping=None, dry_run=False, channel="web")
        client = Client()
        client.force_login(clerk)
        session = client.cookies["sessionid"].value
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    page.problems = []
    collect_script_problems(page, page.problems)
    yield page
    context.close()


def test_a_clerk_corrects_a_record_and_sees_the_before_and_after(clerk_page, live_server, tmp_path):
    page = clerk_page
    page.goto(f"{live_server.url}/department/records/")
    page.get_by_placeholder("名称、统一社会信用代码或文号").fill("〔2025〕1")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="兰州测试商贸有限公司").click()

    values = page.locator("#current-values")
    expect(values).to_contain_text("兰市监罚〔2025〕1号")
    expect(values).to_contain_text("5,000.00 元")
    form = page.locator("#correct-form")
    form.get_by_label("更正字段").select_option(label="罚款金额（万元）")
    form.get_by_label("更正后的值").fill("8700元")
    form.get_by_role("button", name="保存更正").click()
    # Nothing given as the reason: the form says so next to the field and keeps the value typed.
    expect(page.locator("#correct-reason_error")).to_have_text("更正记录必须填写原因")
    expect(page.locator("#correct-form").get_by_label("更正后的值")).to_have_value("8700元")
    page.locator("#correct-form").get_by_label("更正原因").fill("金额录入有误")
    page.locator("#correct-form").get_by_role("button", name="保存更正").click()

    expect(page.get_by_text("记录已更正，已保存为新版本")).to_be_visible()
    expect(page.locator("#current-values")).to_contain_text("8,700.00 元")
    change = page.locator("#version-2")
    expect(change).to_contain_text("更正")
    expect(change).to_contain_text("金额录入有误")
    expect(change.locator("td.before")).to_have_text("5,000.00 元")
    expect(change.locator("td.after")).to_have_text("8,700.00 元")
    with outside_the_browser_loop():
        assert Penalty.objects.get().version == 2
    # No script error, no CSP violation; the one 400 is the answer to the form sent without a reason.
    assert [p for p in page.problems if "status of 400" not in p] == []

    save_screenshot(page, "clerk-record.png", tmp_path)
