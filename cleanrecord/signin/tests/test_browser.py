"""An entity's legal representative signs in through the identity service's own page in Chromium and
downloads the entity's report."""

import datetime as dt
import re
from pathlib import Path

import pypdf
import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import entity, penalty
from cleanrecord.testing.browser import collect_script_problems, needs_chromium, outside_the_browser_loop

pytestmark = [pytest.mark.pdf, pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def test_an_entity_signs_in_through_the_provider_and_downloads_its_report(browser, live_server, oidc_provider,
                                                                        tmp_path):
    with outside_the_browser_loop():
        call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
        company = entity(name="兰州统一认证商贸有限公司")
        penalty(company, timezone.localdate() - dt.timedelta(days=60), decision_no="兰市监罚〔2026〕818号")
        report = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")
    oidc_provider.set_claims("zhang-san", {"credit_code": company.credit_code, "role": "法定代表人", "name": "张三",
                                           "id_number": "620102198001011232"})

    page: Page = browser.new_page(locale="zh-CN", accept_downloads=True)
    problems: list[str] = []
    collect_script_problems(page, problems)
    page.goto(f"{live_server.url}/my/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/my/")
    on_our_login_page = list(problems)
    page.get_by_role("link", name="电子营业执照/统一身份认证登录").click()

    # The identity service's own page (the mock's, which asks a CDN for its style sheet): the person signs in there.
    expect(page).to_have_url(re.compile(rf"^{oidc_provider.issuer}/oauth2/authorize\?"))
    page.locator("input[name=sub]").fill("zhang-san")
    page.get_by_role("button", name="Authorize").click()

    expect(page).to_have_url(f"{live_server.url}/my/")
    problems[:] = on_our_login_page
    page.reload()  # our page again, watched from its start
    expect(page.get_by_role("heading", name="兰州统一认证商贸有限公司")).to_be_visible()
    expect(page.get_by_role("link", name="经办人员授权")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").first.click()
    saved = tmp_path / "report.pdf"
    download.value.save_as(saved)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(Path(saved)).pages)
    assert report.number in text and "兰州统一认证商贸有限公司" in text
    assert problems == []
