"""Parallel report requests: the hourly cap per entity holds, and numbers stay unique without a 500."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from cleanrecord.accounts.tokens import create_token
from cleanrecord.reports.models import Report
from cleanrecord.testing.concurrency import run_at_once

from .factories import entity, penalty

pytestmark = pytest.mark.pdf  # every test here issues, renders or reads a real PDF

CAP = 3


def office_api() -> str:
    office = User.objects.create_user("office-parallel", password="pw-office-1")
    office.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    _, token = create_token(owner=office, name="并发测试", scopes=["reports:write"])
    return token


def request_report(token: str, credit_code: str):
    return Client(headers={"Authorization": f"Bearer {token}"}).post(
        "/api/v1/reports", {"credit_code": credit_code, "domains": ["market-regulation"], "purpose": "finance"},
        content_type="application/json")


def test_twice_the_cap_in_parallel_issues_exactly_the_cap(shared_database, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_ISSUE_PER_ENTITY_PER_HOUR": CAP}
    company = entity(name="兰州并发申请测试有限公司")
    penalty(company, timezone.localdate() - dt.timedelta(days=10))
    token = office_api()

    responses = run_at_once(lambda i: request_report(token, company.credit_code), 2 * CAP)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * CAP + [400] * CAP
    refusals = {r.json()["detail"] for r in responses if r.status_code == 400}
    assert refusals == {f"该主体一小时内已申请 {CAP} 份报告，请稍后再试"}
    assert Report.objects.filter(entity=company).count() == CAP
    numbers = [r.json()["number"] for r in responses if r.status_code == 201]
    assert len(set(numbers)) == CAP


def test_parallel_reports_of_many_entities_get_distinct_numbers(shared_database):
    companies = [entity(code_body=f"91620102MA71PAR{i:02d}", name=f"兰州并发编号测试{i}有限公司") for i in range(8)]
    token = office_api()

    responses = run_at_once(lambda i: request_report(token, companies[i].credit_code), len(companies))

    assert [r.status_code for r in responses] == [201] * len(companies)
    numbers = sorted(r.json()["number"] for r in responses)
    assert len(set(numbers)) == len(companies)
    assert [n[-6:] for n in numbers] == [f"{i:06d}" for i in range(1, len(companies) + 1)]
