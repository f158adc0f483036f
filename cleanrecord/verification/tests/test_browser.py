"""The verification page as a verifier meets it: scan the QR code on a real report, open it in Chromium; read its
records and labels on a phone, on a desk and on paper.

UPDATE_SCREENSHOTS=1 also writes the page to docs/screenshots/verifier.png and verifier-mobile.png.
"""

import datetime as dt

import pypdfium2
import pytest
import zxingcpp
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from cleanrecord.freshness.models import SourceStatus
from cleanrecord.objections.models import Objection
from cleanrecord.reference.models import Department
from cleanrecord.reports.services import issue_report, revoke_report
from cleanrecord.reports.tests.factories import change, entity, listing, penalty
from cleanrecord.testing.browser import (
    collect_script_problems,
    needs_chromium,
    outside_the_browser_loop,
    save_screenshot,
)

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


# -- the page as the verifier reads it: records with their labels, on a phone, on a desk and on paper ----------

SHOWN_DOMAINS = ["market-regulation", "court-enforcement", "taxation", "ecology-environment"]
ONE_LINE = """el => { const r = el.getBoundingClientRect(), line = parseFloat(getComputedStyle(el).lineHeight);
  return {height: r.height, line, right: r.right, fits: el.scrollWidth <= el.clientWidth + 1}; }"""


@pytest.fixture
def labelled(live_server):
    """A report whose records carry the three labels (under objection, repaired, removed from the list), and a
    change on the platform since it was issued."""
    with outside_the_browser_loop():
        call_command("load_reference", verbosity=0)
        company = entity("91620102MA71PGH02", "兰州核验页面浏览器测试商贸有限公司")
        today = timezone.localdate()
        objected = penalty(company, today - dt.timedelta(days=90), decision_no="兰市监罚〔2026〕异101号")
        Objection.objects.create(kind="penalty", record_id=objected.pk, subject_key=company.credit_code)
        repaired = penalty(company, today - dt.timedelta(days=200), decision_no="兰市监罚〔2026〕修102号",
                           repaired_on=today - dt.timedelta(days=30))
        listing(company, today - dt.timedelta(days=400), removed_on=today - dt.timedelta(days=100),
                listing_ref="（2024）甘01执移103号", case_no="（2024）甘01执移103号")
        for department in Department.objects.filter(is_active=True):  # every source sent data lately: no notes
            SourceStatus.objects.update_or_create(department=department, defaults={"last_import_on": today})
        report = issue_report(credit_code=company.credit_code, domains=SHOWN_DOMAINS, purpose="finance")
        Objection.objects.create(kind="penalty", record_id=repaired.pk, subject_key=company.credit_code)
    return report, f"{live_server.url}/verify/{report.verification_code}"


def _saved(page: Page, name: str, tmp_path) -> None:
    save_screenshot(page, name, tmp_path, colors=64)


def test_on_a_phone_the_records_and_labels_fit_and_no_code_breaks_across_lines(labelled, phone, tmp_path):
    report, url = labelled
    problems: list[str] = []
    collect_script_problems(phone, problems)
    phone.goto(url)
    market = phone.locator("#domain-market-regulation")
    expect(market.locator(".record", has_text="兰市监罚〔2026〕异101号").locator(".tag")).to_have_text(["异议处理中"])
    repaired = market.locator(".record", has_text="兰市监罚〔2026〕修102号")
    expect(repaired.locator(".tag")).to_have_text(["已修复"])
    expect(repaired.locator(".record-changes")).to_contain_text("该记录在报告出具后被提出异议，正在处理中")
    expect(phone.locator("#domain-court-enforcement .tag")).to_have_text(["已移出名单"])

    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    codes = phone.locator(".code")
    assert codes.count() >= 6  # the credit code, the report's number and verification code, the records' numbers
    for i in range(codes.count()):
        box = codes.nth(i).evaluate(ONE_LINE)
        assert box["height"] < 1.5 * box["line"], f"{codes.nth(i).inner_text()} wraps: {box}"
        assert box["right"] <= 375
    for name in ("#code", "#number", "#credit-code"):  # these fit whole, no scrolling inside them either
        assert phone.locator(name).evaluate(ONE_LINE)["fits"], name
    expect(phone.locator("#code")).to_have_text(report.snapshot["verification_code_display"])
    assert problems == []  # nothing the CSP blocked
    _saved(phone, "verifier-mobile.png", tmp_path)


def test_on_a_desk_and_on_paper_the_page_shows_the_records_without_the_site_around_them(browser, labelled, tmp_path):
    report, url = labelled
    page: Page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page.goto(url)
    expect(page.locator("#nav-verify")).to_be_visible()
    expect(page.locator("#domain-market-regulation .record")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    _saved(page, "verifier.png", tmp_path)

    page.emulate_media(media="print")
    expect(page.locator("header")).to_be_hidden()
    expect(page.get_by_role("link", name="经营主体：申请最新报告")).to_be_hidden()
    expect(page.locator("#domain-market-regulation .record")).to_have_count(2)
    expect(page.locator("#domain-market-regulation .record").first).to_be_visible()
    # Black on white: a label reads as its word in a box, whatever the printer does with colour.
    tag = page.locator("#domain-court-enforcement .tag").first
    assert tag.evaluate("el => getComputedStyle(el).color") == "rgb(0, 0, 0)"
    assert tag.evaluate("el => getComputedStyle(el).borderTopStyle") == "solid"
    pdf = page.pdf(format="A4")
    (tmp_path / "verifier-print.pdf").write_bytes(pdf)
    assert "兰市监罚〔2026〕修102号" in "".join(
        pypdfium2.PdfDocument(pdf)[i].get_textpage().get_text_range() for i in range(len(pypdfium2.PdfDocument(pdf))))
    page.close()
