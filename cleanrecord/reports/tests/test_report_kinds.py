"""行政强制, 刑事 and the city's wording, as the issued PDF prints them (read back with pypdf)."""

import datetime as dt
import io
import json
import re
from pathlib import Path

import pypdf
import pytest
from django.utils import timezone

from cleanrecord.reports.render import render_pdf
from cleanrecord.reports.services import issue_report

from .factories import compulsion, entity, judgment, listing, penalty

pytestmark = pytest.mark.pdf  # every test here issues, renders or reads a real PDF

LEGACY_SNAPSHOT = Path(__file__).parent / "data" / "snapshot-before-issue-13.json"
TODAY = timezone.localdate()
NOTHING = "查询期内，未发现行政处罚、行政强制、严重失信记录"


def text_of(pdf: bytes) -> str:
    """The PDF's text without white space: table cells wrap wherever the width runs out."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def issued(e, domains="all", **kwargs) -> tuple[dict, str]:
    report = issue_report(credit_code=e.credit_code, domains=domains, purpose="finance", **kwargs)
    return report.snapshot, text_of(report.pdf_bytes())


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def company(db):
    return entity(name="兰州新类别测试有限公司")


# -- 行政强制 ----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_compulsion_in_the_period_prints_in_its_domain_with_type_reason_basis_and_dates(company):
    compulsion(company, ago(100), decision_no="兰市监强〔2026〕1号", compulsion_type="enforcement",
               category="划拨存款汇款", reason="逾期不缴纳罚款", basis="《行政强制法》第四十七条")
    compulsion(company, ago(5 * 366), decision_no="兰市监强〔2020〕9号")  # before the period
    _, text = issued(company, domains=["market-regulation"])
    for expected in ("（一）市场监管（1条）", "行政强制决定书文号兰市监强〔2026〕1号", "强制类型行政强制执行",
                     "强制类别划拨存款汇款", "事由逾期不缴纳罚款", "依据《行政强制法》第四十七条",
                     f"决定日期{ago(100)}", "存在1条记录"):
        assert expected in text, expected
    snapshot, text = issued(company, domains=["market-regulation"])
    assert "兰市监强〔2020〕9号" not in text and "解除日期" not in text
    assert snapshot["details"][0]["records"][0]["labels"] == []


@pytest.mark.django_db
def test_a_lifted_compulsion_prints_labelled_lifted(company):
    compulsion(company, ago(100), decision_no="兰市监强〔2026〕2号", lifted_on=ago(50))
    snapshot, text = issued(company, domains=["market-regulation"])
    assert "兰市监强〔2026〕2号" in text and "1.行政强制已解除" in text and f"解除日期{ago(50)}" in text
    assert snapshot["details"][0]["records"][0]["labels"] == ["已解除"]


@pytest.mark.django_db
@pytest.mark.parametrize("change", [
    {"status": "revoked", "revoked_on": ago(10)},
    {"confidential": True},
    {"region_code": "620200"},  # 嘉峪关市
    {"domain_id": "taxation"},
])
def test_revoked_confidential_other_region_or_other_domain_compulsions_are_not_printed(company, change):
    compulsion(company, ago(100), decision_no="兰市监强〔2026〕3号", **change)
    snapshot, text = issued(company, domains=["market-regulation"])
    assert "兰市监强〔2026〕3号" not in text and "行政强制决定书文号" not in text
    assert NOTHING in text and snapshot["summary"][0]["found"] == 0


# -- 刑事 --------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_judgment_effective_in_the_period_prints_in_its_own_section(company):
    judgment(company, ago(200), case_no="（2026）甘01刑初7号", charges="单位行贿罪", judged_on=ago(230),
             fine_wan=None, other_sentence="罚金人民币五十万元，已缴纳", summary="被告单位犯单位行贿罪")
    judgment(company, ago(5 * 366), case_no="（2020）甘01刑初1号")  # took effect before the period
    snapshot, text = issued(company, domains=["market-regulation"])
    for expected in ("四、刑事判决1.刑事判决", "案号（2026）甘01刑初7号", "审理法院兰州市中级人民法院", "罪名单位行贿罪",
                     f"判决（裁定）日期{ago(230)}", f"生效日期{ago(200)}", "刑罚罚金人民币五十万元，已缴纳",
                     "判决结果摘要被告单位犯单位行贿罪", "存在1条刑事判决记录"):
        assert expected in text, expected
    assert "（2020）甘01刑初1号" not in text
    assert snapshot["judgments"]["found"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("change", [
    {"verdict": "acquitted", "fine_wan": None},
    {"set_aside_on": ago(20)},
    {"status": "revoked", "revoked_on": ago(20)},
    {"confidential": True},
    {"region_code": "620200"},
])
def test_acquittals_set_aside_revoked_confidential_and_other_region_judgments_are_not_printed(company, change):
    judgment(company, ago(200), case_no="（2026）甘01刑初8号", **change)
    snapshot, text = issued(company)
    assert "（2026）甘01刑初8号" not in text
    assert "四、刑事判决查询期内，未发现刑事判决记录。" in text and "五、说明" in text
    assert snapshot["judgments"]["found"] == 0


@pytest.mark.django_db
def test_a_city_may_leave_judgments_off_reports_on_chosen_domains(company, settings):
    judgment(company, ago(200), case_no="（2026）甘01刑初9号")
    _, text = issued(company, domains=["taxation"])
    assert "（2026）甘01刑初9号" in text
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_JUDGMENTS_ON_SINGLE_DOMAIN": False}
    snapshot, text = issued(company, domains=["taxation"])
    assert snapshot["judgments"] is None
    assert "刑事判决" not in text and "（2026）甘01刑初9号" not in text and "四、说明" in text
    _, text = issued(company)  # an all-domain report has it whatever the setting
    assert "（2026）甘01刑初9号" in text


# -- penalties, domain lines, wording ---------------------------------------------------------------

@pytest.mark.django_db
def test_a_penalty_prints_violation_facts_basis_and_procedure(company):
    penalty(company, ago(30), decision_no="兰市监罚〔2026〕3号", violation_type="销售过期食品",
            facts="货架上陈列过期饮料12瓶", basis="《食品安全法》第一百二十四条", procedure="simple")
    _, text = issued(company, domains=["market-regulation"])
    for expected in ("违法行为类型销售过期食品", "违法事实货架上陈列过期饮料12瓶", "处罚依据《食品安全法》第一百二十四条",
                     "程序简易程序"):
        assert expected in text, expected


@pytest.mark.django_db
def test_each_domain_line_names_the_kinds_searched(company):
    penalty(company, ago(30))
    listing(company, ago(60))
    snapshot, text = issued(company, domains=["market-regulation", "court-enforcement", "taxation"])
    assert f"34税务{NOTHING}" in text
    assert "存在1条记录（查询范围：行政处罚、行政强制、严重失信记录；详见下文）" in text
    assert [row["kinds"] for row in snapshot["summary"]] == [["行政处罚", "行政强制", "严重失信"]] * 3


@pytest.mark.django_db
def test_the_default_wording_states_basis_replacement_what_is_not_covered_and_who_answers(company):
    snapshot, text = issued(company, domains=["taxation"])
    for expected in ("经营主体专用信用报告", "发改财金〔2025〕565号", "有关部门和单位应当予以认可",
                     "本报告不涵盖以下事项：民事、行政案件的判决和裁定；欠缴税款信息", "谁产生、谁负责"):
        assert expected in text, expected
    assert snapshot["wording"]["title"] == "专用信用报告"


@pytest.mark.django_db
def test_the_wording_is_the_citys_and_frozen_into_the_snapshot(company, settings):
    settings.CLEANRECORD = {
        **settings.CLEANRECORD, "REPORT_TITLE": "专项信用报告", "REPORT_LEGAL_BASIS": "依据某市方案出具。",
        "REPORT_REPLACES_STATEMENT": "各单位应予认可。", "REPORT_NOT_COVERED": ["民事判决", "欠税"],
        "REPORT_SOURCE_RESPONSIBILITY": "来源单位负责。",
    }
    snapshot, text = issued(company, domains=["taxation"])
    for expected in ("经营主体专项信用报告", "依据某市方案出具。各单位应予认可。", "本报告不涵盖以下事项：民事判决；欠税。",
                     "来源单位负责。"):
        assert expected in text, expected
    assert "专用信用报告" not in text and "565号" not in text
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_TITLE": "专用信用报告"}
    assert "经营主体专项信用报告" in text_of(render_pdf(snapshot))  # rendered again: the snapshot's words


def test_a_snapshot_issued_before_the_new_kinds_still_renders_as_issued():
    snapshot = json.loads(LEGACY_SNAPSHOT.read_text(encoding="utf-8"))
    text = text_of(render_pdf(snapshot))
    for expected in ("经营主体专用信用报告", "兰市监罚〔2025〕17号", "（2024）甘0102执1234号",
                     "查询期内，未发现该主体在本领域存在违法违规记录", "五、说明", snapshot["notes"][0]):
        assert expected in text, expected
    assert "刑事" not in text and "查询范围" not in text and "565号" not in text


@pytest.mark.django_db
def test_the_report_page_and_count_include_the_judgments_section(client, company):
    from django.contrib.auth.models import User

    from cleanrecord.accounts.models import EntityUser

    judgment(company, ago(200), case_no="（2026）甘01刑初10号")
    compulsion(company, ago(100))
    report = issue_report(credit_code=company.credit_code, domains=["market-regulation"], purpose="finance")
    assert report.records_found == 2
    owner = User.objects.create_user("owner", password="pw-owner-1")
    EntityUser.objects.create(user=owner, entity=company, role="legal_rep")
    client.force_login(owner)
    html = client.get(f"/reports/{report.verification_code}/").content.decode()
    assert "查询期内，该主体存在 1 条生效刑事判决记录，详见下文" in html and "（2026）甘01刑初10号" in html
