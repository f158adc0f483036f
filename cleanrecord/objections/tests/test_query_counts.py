"""Query count of the office's objections list: bounded, and the same for two objections or twelve (and as
many explanation requests), so that an N+1 query shows up as a failure."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cleanrecord.objections import workflow
from cleanrecord.reports.tests.factories import entity, penalty
from cleanrecord.testing.actors import make_entity_user
from cleanrecord.testing.queries import CLOCK_SLACK, count_queries

# The session, the user and their permissions, the menu, four status counts, the overdue count, one page of
# objections with their department, its count, the explanation requests, the calendar warning (16 when written),
# with room for two.
OFFICE_LIST_QUERIES = 18


def object_to_new_penalties(owner, company, first: int, last: int) -> None:
    decided = timezone.localdate() - dt.timedelta(days=40)
    for i in range(first, last):
        record = penalty(company, decided, decision_no=f"兰市监罚〔2026〕异计{i}号")
        workflow.file_objection(user=owner, kind="penalty", subject_key=company.credit_code, record_id=record.pk,
                                reason="content_wrong", statement=f"第{i}条记录的罚款金额有误")
        workflow.request_explanation(user=owner, subject_key=company.credit_code, record_id=record.pk,
                                     reason="用于招投标")


@pytest.mark.django_db
def test_the_office_objections_list_costs_the_same_queries_for_two_objections_or_twelve(office_user,
                                                                                        django_assert_max_num_queries):
    company = entity("91620102MA71QRY03", "兰州异议列表计数有限公司")
    owner = make_entity_user("owner", company)
    object_to_new_penalties(owner, company, 0, 2)
    client = Client()
    client.force_login(office_user)
    client.get("/office/objections/")
    few = count_queries(lambda: client.get("/office/objections/"))
    assert few <= OFFICE_LIST_QUERIES, f"the office's objections list made {few} queries"
    object_to_new_penalties(owner, company, 2, 12)
    with django_assert_max_num_queries(few + CLOCK_SLACK):
        html = client.get("/office/objections/").content.decode()
    assert all(f"兰市监罚〔2026〕异计{i}号" in html for i in range(12))
