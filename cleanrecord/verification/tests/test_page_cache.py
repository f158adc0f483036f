"""The verification page, kept whole for a visitor with no session (whoever scanned the QR code): the same page
for every such visitor in a language, never a stale one, with the time of each check filled in afresh; a
signed-in user's page is their own."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cleanrecord.records import changes as record_changes
from cleanrecord.records.models import Penalty
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import entity, penalty
from cleanrecord.testing.queries import count_queries

pytestmark = [pytest.mark.pdf, pytest.mark.django_db]


@pytest.fixture
def report(db):
    company = entity("91620102MA71PCA01", "兰州核验页缓存测试有限公司")
    penalty(company, timezone.localdate() - dt.timedelta(days=60), decision_no="兰市监罚〔2026〕缓存1号")
    return issue_report(credit_code=company.credit_code, domains="all", purpose="finance")


def page(report, client: Client | None = None) -> str:
    response = (client or Client()).get(f"/verify/{report.verification_code}")
    assert response.status_code == 200
    return response.content.decode()


def without_time(html: str) -> str:
    start = html.index('class="muted checked-at"')
    return html[:start] + html[html.index("</p>", start):]


def test_a_visitor_without_a_session_gets_the_kept_page_for_two_queries(report):
    first = page(report)
    assert count_queries(lambda: page(report)) == 2  # the report with its version and budget; the log row
    again = page(report)
    assert without_time(again) == without_time(first) and "兰市监罚〔2026〕缓存1号" in again


def test_the_time_of_each_check_is_filled_in_afresh(report, monkeypatch):
    page(report)
    later = timezone.now() + dt.timedelta(hours=2, minutes=7)
    monkeypatch.setattr(timezone, "now", lambda: later)
    shown = timezone.localtime(later).strftime("%Y-%m-%d %H:%M")
    assert shown in page(report)


def test_a_change_after_the_page_was_kept_is_shown(report, amr_clerk):
    assert "报告出具后，平台信息已发生变化" not in page(report)
    record = Penalty.objects.get(decision_no="兰市监罚〔2026〕缓存1号")
    record_changes.revoke(record, reason="测试撤销", user=amr_clerk)
    changed = page(report)
    assert "报告出具后，平台信息已发生变化" in changed and "兰市监罚〔2026〕缓存1号" in changed


def test_a_signed_in_users_page_is_their_own_and_not_kept_for_others(report, django_user_model):
    anonymous = page(report)
    user = django_user_model.objects.create_user("page-cache-viewer")
    client = Client()
    client.force_login(user)
    mine = page(report, client)
    assert "page-cache-viewer" in mine
    assert "page-cache-viewer" not in page(report) and without_time(page(report)) == without_time(anonymous)


def test_each_language_has_its_own_kept_page(report):
    chinese = page(report)
    english = Client(headers={"accept-language": "en"}).get(f"/verify/{report.verification_code}").content.decode()
    assert '<html lang="en"' in english and '<html lang="zh-CN"' in chinese
    assert '<html lang="zh-CN"' in page(report)
