"""Issue 18 points 4 and 5 in Chromium: a visitor on a phone finds the catalogue of matters and files a refusal;
an entity's user starts a report from a matter (its domains ticked by the page's script); the office handles the
refusal and the dashboard counts it."""

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from cleanrecord.accounts.models import EntityUser
from cleanrecord.matters.models import Matter
from cleanrecord.reference.models import Department
from cleanrecord.reports.tests.factories import entity
from cleanrecord.testing.browser import collect_script_problems, needs_chromium, outside_the_browser_loop

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-refusal-18"


@pytest.fixture
def world(live_server):
    with outside_the_browser_loop():
        call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
        matter = Matter.objects.create(department=Department.objects.get(code="amr"), name="政府采购投标资格审查",
                                       legal_basis="《政府采购法》第二十二条")
        matter.domains.set(["taxation", "market-regulation"])
        company = entity(name="兰州事项浏览器测试商贸有限公司")
        owner = User.objects.create_user("owner", password=PASSWORD)
        EntityUser.objects.create(user=owner, entity=company, role=EntityUser.Role.LEGAL_REP)
        office = User.objects.create_user("office", password=PASSWORD)
        office.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    return company, matter


def signed_in(browser: Browser, base_url: str, username: str, problems: list[str]) -> Page:
    context = browser.new_context(locale="zh-CN", base_url=base_url, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    collect_script_problems(page, problems)
    page.goto("/accounts/login/?next=/my/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name=f"退出（{username}）")).to_be_visible()
    return page


def fits(page: Page) -> bool:
    wide = page.evaluate("""[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)""")
    assert not wide, wide
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_refusal_is_filed_on_a_phone_and_handled_by_the_office(browser: Browser, live_server, world) -> None:
    company, matter = world
    problems: list[str] = []

    # 1. A visitor on a phone finds the matter in the catalogue and reports that a unit refused the report.
    phone = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 375, "height": 800})
    visitor = phone.new_page()
    collect_script_problems(visitor, problems)
    visitor.goto("/")
    visitor.locator("#nav-matters").click()
    expect(visitor.get_by_role("heading", name="应替尽替事项清单")).to_be_visible()
    expect(visitor.locator(f"#matter-{matter.pk}")).to_contain_text("税务")
    assert fits(visitor)
    visitor.get_by_role("link", name="某单位不认可专用信用报告？请反馈").click()
    visitor.get_by_role("button", name="提交反馈").click()  # empty: every error said, in Chinese
    expect(visitor.locator("#id_report_number_error")).to_have_text("请填写报告编号")
    expect(visitor.locator("#id_unit_error")).to_have_text("请填写不认可报告的单位名称")
    visitor.get_by_label("报告编号").fill("LZXY-20261126-000123")
    visitor.get_by_label("不认可报告的单位").fill("兰州市某区公共资源交易中心")
    visitor.get_by_label("办理事项（从清单选择）").select_option(label="兰州市市场监督管理局：政府采购投标资格审查")
    visitor.get_by_label("情况说明（单位不认可的理由、要求提供的材料等）").fill("窗口要求另行开具无违法违规记录证明")
    assert fits(visitor)
    visitor.get_by_role("button", name="提交反馈").click()
    expect(visitor.get_by_role("heading", name="反馈已提交")).to_be_visible()
    found = re.search(r"FK\d{8}-\d{6}", visitor.locator("main").inner_text())
    assert found, "the page names no feedback number"
    number = found.group()

    # 2. The entity's user starts a report from the matter: the list ticks the domains it needs.
    owner = signed_in(browser, live_server.url, "owner", problems)
    owner.goto(f"/entities/{company.credit_code}/report/")
    expect(owner.get_by_label("全部领域（完整版）")).to_be_checked()
    owner.locator("#matter-select").select_option(label="兰州市市场监督管理局：政府采购投标资格审查")
    expect(owner.get_by_label("全部领域（完整版）")).not_to_be_checked()
    expect(owner.get_by_label("税务", exact=True)).to_be_checked()
    expect(owner.get_by_label("市场监管", exact=True)).to_be_checked()
    expect(owner.get_by_label("生态环境", exact=True)).not_to_be_checked()
    expect(owner.locator("input[name=matter]")).to_have_value(str(matter.pk))
    owner.set_viewport_size({"width": 375, "height": 800})
    assert fits(owner)

    # 3. The office finds it in its queue, records the outcome, and the dashboard counts it.
    office = signed_in(browser, live_server.url, "office", problems)
    office.get_by_role("link", name="不认可反馈").click()
    expect(office.locator("#refusals")).to_contain_text("兰州市某区公共资源交易中心")
    office.get_by_role("link", name=number).click()
    expect(office.locator("#refusal-facts")).to_contain_text("平台未找到该编号的报告")
    office.get_by_label("已沟通，单位接受报告").check()
    office.get_by_label("处理情况（与单位沟通的经过）").fill("已电话联系交易中心，确认接受专用信用报告")
    office.get_by_role("button", name="办结").click()
    expect(office.locator("#refusal-status")).to_have_text("已办结：已沟通，单位接受报告")
    office.goto("/office/dashboard/")
    expect(office.locator("#acceptance tbody tr", has_text="政府采购投标资格审查")).to_contain_text("1")

    # The empty form's answer is a 400 on purpose (the browser logs it); nothing else went wrong.
    assert [p for p in problems if "status of 400" not in p] == []
    for context in (phone, owner.context, office.context):
        context.close()
