"""Query counts of the menu (every page's header) and of the department records list: bounded, and the same
however many rows the user has (unread messages, records), so that an N+1 query shows up as a failure."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from cleanrecord.accounts.models import Notification
from cleanrecord.reports.tests.factories import entity, penalty
from cleanrecord.testing.actors import make_entity_user
from cleanrecord.testing.queries import CLOCK_SLACK, count_queries

# What the home page and its menu cost for the busiest role (the office: 10 when written; 9 for the others, 2 for
# anonymous visitors), with room for two: the session, the user, the menu's questions (office? clerk? acting for
# an entity? unread messages?), the page's domains and region. The rows' own cost is checked by equality below.
MENU_QUERIES = 12
# The session, the user, the clerk's departments, one page of records with their domain and department, the
# count (11 when written), with room for two.
RECORDS_QUERIES = 13
ROLES = ["anonymous", "office_user", "amr_clerk", "tax_clerk", "entity_owner", "outsider", "auditor", "bank_user"]


@pytest.fixture
def entity_owner(db) -> User:
    return make_entity_user("owner", entity("91620102MA71QRY00", "兰州查询计数测试有限公司"))


def logged_in(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def messages(user: User, n: int) -> None:
    Notification.objects.bulk_create(Notification(user=user, subject=f"待办事项{i}") for i in range(n))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_the_menu_costs_the_same_few_queries_however_many_messages_a_user_has(role, request,
                                                                               django_assert_max_num_queries):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    client = logged_in(user)
    assert client.get("/").status_code == 200  # caches warmed: the next requests are every page's cost
    few = count_queries(lambda: client.get("/"))
    assert few <= MENU_QUERIES, f"{role}: the home page made {few} queries"
    if user is not None:
        messages(user, 7)
        if role == "entity_owner":
            make_entity_user("owner-2", entity("91620102MA71QRY01", "兰州查询计数测试二有限公司"))
    with django_assert_max_num_queries(few + CLOCK_SLACK):
        html = client.get("/").content.decode()
    if user is not None:
        assert "消息（7）" in html  # the unread count is on the page: the rows were there to be counted


@pytest.mark.django_db
def test_the_department_records_list_costs_the_same_queries_for_three_rows_or_twenty(bob,
                                                                                   django_assert_max_num_queries):
    company = entity("91620102MA71QRY02", "兰州记录列表计数有限公司")
    decided = timezone.localdate() - dt.timedelta(days=30)
    for i in range(3):
        penalty(company, decided, decision_no=f"兰市监罚〔2026〕计{i}号")
    client = logged_in(bob)
    client.get("/department/records/")
    few = count_queries(lambda: client.get("/department/records/"))
    assert few <= RECORDS_QUERIES, f"the records list made {few} queries"
    for i in range(3, 20):
        penalty(company, decided, decision_no=f"兰市监罚〔2026〕计{i}号")
    with django_assert_max_num_queries(few + CLOCK_SLACK):
        html = client.get("/department/records/").content.decode()
    assert html.count("兰州记录列表计数有限公司") == 20
