"""One site for every role: each lands on its own page with its own menu, every page has the footer and help,
and the error pages are Chinese, in the site's frame, with the request id."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.utils import timezone

from cleanrecord.accounts.models import ReportGrant
from cleanrecord.reports.tests.factories import entity
from cleanrecord.testing.actors import make_clerk, make_entity_user, make_member, make_user

from .failing_urls import refuse_queries

pytestmark = pytest.mark.django_db

FAILING_URLS = "cleanrecord.front.tests.failing_urls"
PASSWORD = "pw-site-1"
BIND_LICENCE = "营业执照"


def people() -> dict[str, User]:
    company = entity("91620102MA71QRY07", "兰州导航测试有限公司")
    bank = make_member("bank-site", "兰州导航测试银行", password=PASSWORD)
    ReportGrant.objects.create(entity=company, organisation=bank.membership.organisation, valid_from=timezone.localdate(),
                               valid_until=timezone.localdate() + dt.timedelta(days=30))
    return {
        "office": make_user("alice-site", "add_importbatch", password=PASSWORD),
        "auditor": make_user("audrey-site", "audit.view_auditentry", password=PASSWORD),
        "clerk": make_clerk("bob-site", "amr", password=PASSWORD),
        "entity": make_entity_user("owner-site", company, password=PASSWORD),
        "bank": bank,
        "new bank": make_user("bank-new", password=PASSWORD),  # no entity has granted it anything yet
    }


# What each role finds in its menu, and what it does not.
MENUS = {
    "office": (["异议受理", "数据看板", "数据质量", "数据来源与时效", "推广应用统计", "工作日历", "后台任务", "数据报送"],
               ["我的主体", "授权查阅的报告", "审计日志", "异议答复"]),
    "auditor": (["审计日志", "报告核验"], ["我的主体", "数据报送", "数据看板", "授权查阅的报告"]),
    "clerk": (["数据报送", "本部门记录", "异议答复", "无新增数据确认", "本部门数据质量"],
              ["我的主体", "数据看板", "审计日志", "授权查阅的报告"]),
    "entity": (["我的主体", "我的异议"], ["数据报送", "数据看板", "审计日志", "授权查阅的报告"]),
    "bank": (["授权查阅的报告", "报告核验"], ["我的主体", "我的异议", "数据报送", "审计日志"]),
    "new bank": (["授权查阅的报告", "报告核验"], ["我的主体", "我的异议", "数据报送", "审计日志"]),
}
LANDINGS = {"office": "/office/objections/", "auditor": "/audit/", "clerk": "/imports/", "entity": "/my/",
            "bank": "/my/", "new bank": "/my/"}


def menu_of(page: str) -> str:
    found = re.search(r'<nav class="menu".*?</nav>', page, re.S)
    assert found is not None, "the page has no menu"
    return found.group(0)


def footer_of(page: str) -> str:
    found = re.search(r'<footer class="site-footer">.*?</footer>', page, re.S)
    assert found is not None, "the page has no footer"
    return found.group(0)


@pytest.mark.parametrize("role", list(LANDINGS))
def test_each_role_lands_on_its_own_page_with_its_own_menu(role):
    user = people()[role]
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == LANDINGS[role]
    landed = client.get(response["Location"])
    assert landed.status_code == 200
    page = landed.content.decode()
    shown, hidden = MENUS[role]
    menu = menu_of(page)
    for item in shown:
        assert item in menu, f"{role} misses {item}"
    for item in hidden:
        assert item not in menu, f"{role} sees {item}"
    if role in ("auditor", "bank", "new bank"):
        assert BIND_LICENCE not in page  # never told to bind a business licence it does not have


def test_a_bank_sees_the_reports_granted_to_it_and_one_without_grants_is_told_how_to_verify():
    users = people()
    bank = Client()
    bank.force_login(users["bank"])
    assert "兰州导航测试有限公司" in bank.get("/my/").content.decode()
    new = Client()
    new.force_login(users["new bank"])
    page = new.get("/my/").content.decode()
    assert "本账号尚未加入任何机构" in page and 'href="/verify"' in page and BIND_LICENCE not in page


@pytest.mark.parametrize("url", ["/", "/entities/", "/verify", "/help/", "/accounts/login/", "/no-such-page/"])
def test_every_page_has_the_footer_with_sponsor_contact_filing_number_and_help(client, settings, url):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "SPONSOR": "兰州市信用办（测试）", "CONTACT": "0931-0000000",
                            "ICP": "陇ICP备00000000号"}
    page = client.get(url).content.decode()
    footer = footer_of(page)
    assert "主办单位：兰州市信用办（测试）" in footer and "联系方式：0931-0000000" in footer
    assert "陇ICP备00000000号" in footer and 'href="https://beian.miit.gov.cn/"' in footer
    assert 'href="/help/"' in footer and 'href="/help/policy/"' in footer


def test_the_default_footer_names_the_lanzhou_credit_office_and_no_filing_number(client):
    footer = footer_of(client.get("/").content.decode())
    assert "主办单位：兰州市社会信用体系建设领导小组办公室" in footer and "beian" not in footer


@pytest.mark.parametrize(("url", "says"), [
    ("/help/", "部门报送员：如何报送、更正数据"),
    ("/help/entities/", "申请专用信用报告"),
    ("/help/verifiers/", "异议处理中"),
    ("/help/clerks/", "确认导入"),
    ("/help/policy/", "甘肃省社会信用条例"),
])
def test_help_pages_are_open_to_anyone(client, url, says):
    response = client.get(url)
    assert response.status_code == 200 and says in response.content.decode()


def test_the_policy_page_quotes_the_report_rules_in_force(client):
    page = client.get("/help/policy/").content.decode()
    assert "最长 5 年" in page and "默认查询出具前 3 年内" in page and "30 天内有效" in page
    assert "不予行政处罚的，不列入违法违规记录" in page
    assert "覆盖的 38 个领域" in page and "市场监管" in page
    assert "发改财金〔2025〕565号" in page  # the legal basis sentence the report prints


def test_the_home_page_names_domains_without_their_codes(client):
    page = client.get("/").content.decode()
    assert "市场监管" in page and "<small>amr</small>" not in page and ">amr<" not in page


@override_settings(DEBUG=False)
def test_a_missing_page_is_chinese_in_the_sites_frame_with_its_request_id(client, office_user):
    client.force_login(office_user)
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and f"错误编号：{response['X-Request-ID']}" in page
    assert "数据看板" in menu_of(page) and '<footer class="site-footer">' in page  # the frame, with the user's menu
    assert "Not Found" not in page and "The requested resource" not in page


@override_settings(DEBUG=False)
def test_a_missing_entity_says_what_was_not_found_but_djangos_english_never(client, amr_clerk):
    page = client.get("/entities/91620102MA71NOPE0X/").content.decode()
    assert "未找到该经营主体" in page
    client.force_login(amr_clerk)
    missing = client.get("/department/records/penalty/999999/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()
    assert "matches the given query" not in missing.content.decode()


@override_settings(DEBUG=False)
def test_a_refused_page_is_chinese_in_the_sites_frame_with_its_request_id(client, amr_clerk):
    client.force_login(amr_clerk)
    response = client.get("/audit/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in page and "您没有执行此操作的权限" in page and f"错误编号：{response['X-Request-ID']}" in page
    assert "数据报送" in menu_of(page) and '<footer class="site-footer">' in page
    assert "403 Forbidden" not in page


@override_settings(ROOT_URLCONF=FAILING_URLS, DEBUG=False)
def test_a_refusal_with_no_message_shows_the_general_one(client):
    response = client.get("/test-only/refuses")
    assert response.status_code == 403
    page = response.content.decode()
    assert "您没有执行此操作的权限" in page and "登录后再试" in page


@override_settings(ROOT_URLCONF=FAILING_URLS, DEBUG=False)
def test_the_server_error_page_is_in_the_sites_frame_and_needs_no_database(client, office_user):
    client.force_login(office_user)
    client.raise_request_exception = False
    try:
        response = client.get("/test-only/fails-without-database")
    finally:
        from django.db import connection  # the wrapper the failing view put on the test's connection

        connection.execute_wrappers.remove(refuse_queries)
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器内部错误" in page and f"错误编号：{response['X-Request-ID']}" in page
    assert '<footer class="site-footer">' in page and "主办单位：" in page and 'href="/help/"' in page
    assert "ZeroDivisionError" not in page and "DatabaseGone" not in page


@override_settings(DEBUG=False)
def test_a_stale_form_is_explained_in_chinese(office_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office_user)
    response = client.post("/my/messages/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "表单已失效" in page and "CSRF" not in page
