"""Query counts of verification by code, on the page and over the API: two when the subject's data did not
change since the answer was last worked out (the report with its subject's data version and the client's
budget; the log entry), and, after a change, bounded and the same whether two records or twelve changed
since the report was issued, so that an N+1 query shows up as a failure."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import change, entity, penalty
from cleanrecord.testing.queries import CLOCK_SLACK, count_queries

pytestmark = pytest.mark.pdf  # verifies an issued (rendered and signed) report

# Nothing changed: the report (with its subject's data version and the client's budget) and the log entry.
UNCHANGED_QUERIES = 2
# Changed: those two, and one query per record kind the report's rules count (penalties, listings, compulsions,
# judgments) with the objections and explanations on them (8 when written), with room for two.
CHANGED_QUERIES = 10


def new_penalties(company, first: int, last: int) -> list[str]:
    """Penalties in the report's period that it did not show (they arrived after it was issued)."""
    decided = timezone.localdate() - dt.timedelta(days=20)
    return [penalty(company, decided, decision_no=f"兰市监罚〔2026〕核计{i}号").decision_no for i in range(first, last)]


@pytest.fixture
def issued(db):
    company = entity("91620102MA71QRY04", "兰州核验计数测试有限公司")
    shown = penalty(company, timezone.localdate() - dt.timedelta(days=60), decision_no="兰市监罚〔2026〕核计原号")
    report = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")
    return company, shown, report


@pytest.mark.django_db
@pytest.mark.parametrize("via", ["page", "api"])
def test_verifying_a_code_costs_the_same_queries_for_two_changes_or_twelve(issued, via, django_assert_max_num_queries):
    company, shown, report = issued
    url = f"/verify/{report.verification_code}" if via == "page" else f"/api/v1/verify/{report.verification_code}"
    client = Client()
    added = new_penalties(company, 0, 1)
    change(shown, repaired_on=timezone.localdate())
    few = count_queries(lambda: client.get(url))  # the first verification since the change: worked out
    assert few <= CHANGED_QUERIES, f"verification ({via}) made {few} queries"
    added += new_penalties(company, 1, 11)
    with django_assert_max_num_queries(few + CLOCK_SLACK):
        response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode() if via == "page" else str(response.json()["changes"])
    assert all(number in text for number in added + [shown.decision_no])


@pytest.mark.django_db
@pytest.mark.parametrize("via", ["page", "api"])
def test_verifying_an_unchanged_report_again_costs_two_queries(issued, via, django_assert_num_queries):
    company, shown, report = issued
    url = f"/verify/{report.verification_code}" if via == "page" else f"/api/v1/verify/{report.verification_code}"
    client = Client()
    first = count_queries(lambda: client.get(url))
    assert first <= CHANGED_QUERIES
    for _ in range(2):  # the second and later verifications, by this client or another
        with django_assert_num_queries(UNCHANGED_QUERIES):
            response = Client().get(url)
        assert response.status_code == 200
    if via == "api":
        assert response.json()["result"] == "authentic" and response.json()["changes"] == []
    else:
        text = response.content.decode()
        assert "报告出具后，平台上相关信息未发生变化" in text
