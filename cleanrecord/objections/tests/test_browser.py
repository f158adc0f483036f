"""An objection in Chromium, end to end (issue #6): the entity files it with a PDF, the credit office accepts and
forwards it, the market regulator's clerk answers 更正 with new content, the office closes it, and the entity's
next report — its page and its PDF — shows the corrected record.

Each party has a browser context of its own and signs in with a password at /accounts/login/.
"""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, FilePayload, Page, expect

from cleanrecord.accounts.models import DepartmentClerk, EntityUser
from cleanrecord.records.models import Penalty, RecordVersion
from cleanrecord.reference.models import Department
from cleanrecord.reports.tests.factories import entity, penalty
from cleanrecord.reports.tests.test_issue import pdf_text
from cleanrecord.testing.browser import collect_script_problems, needs_chromium, outside_the_browser_loop

pytestmark = [pytest.mark.pdf, pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-objection-6"
DECISION_NO = "兰市监罚〔2026〕601号"
OLD_CONTENT = "罚款人民币五万元"
NEW_CONTENT = "罚款人民币五千元"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def world(live_server):
    """A company with one market-regulation penalty; its bound user, the market regulator's clerk and the office,
    each with a password."""
    with outside_the_browser_loop():
        call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
        company = entity(name="兰州异议浏览器测试商贸有限公司")
        record = penalty(company, timezone.localdate() - dt.timedelta(days=100), decision_no=DECISION_NO,
                         content=OLD_CONTENT)
        RecordVersion.objects.create(kind="penalty", record_id=record.pk, subject_key=company.credit_code,
                                     version=record.version, change="created", created_at=timezone.now())
        owner = User.objects.create_user("owner", email="owner@example.cn", password=PASSWORD)
        EntityUser.objects.create(user=owner, entity=company, role=EntityUser.Role.LEGAL_REP)
        clerk = User.objects.create_user("clerk", email="clerk@amr.example.cn", password=PASSWORD)
        DepartmentClerk.objects.create(user=clerk, department=Department.objects.get(code="amr"))
        office = User.objects.create_user("office", email="office@credit.example.cn", password=PASSWORD)
        office.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    return company, record


def signed_in(browser: Browser, base_url: str, username: str, problems: list[str]) -> Page:
    """A browser context of its own, signed in through the login page; script errors are collected in `problems`."""
    context = browser.new_context(locale="zh-CN", base_url=base_url, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    collect_script_problems(page, problems)
    page.goto("/accounts/login/?next=/my/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base_url}/my/")
    expect(page.get_by_role("button", name=f"退出（{username}）")).to_be_visible()
    return page


def test_an_objection_filed_answered_and_closed_corrects_the_next_report(browser: Browser, live_server, world) -> None:
    company, record = world
    url = live_server.url

    # 1. The entity files the objection from its records page, with a PDF.
    problems: list[str] = []
    owner = signed_in(browser, url, "owner", problems)
    owner.get_by_role("link", name="本主体记录（异议、情节说明）").click()
    row = owner.locator("#records tbody tr", has_text=DECISION_NO)
    row.get_by_role("link", name="提出异议").click()
    owner.locator("select[name=reason]").select_option(label="记录内容有误")
    owner.locator("textarea[name=statement]").fill("罚款金额应为五千元，处罚决定书见附件")
    owner.locator("input[name=evidence]").set_input_files(
        files=[FilePayload(name="处罚决定书.pdf", mimeType="application/pdf", buffer=PDF)])
    owner.get_by_role("button", name="提交异议").click()
    expect(owner.get_by_role("alert")).to_contain_text("异议已提交")
    expect(owner.locator("#status")).to_have_text("已提交，待信用办受理")
    expect(owner.get_by_role("link", name="处罚决定书.pdf")).to_be_visible()
    heading = re.search(r"YY\d{8}-\d{6}", owner.locator("h1").inner_text())
    assert heading, "the objection's page names no number"
    number = heading.group()
    detail = owner.url

    # 2. The office finds it in its list, accepts it and forwards it to the market regulator.
    office = signed_in(browser, url, "office", problems)
    office.get_by_role("link", name="异议受理").click()
    expect(office.locator("#objections")).to_contain_text(number)
    office.get_by_role("link", name=number).click()
    office.get_by_role("button", name=re.compile("^受理并转办至")).click()
    expect(office.locator("#status")).to_have_text("已转办，待部门答复")

    # 3. The clerk, told by a message, answers 更正 with the right content.
    clerk = signed_in(browser, url, "clerk", problems)
    expect(clerk.locator("#inbox-link")).to_have_text("消息（1）")
    clerk.get_by_role("link", name="异议答复").click()
    clerk.locator("#todo").get_by_role("link", name=number).click()
    clerk.get_by_role("radio", name="更正").check()
    clerk.get_by_text("答复“更正”时").click()  # opens the <details> with the record's correctable fields
    content = clerk.locator("textarea[name=field_content]")
    expect(content).to_have_value(OLD_CONTENT)
    content.fill(NEW_CONTENT)
    clerk.locator("textarea[name=note]").fill("经核查决定书，罚款金额录入有误，予以更正")
    clerk.get_by_role("button", name="提交答复").click()
    expect(clerk.locator("#status")).to_have_text("部门已答复，待信用办审核")
    expect(clerk.locator("#record-content")).to_have_text(NEW_CONTENT)

    # 4. The office reviews and closes it.
    office.goto(detail)
    office.get_by_role("button", name="审核办结").click()
    expect(office.locator("#status")).to_have_text("已办结")

    # 5. The entity reads the outcome, applies for a new report and finds the corrected record in it.
    owner.reload()
    owner.locator("#inbox-link").click()
    outcome = owner.locator("#messages tbody tr", has_text=f"异议已办结：{number}")
    expect(outcome).to_contain_text("记录已更正")
    owner.goto(f"/entities/{company.credit_code}/report/")
    owner.get_by_role("button", name="出具报告").click()
    expect(owner.get_by_role("heading", name="专用信用报告已出具")).to_be_visible()
    expect(owner.get_by_role("heading", name="报告所列记录")).to_be_visible()
    listed = owner.locator("#report-records tbody tr", has_text=DECISION_NO)
    expect(listed).to_have_count(1)
    expect(listed).not_to_contain_text("异议处理中")
    with owner.expect_download() as download:
        owner.get_by_role("link", name="下载 PDF").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert NEW_CONTENT in text and OLD_CONTENT not in text and DECISION_NO in text

    assert problems == []
    for page in (owner, office, clerk):
        page.context.close()

    with outside_the_browser_loop():
        corrected = Penalty.objects.get(pk=record.pk)
        assert corrected.content == NEW_CONTENT and corrected.version == record.version + 1
        latest = RecordVersion.objects.get(kind="penalty", record_id=record.pk, version=corrected.version)
        assert latest.user is not None and latest.user.username == "clerk"
        assert latest.change == "corrected" and number in latest.reason
