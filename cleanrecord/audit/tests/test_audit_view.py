import datetime as dt

import pytest
from django.utils import timezone

from cleanrecord.audit.models import AuditEntry
from cleanrecord.audit.services import record_event

pytestmark = pytest.mark.django_db

URL = "/audit/"


@pytest.fixture
def trail(clerk):
    record_event(user=clerk, action="records.import", target="batch:7", after={"rows": 12})
    record_event(user=clerk, action="records.revoked", target="penalty:兰市监罚〔2025〕1号",
                 before={"status": "active"}, after={"status": "revoked", "reason": "复议撤销"})
    record_event(user=None, action="reports.issue", target="report:LZXY-2026-0001")


def rows(response) -> str:
    return response.content.decode()


def test_an_auditor_reads_the_trail_newest_first_with_before_and_after(client, auditor, trail):
    client.force_login(auditor)
    response = client.get(URL)
    assert response.status_code == 200
    html = rows(response)
    assert "审计日志" in html
    assert html.index("report:LZXY-2026-0001") < html.index("penalty:兰市监罚〔2025〕1号") < html.index("batch:7")
    assert "&quot;reason&quot;: &quot;复议撤销&quot;" in html and "&quot;status&quot;: &quot;active&quot;" in html


def test_an_auditor_filters_by_action(client, auditor, trail):
    client.force_login(auditor)
    html = rows(client.get(URL, {"action": "records.revoked"}))
    assert "penalty:兰市监罚〔2025〕1号" in html
    assert "batch:7" not in html and "report:LZXY-2026-0001" not in html


def test_an_auditor_filters_by_actor_and_target(client, auditor, trail):
    client.force_login(auditor)
    html = rows(client.get(URL, {"actor": "bob", "target": "batch"}))
    assert "batch:7" in html
    assert "penalty:" not in html and "report:LZXY" not in html


def test_an_auditor_filters_by_days_in_local_time(client, auditor, trail):
    client.force_login(auditor)
    today = timezone.localdate()
    assert "batch:7" in rows(client.get(URL, {"date_from": today.isoformat(), "date_to": today.isoformat()}))
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert "batch:7" not in rows(client.get(URL, {"date_from": tomorrow}))
    assert "batch:7" not in rows(client.get(URL, {"date_to": (today - dt.timedelta(days=1)).isoformat()}))


def test_a_mistyped_date_is_pointed_out_and_the_other_filters_still_apply(client, auditor, trail):
    client.force_login(auditor)
    html = rows(client.get(URL, {"action": "records.revoked", "date_from": "2025-13-01"}))
    assert "输入一个有效的日期" in html
    assert "penalty:兰市监罚〔2025〕1号" in html and "batch:7" not in html


def test_the_trail_is_paginated_and_pages_keep_the_filter(client, auditor):
    for i in range(55):
        record_event(user=None, action="test.bulk", target=f"thing:{i}")
    client.force_login(auditor)
    first = rows(client.get(URL, {"action": "test.bulk"}))
    assert "thing:54" in first and "thing:4<" not in first
    assert "action=test.bulk&amp;page=2" in first
    second = rows(client.get(URL, {"action": "test.bulk", "page": 2}))
    assert "thing:4<" in second and "thing:54" not in second


def test_a_superuser_reads_the_trail(client, superuser, trail):
    client.force_login(superuser)
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("actor", ["clerk", "outsider"])
def test_anyone_else_logged_in_is_refused(client, request, actor, trail):
    client.force_login(request.getfixturevalue(actor))
    response = client.get(URL)
    assert response.status_code == 403
    assert "batch:7" not in rows(response)


def test_an_anonymous_visitor_is_sent_to_log_in(client, trail):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_offers_no_way_to_change_anything(client, auditor, trail):
    client.force_login(auditor)
    assert 'method="post"' not in rows(client.get(URL)).split("<main>")[1]
    assert client.post(URL).status_code == 405
    assert AuditEntry.objects.count() >= 3
