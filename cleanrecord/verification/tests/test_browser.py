"""The verification page as a verifier meets it: scan the QR code on a real report, open it in Chromium."""

import datetime as dt

import pypdfium2
import pytest
import zxingcpp
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from cleanrecord.reports.services import issue_report, revoke_report
from cleanrecord.reports.tests.factories import change, entity, penalty
from cleanrecord.testing.browser import needs_chromium, outside_the_browser_loop

pytestmark = [pytest.mark.pdf, pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scanned(live_server, settings):
    """A report issued for a company with one penalty, whose QR code points at the live server, and the URL read
    off the rendered first page as a phone camera would read it."""
    settings.CLEANRECORD = {**settings.CLEANRECORD, "PUBLIC_BASE_URL": live_server.url}
    with outside_the_browser_loop():
        call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
        company = entity(name="兰州扫码核验餐饮有限公司")
        record = penalty(company, timezone.localdate() - dt.timedelta(days=60), decision_no="兰市监罚〔2026〕501号")
        report = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")
    image = pypdfium2.PdfDocument(report.pdf_bytes())[0].render(scale=3).to_pil()
    urls = [b.text for b in zxingcpp.read_barcodes(image)]
    assert urls == [f"{live_server.url}/verify/{report.verification_code}"]
    return report, record, urls[0]


def test_the_scanned_qr_code_opens_a_page_that_follows_revocation_and_changes(browser, scanned):
    report, record, url = scanned
    page: Page = browser.new_page(locale="zh-CN")

    page.goto(url)
    expect(page.locator("#verdict")).to_have_text("真实有效")
    expect(page.locator("#entity")).to_have_text("兰州扫码核验餐饮有限公司")
    expect(page.locator("#number")).to_have_text(report.number)
    expect(page.locator("#no-changes")).to_be_visible()

    with outside_the_browser_loop():
        revoke_report(report, reason="经营主体申请更正后重新出具")
    page.reload()
    expect(page.locator("#verdict")).to_have_text("已撤销")
    expect(page.locator("#revoke-reason")).to_have_text("经营主体申请更正后重新出具")

    repaired = timezone.localdate()
    with outside_the_browser_loop():
        change(record, repaired_on=repaired)
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text("报告出具后，平台信息已发生变化")
    expect(page.locator("#changes")).to_contain_text(f"兰市监罚〔2026〕501号：该记录已于 {repaired} 完成信用修复")


@pytest.fixture
def phone(browser):
    """A phone-sized screen, 375 px wide, as a bank clerk's phone that scanned the code."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_the_page_reads_on_a_phone_without_scrolling_sideways(scanned, phone, tmp_path):
    report, _, url = scanned
    phone.goto(url)
    expect(phone.locator("#verdict")).to_be_in_viewport()
    expect(phone.locator("#verdict")).to_have_text("真实有效")
    expect(phone.locator("#number")).to_have_text(report.number)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=tmp_path / "verify-375.png", full_page=True)
