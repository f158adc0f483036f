"""The site in Chromium: Swagger UI runs under the CSP, and each demo role signs in and lands on its own page.

With UPDATE_SCREENSHOTS=1 the landing pages are saved as docs/screenshots/<role>.png (office, clerk, entity, bank,
auditor), the pictures the user guides show.
"""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from cleanrecord.testing.browser import (
    collect_script_problems,
    needs_chromium,
    outside_the_browser_loop,
    save_screenshot,
)

# Demo account, the picture's name, where it lands and a text its page shows.
ROLES = [
    ("demo-office", "office", "/office/objections/", "异议受理"),
    ("demo-amr", "clerk", "/imports/", "上传数据文件"),
    ("demo-entity", "entity", "/my/", "申请专用信用报告"),
    ("demo-bank", "bank", "/my/", "授权我查阅的报告"),
    ("demo-auditor", "auditor", "/audit/", "审计日志"),
]

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_their_operations_under_the_csp(browser, live_server):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    collect_script_problems(page, problems)
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert response is not None and "unsafe-inline" not in response.headers["content-security-policy"]
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    assert page.locator(".opblock").count() > 10
    expect(page.locator(".opblock-tag").first).to_be_visible()
    assert page.locator("text=经营主体").count() > 0
    assert problems == []
    context.close()


def test_each_demo_role_signs_in_and_lands_on_its_own_page(browser, live_server, tmp_path):
    with outside_the_browser_loop():
        call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
        call_command("seed_demo", entities=30, export_dir=tmp_path / "demo", verbosity=0, stdout=io.StringIO())
    passwords = dict(line.split("\t")[:2] for line in (tmp_path / "demo" / "demo-accounts.txt").read_text().splitlines())
    for username, picture, lands_on, shows in ROLES:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 800})
        page = context.new_page()
        problems: list[str] = []
        collect_script_problems(page, problems)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", passwords[username])
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}{lands_on}")
        expect(page.locator("main")).to_contain_text(shows)
        expect(page.locator("footer.site-footer")).to_contain_text("主办单位")
        assert "营业执照" not in page.content() or picture == "entity"
        save_screenshot(page, f"{picture}.png", tmp_path)
        assert problems == [], f"{username}: {problems}"
        context.close()
