import datetime as dt

import pytest

from cleanrecord.objections.models import Objection, SeverityExplanation
from cleanrecord.reports import rules

from .factories import credit_code, entity, listing, penalty

TODAY = dt.date(2026, 11, 26)
START, END = dt.date(2023, 11, 27), TODAY


def report(e, domains="all", start=START, end=END, purpose="finance"):
    query = rules.build_query(credit_code=e.credit_code, domains=domains, start=start, end=end, purpose=purpose,
                              today=TODAY)
    return rules.compute(query, today=TODAY)


def numbers(content, domain="market-regulation") -> list[str]:
    for block in content["details"]:
        if block["code"] == domain:
            return [r["number"] for r in block["records"]]
    return []


def statement(content, domain) -> str:
    return next(s["statement"] for s in content["summary"] if s["code"] == domain)


@pytest.fixture
def company(db):
    return entity()


@pytest.mark.django_db
def test_a_penalty_counts_only_when_decided_inside_the_period(company):
    inside = penalty(company, dt.date(2024, 5, 1))
    on_first_day = penalty(company, START)
    before = penalty(company, START - dt.timedelta(days=1))
    assert numbers(report(company)) == [on_first_day.decision_no, inside.decision_no]
    assert before.decision_no not in numbers(report(company))


@pytest.mark.django_db
def test_revoked_confidential_and_not_penalised_decisions_never_count(company):
    penalty(company, dt.date(2024, 5, 1), status="revoked", revoked_on=dt.date(2024, 6, 1))
    penalty(company, dt.date(2024, 5, 2), confidential=True)
    penalty(company, dt.date(2024, 5, 3), not_penalised=True, categories="不予行政处罚")
    content = report(company)
    assert numbers(content) == []
    assert statement(content, "market-regulation") == "查询期内，未发现该主体在本领域存在违法违规记录"


@pytest.mark.django_db
def test_simple_procedure_penalties_count_unless_the_city_excludes_them(company, settings):
    simple = penalty(company, dt.date(2024, 5, 1), procedure="simple")
    assert numbers(report(company)) == [simple.decision_no]
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_INCLUDE_SIMPLE_PROCEDURE": False}
    content = report(company)
    assert numbers(content) == []
    assert content["rules"]["include_simple_procedure"] is False
    assert any("简易程序作出的行政处罚：不含" in n for n in content["notes"])


@pytest.mark.django_db
def test_repaired_records_are_labelled_or_hidden_as_configured(company, settings):
    repaired = penalty(company, dt.date(2024, 5, 1), repaired_on=dt.date(2025, 1, 1), repair_decision="兰信修〔2025〕1号")
    record = report(company)["details"][0]["records"][0]
    assert (record["number"], record["labels"]) == (repaired.decision_no, ["已修复"])
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_REPAIRED_RECORDS": "hide"}
    assert numbers(report(company)) == []


@pytest.mark.django_db
def test_a_record_under_objection_is_shown_with_its_label_and_an_explanation_under_it(company):
    p = penalty(company, dt.date(2024, 5, 1))
    Objection.objects.create(kind="penalty", record_id=p.pk, subject_key=company.credit_code)
    SeverityExplanation.objects.create(kind="penalty", record_id=p.pk, subject_key=company.credit_code,
                                       category="不属于重大违法违规行为", text="情节轻微，已改正。", signer="兰州市市场监督管理局",
                                       signed_on=dt.date(2025, 2, 1))
    record = report(company)["details"][0]["records"][0]
    assert record["labels"] == ["异议处理中"]
    assert record["explanation"] == {"category": "不属于重大违法违规行为", "text": "情节轻微，已改正。",
                                     "signer": "兰州市市场监督管理局", "date": "2025-02-01"}
    Objection.objects.update(status="closed")
    assert report(company)["details"][0]["records"][0]["labels"] == []


@pytest.mark.django_db
def test_another_regions_authority_does_not_count(company):
    penalty(company, dt.date(2024, 5, 1), region_code="620200")  # 嘉峪关市
    assert numbers(report(company)) == []


@pytest.mark.django_db
def test_only_the_chosen_domains_are_searched_and_reported_in_domain_order(company):
    penalty(company, dt.date(2024, 5, 1), domain="taxation")
    content = report(company, domains=["taxation", "court-enforcement"])
    assert [s["code"] for s in content["summary"]] == ["court-enforcement", "taxation"]
    assert statement(content, "court-enforcement") == "查询期内，未发现该主体在本领域存在违法违规记录"
    assert statement(content, "taxation").startswith("查询期内，该主体在本领域存在 1 条")
    assert numbers(report(company, domains=["market-regulation"])) == []
    assert len(report(company)["summary"]) == 38


@pytest.mark.django_db
def test_a_listing_counts_when_the_entity_was_on_the_list_at_any_time_in_the_period(company):
    overlapping = listing(company, dt.date(2022, 1, 1), removed_on=dt.date(2024, 1, 1))
    still_listed = listing(company, dt.date(2025, 1, 1))
    listing(company, dt.date(2021, 1, 1), removed_on=dt.date(2022, 1, 1))  # removed before the period
    content = report(company, domains=["court-enforcement"])
    records = content["details"][0]["records"]
    assert [r["number"] for r in records] == [overlapping.case_no, still_listed.case_no]
    assert records[0]["labels"] == ["已移出名单"] and "2024-01-01 移出" in records[0]["period"]
    assert "至今未移出" in records[1]["period"]


@pytest.mark.django_db
def test_the_nothing_found_statement_is_configurable(company, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_NOTHING_FOUND_TEXT": "未发现违法违规记录。"}
    assert statement(report(company, domains=["taxation"]), "taxation") == "未发现违法违规记录。"


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "reason"), [
    ({"domains": []}, "请至少选择一个领域"),
    ({"domains": ["no-such-domain"]}, "未知领域：no-such-domain"),
    ({"start": dt.date(2025, 1, 2), "end": dt.date(2025, 1, 1)}, "不能晚于查询期止"),
    ({"end": TODAY + dt.timedelta(days=1)}, "不能晚于今天"),
    ({"start": dt.date(2021, 11, 25)}, "最长追溯 5 年"),
    ({"purpose": "lottery"}, "用途应为"),
])
def test_impossible_requests_are_refused_with_a_reason(company, change, reason):
    args = {"domains": "all", "start": START, "end": END, "purpose": "finance", **change}
    with pytest.raises(rules.ReportRefused, match=reason):
        rules.build_query(credit_code=company.credit_code, today=TODAY, **args)


@pytest.mark.django_db
def test_unknown_invalid_and_out_of_region_entities_are_refused(db):
    outsider = entity("91620200MA71RPT01", "嘉峪关测试有限公司")
    with pytest.raises(rules.ReportRefused, match="不在兰州市行政区域内"):
        report(outsider)
    with pytest.raises(rules.ReportRefused, match="未找到"):
        rules.build_query(credit_code=credit_code("91620102MA71RPT02"), domains="all", start=None, end=None,
                          purpose="other", today=TODAY)
    with pytest.raises(rules.ReportRefused, match="格式不正确"):
        rules.build_query(credit_code="12345", domains="all", start=None, end=None, purpose="other", today=TODAY)


@pytest.mark.django_db
def test_the_default_period_is_the_last_three_years(company):
    query = rules.build_query(credit_code=company.credit_code.lower(), domains="all", start=None, end=None,
                              purpose="other", today=TODAY)
    assert (query.start, query.end, query.all_domains) == (dt.date(2023, 11, 27), TODAY, True)
