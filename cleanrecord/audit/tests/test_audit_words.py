"""The audit page reads entries out in words: Chinese verbs for action codes, "字段：旧值 → 新值" for the JSON."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cleanrecord.audit.services import record_event
from cleanrecord.audit.words import action_words, changes

pytestmark = pytest.mark.django_db


def cells(html: str, css: str) -> list[str]:
    return [re.sub(r"\s+", " ", c).strip() for c in re.findall(rf'<td class="{css}"[^>]*>(.*?)</td>', html, re.S)]


def test_the_auditor_reads_actions_as_verbs_and_changes_as_old_to_new(client, auditor, amr_clerk):
    record_event(user=amr_clerk, action="records.corrected", target="penalty:12",
                 before={"fine_wan": "8.700000", "decided_on": "2025-03-01", "content": "无照经营"},
                 after={"fine_wan": "0.500000", "decided_on": "2025-03-01", "content": "无照经营"})
    record_event(user=amr_clerk, action="accounts.grant", target="grant:3",
                 after={"entity": "91620102MA71QRY00", "grantee": "bank", "valid_until": "2026-12-31"})
    record_event(user=amr_clerk, action="reference.department_change", target="department:amr",
                 before={"what": "兰州市市场监督管理局"})
    client.force_login(auditor)
    html = client.get("/audit/").content.decode()
    assert cells(html, "action")[1:4] == ["修改部门信息", "授权查阅报告", "更正记录"]  # after the auditor's 登录
    assert "罚款金额：87,000.00 元 → 5,000.00 元" in html
    assert "决定日期" not in html  # unchanged fields are left out
    assert "截止日期：2026年12月31日" in html and "被授权方：bank" in html
    assert "&quot;" not in html.split("<details>")[0]  # the JSON only inside 原始数据


def test_times_on_the_audit_page_are_local_without_offset(client, auditor):
    entry = record_event(user=None, action="reports.issue", target="report:1")
    client.force_login(auditor)
    html = client.get("/audit/").content.decode()
    local = timezone.localtime(entry.at)
    assert f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}" in html and "+08:00" not in html


def test_the_action_filter_offers_verbs(client, auditor):
    record_event(user=None, action="objections.forward", target="objection:1")
    client.force_login(auditor)
    html = client.get("/audit/").content.decode()
    assert '<option value="objections.forward">转交部门核查</option>' in html


def test_admin_entries_name_the_model_and_unknown_codes_stay_visible():
    assert action_words("reference.department_change") == "修改部门信息"
    assert action_words("entities.entity_delete") == "删除经营主体"
    assert action_words("plugin.something_new") == "plugin.something_new"


def test_a_creation_lists_its_values_and_a_change_only_what_changed():
    created = [str(c) for c in changes(None, {"status": "active", "valid_from": "2026-01-05"})]
    assert created == ["状态：active", "起始日期：2026年1月5日"]
    changed = [str(c) for c in changes({"status": "active", "note": "a"}, {"status": "revoked", "note": "a"})]
    assert changed == ["状态：active → revoked"]
    assert [str(c) for c in changes({"is_active": True}, {"is_active": False})] == ["启用：是 → 否"]
    assert [str(c) for c in changes(None, {"at": dt.datetime(2026, 12, 7, 4, 30, tzinfo=dt.UTC).isoformat()})] == [
        "时间：2026年12月7日 12:30"]
