"""Query count of issuing a report (services.issue_report): bounded, and the same for an entity with two
records or with twenty, so that an N+1 query in the rules, the snapshot or the audit shows up as a failure."""

import datetime as dt

import pytest
from django.utils import timezone

from cleanrecord.reports.services import issue_report
from cleanrecord.testing.queries import CLOCK_SLACK, count_queries

from .factories import compulsion, entity, listing, penalty

pytestmark = pytest.mark.pdf  # each issue renders and signs a real PDF

# The hourly cap, the day's number, the rules' queries per record kind and domain, the objections on the
# records, the as-of dates, the audit entry and the report row (27 when written), with room for three.
ISSUE_QUERIES = 30


def company_with_records(code_body: str, name: str, n: int):
    company = entity(code_body, name)
    today = timezone.localdate()
    for i in range(n):
        penalty(company, today - dt.timedelta(days=30 + i), decision_no=f"兰市监罚〔2026〕报计{code_body[-2:]}{i}号")
        listing(company, today - dt.timedelta(days=200 + i), case_no=f"（2026）甘01执报计{code_body[-2:]}{i}号")
        compulsion(company, today - dt.timedelta(days=90 + i))
    return company


def issue(company):
    return issue_report(credit_code=company.credit_code, domains="all", purpose="finance")


@pytest.mark.django_db
def test_issuing_a_report_costs_the_same_queries_for_few_records_or_many(django_assert_max_num_queries):
    issue(company_with_records("91620102MA71QRY10", "兰州出具计数预热有限公司", 1))  # the day's numbering begins
    few_records = company_with_records("91620102MA71QRY11", "兰州出具计数少量有限公司", 1)
    many_records = company_with_records("91620102MA71QRY12", "兰州出具计数大量有限公司", 7)
    few = count_queries(lambda: issue(few_records))
    assert few <= ISSUE_QUERIES, f"issuing a report made {few} queries"
    with django_assert_max_num_queries(few + CLOCK_SLACK):
        report = issue(many_records)
    assert sum(len(block["records"]) for block in report.snapshot["details"]) == 21
