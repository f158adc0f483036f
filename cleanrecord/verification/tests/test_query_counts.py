"""Query counts of verification by code, on the page and over the API: bounded, and the same whether two
records or twelve changed since the report was issued, so that an N+1 query shows up as a failure."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cleanrecord.records.models import Penalty
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import entity, penalty
from cleanrecord.testing.queries import CLOCK_SLACK, count_queries

pytestmark = pytest.mark.pdf  # verifies an issued (rendered and signed) report

# The guessing budget, the report, the log entry, and one query per record kind the report's rules count
# (penalties, listings, compulsions, judgments) with the objections on them (9 when written), with room for two.
VERIFY_QUERIES = 11


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
    Penalty.objects.filter(pk=shown.pk).update(repaired_on=timezone.localdate())
    client.get(url)
    few = count_queries(lambda: client.get(url))
    assert few <= VERIFY_QUERIES, f"verification ({via}) made {few} queries"
    added += new_penalties(company, 1, 11)
    with django_assert_max_num_queries(few + CLOCK_SLACK):
        response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode() if via == "page" else str(response.json()["changes"])
    assert all(number in text for number in added + [shown.decision_no])
