import datetime as dt

import pytest

from cleanrecord.lib.refusals import Refused
from cleanrecord.objections.models import Objection, SeverityExplanation
from cleanrecord.reports import rules

from .factories import compulsion, credit_code, entity, judgment, listing, penalty

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
    assert statement(content, "market-regulation") == "查询期内，未发现行政处罚、行政强制、严重失信记录"


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
    assert statement(content, "court-enforcement") == "查询期内，未发现行政处罚、行政强制、严重失信记录"
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
def test_the_nothing_found_statement_is_a_template_naming_the_kinds_searched(company, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_NOTHING_FOUND_TEXT": "未发现{kinds}记录。"}
    assert statement(report(company, domains=["taxation"]), "taxation") == "未发现行政处罚、行政强制、严重失信记录。"


@pytest.mark.django_db
def test_a_nothing_found_text_saved_before_the_template_keeps_its_words_and_names_the_kinds(company, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_NOTHING_FOUND_TEXT": "未发现违法违规记录。"}
    assert statement(report(company, domains=["taxation"]), "taxation") == \
        "未发现违法违规记录。（查询范围：行政处罚、行政强制、严重失信记录）"


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
    with pytest.raises(Refused, match=reason):
        rules.build_query(credit_code=company.credit_code, today=TODAY, **args)


@pytest.mark.django_db
def test_unknown_invalid_and_out_of_region_entities_are_refused(db):
    outsider = entity("91620200MA71RPT01", "嘉峪关测试有限公司")
    with pytest.raises(Refused, match="不在兰州市行政区域内"):
        report(outsider)
    with pytest.raises(Refused, match="未找到"):
        rules.build_query(credit_code=credit_code("91620102MA71RPT02"), domains="all", start=None, end=None,
                          purpose="other", today=TODAY)
    with pytest.raises(Refused, match="格式不正确"):
        rules.build_query(credit_code="12345", domains="all", start=None, end=None, purpose="other", today=TODAY)


@pytest.mark.django_db
def test_the_default_period_is_the_last_three_years(company):
    query = rules.build_query(credit_code=company.credit_code.lower(), domains="all", start=None, end=None,
                              purpose="other", today=TODAY)
    assert (query.start, query.end, query.all_domains) == (dt.date(2023, 11, 27), TODAY, True)


# -- 行政强制 ----------------------------------------------------------------------------------------

def records(content, domain="market-regulation", kind=None) -> list[dict]:
    for block in content["details"]:
        if block["code"] == domain:
            return [r for r in block["records"] if kind is None or r["kind"] == kind]
    return []


@pytest.mark.django_db
def test_a_compulsion_counts_only_when_decided_inside_the_period(company):
    on_first_day = compulsion(company, START)
    inside = compulsion(company, dt.date(2025, 3, 1))
    compulsion(company, START - dt.timedelta(days=1))
    content = report(company)
    assert [r["number"] for r in records(content, kind="compulsion")] == [on_first_day.decision_no, inside.decision_no]
    assert statement(content, "market-regulation").startswith("查询期内，该主体在本领域存在 2 条违法违规记录（行政强制 2 条）")


@pytest.mark.django_db
def test_a_lifted_compulsion_counts_labelled_lifted(company):
    lifted = compulsion(company, dt.date(2025, 3, 1), lifted_on=dt.date(2025, 4, 1))
    standing = compulsion(company, dt.date(2025, 5, 1), compulsion_type="enforcement", category="划拨存款汇款")
    first, second = records(report(company), kind="compulsion")
    assert (first["number"], first["labels"], first["lifted_on"]) == (lifted.decision_no, ["已解除"], "2025-04-01")
    assert "2025-04-01 解除" in first["period"]
    assert (second["number"], second["labels"], second["type"], second["category"]) == (
        standing.decision_no, [], "行政强制执行", "划拨存款汇款")
    assert "尚未解除" in second["period"]
    assert (second["content"], second["basis"]) == ("涉嫌生产销售不符合安全标准的食品", "《食品安全法》第一百一十条")


@pytest.mark.django_db
def test_revoked_confidential_other_region_and_other_domain_compulsions_never_count(company):
    compulsion(company, dt.date(2025, 3, 1), status="revoked", revoked_on=dt.date(2025, 3, 5))
    compulsion(company, dt.date(2025, 3, 2), confidential=True)
    compulsion(company, dt.date(2025, 3, 3), region_code="620200")  # 嘉峪关市
    compulsion(company, dt.date(2025, 3, 4), domain="taxation")
    content = report(company, domains=["market-regulation"])
    assert records(content) == []
    assert statement(content, "market-regulation") == "查询期内，未发现行政处罚、行政强制、严重失信记录"


# -- 刑事 --------------------------------------------------------------------------------------------

def judgment_numbers(content) -> list[str]:
    return [r["number"] for r in content["judgments"]["records"]]


@pytest.mark.django_db
def test_a_judgment_counts_when_it_took_effect_inside_the_period(company):
    # Judged before the period, effective inside it: counts. Judged inside, effective after the end: does not.
    effective_inside = judgment(company, START, judged_on=START - dt.timedelta(days=30))
    judgment(company, START - dt.timedelta(days=1))
    judgment(company, END - dt.timedelta(days=5), judged_on=dt.date(2025, 1, 1))
    content = report(company, end=END - dt.timedelta(days=10))
    assert judgment_numbers(content) == [effective_inside.case_no]
    record = content["judgments"]["records"][0]
    assert (record["category"], record["date"], record["amounts"]) == ("单位行贿罪", START.isoformat(), "罚金 50 万元")
    assert record["judged_on"] == (START - dt.timedelta(days=30)).isoformat()
    assert content["judgments"]["statement"] == "查询期内，该主体存在 1 条生效刑事判决记录，详见下文"


@pytest.mark.django_db
def test_acquittals_set_aside_revoked_confidential_and_other_region_judgments_never_count(company):
    judgment(company, dt.date(2025, 1, 1), verdict="acquitted", fine_wan=None, summary="被告单位无罪")
    judgment(company, dt.date(2025, 1, 2), set_aside_on=dt.date(2025, 6, 1))
    judgment(company, dt.date(2025, 1, 3), status="revoked", revoked_on=dt.date(2025, 2, 1))
    judgment(company, dt.date(2025, 1, 4), confidential=True)
    judgment(company, dt.date(2025, 1, 5), region_code="620200")
    content = report(company)
    assert content["judgments"] == {"found": 0, "statement": "查询期内，未发现刑事判决记录", "records": []}


@pytest.mark.django_db
def test_an_exempted_conviction_counts_and_says_so(company):
    judgment(company, dt.date(2025, 1, 1), verdict="exempted", fine_wan=None, other_sentence="")
    assert report(company)["judgments"]["records"][0]["amounts"] == "定罪免予刑事处罚"


@pytest.mark.django_db
def test_judgments_are_on_every_report_whatever_their_domain_unless_the_city_leaves_them_off_domain_reports(
        company, settings):
    j = judgment(company, dt.date(2025, 1, 1), domain_id="market-regulation")
    assert judgment_numbers(report(company)) == [j.case_no]
    assert judgment_numbers(report(company, domains=["taxation"])) == [j.case_no]
    assert records(report(company)) == []  # never inside a domain's block
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_JUDGMENTS_ON_SINGLE_DOMAIN": False}
    single = report(company, domains=["taxation"])
    assert single["judgments"] is None and single["rules"]["judgments_on_single_domain"] is False
    assert not any("刑事判决" in note for note in single["notes"][:1])
    assert judgment_numbers(report(company)) == [j.case_no]


@pytest.mark.django_db
def test_penalty_records_carry_violation_facts_basis_and_procedure(company):
    penalty(company, dt.date(2025, 1, 1), procedure="simple")
    record = records(report(company))[0]
    assert (record["violation"], record["facts"], record["basis"], record["procedure"]) == (
        "虚假宣传", "发布虚假广告", "《广告法》第五十五条", "简易程序")


@pytest.mark.django_db
def test_the_city_wording_is_in_the_content(company, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_TITLE": "专项信用报告",
                            "REPORT_NOT_COVERED": ["民事判决", "欠税"]}
    wording = report(company)["wording"]
    assert wording["title"] == "专项信用报告" and wording["not_covered"] == ["民事判决", "欠税"]
    assert "565号" in wording["legal_basis"] and "谁产生、谁负责" in wording["responsibility"]
    assert "应当予以认可" in wording["replaces"]
