"""The verification page as the verifier reads it: each domain's records with the labels the report printed,
what changed since issue beside the record it concerns, and a hint (that costs the budget of an unknown code and
reveals nothing) when a report number is typed where the verification code belongs."""

import datetime as dt
import re

import lxml.html
import pytest
from django.test import Client
from django.utils import timezone

from cleanrecord.objections.models import Objection
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import change, entity, listing, penalty
from cleanrecord.verification.models import ClientBudget, VerificationLog

TODAY = timezone.localdate()
UNDER_OBJECTION, REPAIRED, REMOVED = "兰市监罚〔2026〕异1号", "兰市监罚〔2026〕修2号", "（2024）甘01执移3号"


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def issued(db):
    """A report on every domain of a company with a penalty under objection, a repaired penalty and a listing that
    ended before the report was issued."""
    company = entity("91620102MA71PGH01", "兰州核验页面测试有限公司")
    objected = penalty(company, ago(90), decision_no=UNDER_OBJECTION)
    Objection.objects.create(kind="penalty", record_id=objected.pk, subject_key=company.credit_code)
    repaired = penalty(company, ago(200), decision_no=REPAIRED, repaired_on=ago(30))
    listing(company, ago(400), removed_on=ago(100), listing_ref=REMOVED, case_no=REMOVED)
    report = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")
    return company, objected, repaired, report


def tree(client: Client, url: str) -> tuple[int, lxml.html.HtmlElement]:
    response = client.get(url)
    return response.status_code, lxml.html.fromstring(response.content.decode())


def text(element) -> str:
    return " ".join(element.text_content().split())


def of_class(element, css_class: str, tag: str = "*") -> list:
    """The elements under `element` of a CSS class (lxml's cssselect needs a package the project does not have)."""
    return element.xpath(f".//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {css_class} ')]")


def record(page, number: str):
    """The record block (or line) of the report that shows `number`."""
    [found] = [r for r in of_class(page, "record") + of_class(page, "record-line") if number in text(r)]
    return found


def facts(element) -> dict[str, str]:
    return {text(dt): text(dt.getnext()) for dt in element.xpath(".//dl/dt")}


def labels(element) -> list[str]:
    return [text(tag) for tag in of_class(element, "tag")]


@pytest.mark.pdf
@pytest.mark.django_db
def test_each_domain_shows_its_records_with_the_labels_the_report_printed(issued):
    company, _, _, report = issued
    status, page = tree(Client(), f"/verify/{report.verification_code}")
    assert status == 200
    market = page.get_element_by_id("domain-market-regulation")
    assert text(market.xpath(".//h2")[0]) == "市场监管（2 条）"
    assert labels(record(market, UNDER_OBJECTION)) == ["异议处理中"]
    assert labels(record(market, REPAIRED)) == ["已修复"]
    printed = facts(record(market, REPAIRED))
    assert printed["处罚决定书文号"] == REPAIRED and printed["违法事实"] == "发布虚假广告"
    assert printed["处罚决定日期"] == ago(200).isoformat() and "罚没金额" not in printed  # empty: left out, as on the PDF
    court = page.get_element_by_id("domain-court-enforcement")
    assert labels(record(court, REMOVED)) == ["已移出名单"]
    assert facts(record(court, REMOVED))["列入期间"] == f"{ago(400)} 列入，{ago(100)} 移出"
    # As the PDF: a domain without records is a line of the summary, not a section.
    assert not page.xpath("//*[@id='domain-taxation']") and "税务" in text(of_class(page, "summary", "table")[0])
    assert page.get_element_by_id("no-changes") is not None and not of_class(page, "record-changes")
    assert text(page.get_element_by_id("credit-code")) == company.credit_code
    assert text(page.get_element_by_id("code")) == report.snapshot["verification_code_display"]


@pytest.mark.pdf
@pytest.mark.django_db
def test_what_changed_since_issue_stands_beside_the_record_and_domain_it_concerns(issued):
    company, objected, repaired, report = issued
    Objection.objects.filter(record_id=objected.pk).update(status="closed")
    Objection.objects.create(kind="penalty", record_id=repaired.pk, subject_key=company.credit_code)
    penalty(company, ago(10), decision_no="兰市监罚〔2026〕新4号")
    status, page = tree(Client(), f"/verify/{report.verification_code}")
    assert status == 200 and text(page.get_element_by_id("verdict")) == "真实有效"
    market = page.get_element_by_id("domain-market-regulation")
    assert "出具后变化：该记录的异议已办结" in text(of_class(record(market, UNDER_OBJECTION), "record-changes")[0])
    assert labels(record(market, UNDER_OBJECTION)) == ["异议处理中"]  # the label stays as printed
    assert "该记录在报告出具后被提出异议，正在处理中" in text(of_class(record(market, REPAIRED), "record-changes")[0])
    other = text(of_class(market, "domain-other-changes")[0])
    assert "兰市监罚〔2026〕新4号：报告出具后平台新增了查询期内的一条记录，报告未包含" in other
    court = page.get_element_by_id("domain-court-enforcement")
    assert not of_class(court, "record-changes")
    changed_rows = [text(row) for row in of_class(of_class(page, "summary", "table")[0], "row-changed", "tr")]
    assert len(changed_rows) == 1 and changed_rows[0].startswith("市场监管 出具后有变化")
    assert len(page.get_element_by_id("changes").xpath("./li")) == 3  # the summary above still lists them all


@pytest.mark.pdf
@pytest.mark.django_db
def test_a_new_record_in_a_domain_the_report_found_clean_is_shown_under_that_domain(issued):
    company, _, _, report = issued
    penalty(company, ago(5), domain="taxation", decision_no="兰税罚〔2026〕新5号")
    page = tree(Client(), f"/verify/{report.verification_code}")[1]
    taxes = page.get_element_by_id("domain-taxation")
    assert "查询期内，未发现" in text(taxes) and "兰税罚〔2026〕新5号：报告出具后平台新增" in text(taxes)


@pytest.mark.pdf
@pytest.mark.django_db
def test_the_records_page_of_an_unchanged_report_still_costs_two_queries(issued, django_assert_num_queries):
    report = issued[3]
    url = f"/verify/{report.verification_code}"
    Client().get(url)  # worked out once, then kept
    with django_assert_num_queries(2):
        response = Client().get(url)
    assert REPAIRED in response.content.decode() and "已移出名单" in response.content.decode()


def hint_page(client: Client, typed: str):
    response = client.get("/verify", {"code": typed}, follow=True)
    return response.status_code, response.content.decode()


@pytest.mark.pdf
@pytest.mark.django_db
def test_a_report_number_typed_for_the_code_gets_a_hint_that_costs_a_guess_and_reveals_nothing(issued):
    report = issued[3]
    client = Client(REMOTE_ADDR="198.51.100.23")
    status, real = hint_page(client, f" {report.number.lower()} ")
    assert status == 404
    hint = text(lxml.html.fromstring(real).get_element_by_id("report-number-hint"))
    assert f"“{report.number}”是报告编号，不是核验码" in hint and "印在报告首页“报告编号”的下一行" in hint
    assert ClientBudget.objects.get().tokens == pytest.approx(19, abs=0.1)
    unknown = report.number[:-6] + "999999"
    status, made_up = hint_page(client, unknown)
    assert status == 404 and ClientBudget.objects.get().tokens == pytest.approx(18, abs=0.1)

    def scrubbed(html: str, number: str) -> str:  # the page but for the number typed and the token in the form
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.replace(number, "NUMBER"))

    assert scrubbed(real, report.number) == scrubbed(made_up, unknown)
    assert report.snapshot["entity"]["name"] not in real
    assert list(VerificationLog.objects.values_list("report", "result")) == [(None, "not_found")] * 2


@pytest.mark.django_db
def test_a_typo_gets_no_report_number_hint_and_the_form_says_where_the_code_is(client):
    status, html = hint_page(client, "ABCD-EFGH")
    assert status == 404 and "未找到核验码为" in html and "是报告编号" not in html
    form = client.get("/verify").content.decode()
    assert "核验码由 20 位字母和数字组成" in form and "以 LZXY 开头、含出具日期的是报告编号" in form


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/entities/", "/verify", "/accounts/login/"])
def test_every_public_page_links_to_the_verification(client, url):
    page = lxml.html.fromstring(client.get(url).content.decode())
    assert [a.get("href") for a in page.xpath("//header//a") if text(a) == "报告核验"] == ["/verify"]


@pytest.mark.pdf
@pytest.mark.django_db
def test_an_english_report_shows_its_fields_and_labels_in_english_as_it_printed_them():
    company = entity("91620102MA71PGH04", "兰州核验英文报告测试有限公司")
    penalty(company, ago(200), decision_no=REPAIRED, repaired_on=ago(30))
    report = issue_report(credit_code=company.credit_code, domains="all", purpose="finance", language="en")
    page = tree(Client(), f"/verify/{report.verification_code}")[1]
    shown = record(page, REPAIRED)
    assert "Decision number" in text(shown) and "处罚决定书文号" not in text(shown)
    assert labels(shown) == ["Credit repaired"]
    chinese = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")
    shown = record(tree(Client(), f"/verify/{chinese.verification_code}")[1], REPAIRED)
    assert "处罚决定书文号" in text(shown) and labels(shown) == ["已修复"]


@pytest.mark.pdf
@pytest.mark.django_db
def test_a_long_domain_shows_one_line_per_record_and_as_many_as_the_report_printed(settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_MAX_PRINTED_RECORDS": 20}
    company = entity("91620102MA71PGH03", "兰州核验长报告测试有限公司")
    records = [penalty(company, ago(300 - i), decision_no=f"兰市监罚〔2026〕长{i}号", repaired_on=ago(10) if i == 0 else None)
               for i in range(25)]
    numbers = [r.decision_no for r in records]
    report = issue_report(credit_code=company.credit_code, domains=["market-regulation"], purpose="finance")
    change(records[-1], status="revoked")  # a record the report counted but did not print
    page = tree(Client(), f"/verify/{report.verification_code}")[1]
    market = page.get_element_by_id("domain-market-regulation")
    lines = of_class(market, "record-line", "li")
    assert len(lines) == 20 and not of_class(market, "record", "article")  # as the PDF: compact, the first 20
    assert numbers[0] in text(lines[0]) and labels(lines[0]) == ["已修复"]
    assert "本领域共 25 条记录，报告因篇幅所限列示前 20 条" in text(market)
    assert f"{numbers[-1]}：该记录已被撤销" in text(of_class(market, "domain-other-changes")[0])
