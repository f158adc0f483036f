"""Verification's cache in Redis (CLEANRECORD_CACHE_URL), against the real local server: answers are kept there,
shared by every process, and a change is reported; with the cache unreachable, verification still answers."""

import datetime as dt
import uuid

import pytest
import redis
from django.test import Client, override_settings
from django.utils import timezone

from cleanrecord.records import changes as record_changes
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import entity, penalty
from cleanrecord.testing.queries import count_queries

pytestmark = [pytest.mark.pdf, pytest.mark.django_db]

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {REDIS_URL}: the Redis cache backend is not tested here")
    return client


@pytest.fixture
def redis_cache():
    """The platform's Redis cache, as settings.py makes it from CLEANRECORD_CACHE_URL, under a prefix of this test's."""
    server = _redis_or_skip()
    prefix = f"test-{uuid.uuid4().hex}"
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                               "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}):
        yield server, prefix
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def test_answers_are_kept_in_redis_and_a_change_is_reported(redis_cache, amr_clerk):
    server, prefix = redis_cache
    company = entity("91620102MA71RDC01", "兰州缓存测试有限公司")
    p = penalty(company, timezone.localdate() - dt.timedelta(days=30))
    report = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")
    url = f"/api/v1/verify/{report.verification_code}"

    assert Client().get(url).json()["changes"] == []
    assert len(list(server.scan_iter(f"{prefix}:*verify:changes:*"))) == 1  # the answer is in Redis
    assert count_queries(lambda: Client().get(url)) == 2

    record_changes.revoke(p, reason="决定已撤销", user=amr_clerk)
    assert Client().get(url).json()["changes"] == [
        {"domain": "市场监管", "number": p.decision_no, "what": "该记录已被撤销（或已删除），报告出具后不再计入"}]
    assert len(list(server.scan_iter(f"{prefix}:*verify:changes:*"))) == 2  # the old entry is no longer reached


def test_with_the_cache_unreachable_verification_still_answers(amr_clerk):
    company = entity("91620102MA71RDC02", "兰州缓存故障测试有限公司")
    p = penalty(company, timezone.localdate() - dt.timedelta(days=30))
    report = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")
    record_changes.mark_repaired(p, decision="兰信修〔2026〕2号", on=timezone.localdate(), user=amr_clerk)
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                               "LOCATION": "redis://127.0.0.1:1/0"}}):  # nothing listens there
        body = Client().get(f"/api/v1/verify/{report.verification_code}").json()
    assert body["result"] == "authentic"
    assert body["changes"][0]["what"] == f"该记录已于 {timezone.localdate()} 完成信用修复"
