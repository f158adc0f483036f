"""A bank's member in Chromium (issue 18, point 3): the entity grants its reports to the bank, chosen from the list;
the member sees the report on its start page and over the API; the entity revokes, and the member's next page and
API call no longer show it."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from cleanrecord.accounts.models import EntityUser, Organisation
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import entity
from cleanrecord.testing.actors import make_member, make_user
from cleanrecord.testing.browser import collect_script_problems, needs_chromium, outside_the_browser_loop

pytestmark = [pytest.mark.pdf, pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-orgs-18"


@pytest.fixture
def world(live_server):
    with outside_the_browser_loop():
        call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
        company = entity(name="兰州浏览器授权测试有限公司")
        owner = User.objects.create_user("grant-owner", password=PASSWORD)
        EntityUser.objects.create(user=owner, entity=company, role=EntityUser.Role.LEGAL_REP)
        bank = Organisation.objects.create(name="兰州浏览器测试银行", kind=Organisation.Kind.BANK)
        Organisation.objects.create(name="兰州浏览器测试审批局", kind=Organisation.Kind.AGENCY)
        make_member("browser-teller", bank, password=PASSWORD)
        report = issue_report(credit_code=company.credit_code, domains=["taxation"], purpose="finance")
    return company, report


def _signed_in(browser: Browser, base_url: str, username: str, problems: list[str], width: int = 1100) -> Page:
    context = browser.new_context(locale="zh-CN", base_url=base_url, viewport={"width": width, "height": 900})
    page = context.new_page()
    collect_script_problems(page, problems)
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base_url}/my/")
    return page


def test_a_bank_member_sees_a_granted_report_and_loses_it_on_revocation(browser: Browser, live_server, world) -> None:
    company, report = world
    problems: list[str] = []
    owner = _signed_in(browser, live_server.url, "grant-owner", problems)
    owner.get_by_label("被授权机构").select_option(label="兰州浏览器测试银行（银行等金融机构）")
    owner.get_by_label("截止日期").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    owner.get_by_role("button", name="授权查阅").click()
    expect(owner.get_by_role("alert").first).to_contain_text("已授权 兰州浏览器测试银行 查阅本主体报告")
    expect(owner.get_by_text("报告上印有的核验码仍是报告持有人的凭证", exact=False)).to_be_visible()

    teller = _signed_in(browser, live_server.url, "browser-teller", problems, width=375)  # a phone
    expect(teller.get_by_role("heading", name="授权我查阅的报告")).to_be_visible()
    expect(teller.get_by_role("link", name=report.number)).to_be_visible()
    api = teller.request.get(f"/api/v1/entities/{company.credit_code}/reports")
    assert api.status == 200 and [r["number"] for r in api.json()] == [report.number]
    assert teller.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling on a phone

    owner.goto("/my/")
    owner.get_by_role("button", name="撤销授权").click()
    expect(owner.get_by_role("alert").first).to_contain_text("已撤销对 兰州浏览器测试银行 的授权")

    teller.reload()
    expect(teller.get_by_role("link", name=report.number)).to_have_count(0)
    expect(teller.get_by_text("目前没有经营主体授权本机构查阅报告")).to_be_visible()
    assert teller.request.get(f"/api/v1/entities/{company.credit_code}/reports").status == 403
    assert teller.request.get(f"/api/v1/reports/{report.number}/pdf").status == 404
    assert problems == []


def test_the_office_console_fits_a_phone_and_makes_a_member_account(browser: Browser, live_server, world) -> None:
    with outside_the_browser_loop():
        make_user("console-office", "records.add_importbatch", password=PASSWORD, is_staff=True)
    problems: list[str] = []
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 375, "height": 800})
    page = context.new_page()
    collect_script_problems(page, problems)
    page.goto("/accounts/login/?next=/office/accounts/")
    page.get_by_label("用户名").fill("console-office")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="账号管理")).to_be_visible()
    for url in ("/office/accounts/", "/office/accounts/new", "/office/organisations/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
    page.goto("/office/accounts/new")
    page.get_by_label("用户名").fill("phone-teller")
    page.get_by_label("机构成员（银行、审批部门等）").check()
    page.get_by_label("所属机构（机构成员）").select_option(label="兰州浏览器测试审批局（行政机关（审批部门））")
    page.get_by_role("button", name="创建账号").click()
    expect(page.get_by_role("heading", name="账号已创建")).to_be_visible()
    assert len(page.locator("#one-time-password").inner_text()) >= 12
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert problems == []
