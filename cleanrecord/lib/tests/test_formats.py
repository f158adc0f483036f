import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cleanrecord.lib.formats import percent, wan_yuan, yuan, zh_date, zh_datetime


def test_times_are_local_and_without_their_offset():
    noon_utc = dt.datetime(2026, 12, 7, 4, 30, tzinfo=dt.UTC)
    assert zh_datetime(noon_utc) == "2026年12月7日 12:30"  # Asia/Shanghai
    assert zh_datetime("2026-12-07T12:30:00+08:00") == "2026年12月7日 12:30"
    assert zh_datetime(timezone.make_aware(dt.datetime(2026, 1, 2, 9, 5))) == "2026年1月2日 09:05"
    assert zh_date(noon_utc) == "2026年12月7日"
    assert zh_date(dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC)) == "2027年1月1日"  # already the next day in Lanzhou
    assert zh_date("2024-03-01") == zh_datetime(dt.date(2024, 3, 1)) == "2024年3月1日"
    assert zh_date(None) == "" and zh_date("长期") == "长期"


@pytest.mark.parametrize(("value", "shown"), [
    (Decimal("8700.000000"), "8,700.00 元"), ("8.700000", "8.70 元"), (1234567.5, "1,234,567.50 元"), (0, "0.00 元"),
    (None, ""), ("", ""), ("未定", "未定"),
])
def test_amounts_are_yuan_with_separators_and_two_decimals(value, shown):
    assert yuan(value) == shown


@pytest.mark.parametrize(("value", "shown"), [
    (0.0303, "3.03%"), (Decimal("0.05"), "5%"), (1, "100%"), (0, "0%"), (0.123456, "12.35%"), (None, ""),
])
def test_shares_are_percentages(value, shown):
    assert percent(value) == shown


def test_amounts_kept_in_wan_yuan_are_shown_in_yuan():
    assert wan_yuan("8.700000") == "87,000.00 元" and wan_yuan(Decimal("0.05")) == "500.00 元" and wan_yuan(None) == ""
