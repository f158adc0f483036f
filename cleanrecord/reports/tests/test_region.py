"""Region as a set of codes: a province, a city or a county deploys the same code, and listings by
authorities elsewhere count as CLEANRECORD_REPORT_LISTINGS_ANY_REGION says."""

import datetime as dt

import pypdfium2
import pytest
from django.utils import timezone

from cleanrecord.lib.refusals import Refused
from cleanrecord.reports import rules
from cleanrecord.reports.services import issue_report
from cleanrecord.testing.regions import COUNTY, PROVINCE, other_region  # noqa: F401
from cleanrecord.verification.services import changes_since_issue

from .factories import entity, listing, penalty

TODAY = dt.date(2026, 11, 26)
DAY = dt.date(2025, 5, 1)
XIAN_AMR = "11610100MB0000001X"  # an authority registered in 西安市


def report(e, domains="all"):
    query = rules.build_query(credit_code=e.credit_code, domains=domains, start=None, end=None, purpose="finance",
                              today=TODAY)
    return rules.compute(query, today=TODAY)


def numbers(content) -> list[str]:
    return [r["number"] for block in content["details"] for r in block["records"]]


def pdf_text(pdf: bytes) -> str:
    doc = pypdfium2.PdfDocument(pdf)
    return "".join(page.get_textpage().get_text_range() for page in doc).replace("\r", "").replace("\n", "")


@pytest.mark.django_db
def test_a_province_reports_on_entities_and_authorities_of_every_city(other_region):  # noqa: F811
    other_region(PROVINCE)
    jiayuguan = entity("91620200MA71RPT01", "嘉峪关省级测试有限公司")
    by_city = penalty(jiayuguan, DAY, region_code="620200")
    by_province = penalty(jiayuguan, DAY, region_code="620000")
    # No 地方编码 (the national layout has none): the authority's credit code says where it is.
    unnamed_here = penalty(jiayuguan, DAY, region_code="")  # 甘肃省市场监督管理局, 11620000…
    penalty(jiayuguan, DAY, region_code="610100")
    penalty(jiayuguan, DAY, region_code="", authority_code=XIAN_AMR)

    content = report(jiayuguan)
    assert sorted(numbers(content)) == sorted([by_city.decision_no, by_province.decision_no, unnamed_here.decision_no])
    assert content["region"] == {"code": "620000", "name": "甘肃省"}
    assert numbers(report(entity("91620102MA71RPT00", "兰州省级测试有限公司"))) == []  # 兰州市 is in the province
    with pytest.raises(Refused, match=r"该主体登记地（610102）不在甘肃省行政区域内"):
        report(entity("91610102MA71RPT02", "西安测试有限公司"))


@pytest.mark.pdf
@pytest.mark.django_db
def test_a_province_report_prints_its_region_and_the_records_of_its_cities(other_region):  # noqa: F811
    other_region(PROVINCE)
    jiayuguan = entity("91620200MA71RPT01", "嘉峪关省级测试有限公司")
    found = penalty(jiayuguan, timezone.localdate() - dt.timedelta(days=30), region_code="620200",
                    decision_no="嘉市监罚〔2026〕7号")
    penalty(jiayuguan, timezone.localdate() - dt.timedelta(days=30), region_code="610100", decision_no="西市监罚〔2026〕9号")

    issued = issue_report(credit_code=jiayuguan.credit_code, domains=["market-regulation"], purpose="finance")

    text = pdf_text(issued.pdf_bytes())
    assert "甘肃省行政区域内" in text and found.decision_no in text
    assert "西市监罚〔2026〕9号" not in text
    assert changes_since_issue(issued) == []


@pytest.mark.django_db
def test_a_county_reports_on_its_own_entities_and_authorities_only(other_region):  # noqa: F811
    other_region(COUNTY)
    company = entity("91620102MA71RPT00", "城关区县级测试有限公司")
    by_county = penalty(company, DAY, region_code="620102")
    unnamed_here = penalty(company, DAY, region_code="")  # 兰州市城关区市场监督管理局, 11620102…
    penalty(company, DAY, region_code="620100")  # the city's: not the county's authority
    penalty(company, DAY, region_code="", authority_code="11620100MB00000010")

    assert sorted(numbers(report(company))) == sorted([by_county.decision_no, unnamed_here.decision_no])
    with pytest.raises(Refused, match=r"该主体登记地（620103）不在城关区行政区域内"):
        report(entity("91620103MA71RPT03", "七里河测试有限公司"))
    with pytest.raises(Refused, match=r"不在城关区行政区域内"):
        report(entity("91620100MA71RPT04", "兰州市本级测试有限公司"))


@pytest.mark.django_db
def test_the_city_counts_a_penalty_without_a_region_code_by_its_authoritys_code(db):
    company = entity()
    here = penalty(company, DAY, region_code="")  # 兰州市市场监督管理局
    penalty(company, DAY, region_code="", authority_code="11620200MB00000018")  # 嘉峪关市
    penalty(company, DAY, region_code="620200")
    assert numbers(report(company)) == [here.decision_no]


def listings_of(company) -> dict[str, str]:
    """The three listings every listing test looks at, by what they are."""
    return {
        "here": listing(company, DAY, list_type="政府采购严重违法失信行为记录名单", domain="finance").listing_ref,
        "national elsewhere": listing(company, DAY, region_code="110105", authority_code="12110105MB0000001A",
                                      authority_name="北京市朝阳区人民法院").listing_ref,
        "local elsewhere": listing(company, DAY, region_code="", authority_code="11610100MB0000001X",
                                   list_type="西安市守信激励失信惩戒名单", case_no="", decision_no="西信〔2025〕3号",
                                   listing_ref="西信〔2025〕3号", domain="finance").listing_ref,
    }


def listed(content) -> set[str]:
    return {r["number"] for block in content["details"] for r in block["records"] if r["kind"] == "listing"}


@pytest.mark.django_db
def test_by_default_national_lists_count_wherever_listed_and_local_lists_only_of_the_region(db):
    company = entity()
    refs = listings_of(company)
    content = report(company)
    assert listed(content) == {refs["here"], refs["national elsewhere"]}
    assert content["rules"]["listings_any_region"] == "national"
    assert "失信被执行人" in content["rules"]["national_list_types"]
    assert "严重失信主体名单中的全国性名单（如失信被执行人名单），不论认定部门所在地，均予列示。" in content["notes"]


@pytest.mark.django_db
def test_all_lets_every_listing_count_wherever_its_authority_is(db, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_LISTINGS_ANY_REGION": "all"}
    company = entity()
    refs = listings_of(company)
    content = report(company)
    assert listed(content) == set(refs.values())
    assert "严重失信主体名单不论认定部门所在地，均予列示。" in content["notes"]


@pytest.mark.django_db
def test_none_counts_listings_of_the_region_only(db, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_LISTINGS_ANY_REGION": "none"}
    company = entity()
    refs = listings_of(company)
    content = report(company)
    assert listed(content) == {refs["here"]}
    assert not [n for n in content["notes"] if "认定部门所在地" in n]


@pytest.mark.django_db
def test_the_national_lists_are_a_setting(db, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_NATIONAL_LIST_TYPES": ["西安市守信激励失信惩戒名单"]}
    company = entity()
    refs = listings_of(company)
    assert listed(report(company)) == {refs["here"], refs["local elsewhere"]}


@pytest.mark.pdf
@pytest.mark.django_db
def test_a_report_is_verified_by_the_listing_rule_it_was_issued_under(db, settings):
    company = entity()
    listing(company, timezone.localdate() - dt.timedelta(days=30), region_code="110105",
            authority_code="12110105MB0000001A", list_type="某地方名单", case_no="（2026）京0105执1号")
    issued = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")
    assert issued.records_found == 0
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_LISTINGS_ANY_REGION": "all"}
    assert changes_since_issue(issued) == []  # the rule changed, the data did not

    # A report issued before the setting existed searched listings of every region.
    old = issued.snapshot["rules"]
    old.pop("listings_any_region")
    old.pop("national_list_types")
    scope = rules.Scope(company.credit_code, None, issued.period_start, issued.period_end)
    assert rules.counted_listings(scope, old).count() == 1
