"""行政强制 (QZ_ layout) and 刑事 judgments (XS_ layout): realistic files, messy headers, bad values, re-sends."""

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from cleanrecord.entities.models import Entity
from cleanrecord.records.importing.values import verdict_of
from cleanrecord.records.models import Compulsion, Judgment, RecordVersion
from cleanrecord.reference.models import Department

from .helpers import (
    AMR_CODE,
    AMR_NAME,
    COURT_CODE,
    COURT_NAME,
    OTHER_DEPT_CODE,
    PERSON_ID,
    counts,
    credit_code,
    run_import,
    today,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"
POLICE_CODE = "11620100MB0000012X"  # 兰州市公安局

QZ_CODES = ["QZ_XDR_MC", "QZ_XDR_LB", "QZ_XDR_SHXYM", "QZ_FRDB", "QZ_WSH", "QZ_QZLX", "QZ_QZLB", "QZ_SY", "QZ_YJ",
            "QZ_JDRQ", "QZ_JCRQ", "QZ_SSJG", "QZ_SSJGDM", "QZ_SJLY", "QZ_SJLYDM", "QZ_ZT", "BZ"]


def compulsion(n: int, **changes) -> dict:
    row = {
        "QZ_XDR_MC": f"兰州强制测试有限公司{n}", "QZ_XDR_LB": "法人及非法人组织", "QZ_XDR_SHXYM": credit_code(f"91620100MA75QA{n:03d}"),
        "QZ_FRDB": "周八", "QZ_WSH": f"兰市监强〔2025〕{100 + n}号", "QZ_QZLX": "", "QZ_QZLB": "查封场所设施或者财物",
        "QZ_SY": "涉嫌无证生产", "QZ_YJ": "《中华人民共和国行政强制法》第九条", "QZ_JDRQ": "2025-06-01", "QZ_JCRQ": "",
        "QZ_SSJG": AMR_NAME, "QZ_SSJGDM": AMR_CODE, "QZ_SJLY": AMR_NAME, "QZ_SJLYDM": AMR_CODE, "QZ_ZT": "", "BZ": "",
    }
    for key, value in changes.items():
        assert key in row, key
        row[key] = value
    return row


XS_CODES = ["XS_BGDW", "XS_BGDWDM", "XS_AH", "XS_SLFY", "XS_SLFYDM", "XS_ZM", "XS_PJJGLX", "XS_PJRQ", "XS_SXRQ", "XS_FJ",
            "XS_QTXF", "XS_PJJGZY", "XS_ZSCXRQ", "LY", "XS_SJLY", "XS_SJLYDM"]


def judgment(n: int, **changes) -> dict:
    row = {
        "XS_BGDW": f"兰州刑事测试有限公司{n}", "XS_BGDWDM": credit_code(f"91620100MA75XJ{n:03d}"),
        "XS_AH": f"（2025）甘01刑初{200 + n}号", "XS_SLFY": COURT_NAME, "XS_SLFYDM": COURT_CODE, "XS_ZM": "污染环境罪",
        "XS_PJJGLX": "有罪", "XS_PJRQ": dt.date(2025, 3, 1), "XS_SXRQ": dt.date(2025, 3, 16), "XS_FJ": 20,
        "XS_QTXF": "", "XS_PJJGZY": "被告单位犯污染环境罪，判处罚金人民币二十万元", "XS_ZSCXRQ": None, "LY": "",
        "XS_SJLY": COURT_NAME, "XS_SJLYDM": COURT_CODE,
    }
    for key, value in changes.items():
        assert key in row, key
        row[key] = value
    return row


# -- 行政强制 ------------------------------------------------------------------------------------------

def test_a_published_compulsion_file_goes_in_with_its_categories_in_the_law_s_words(tmp_path):
    # GB18030, a title row, 序号, required-markers and the spellings of a bureau's 公示 page.
    path = shutil.copy(SAMPLES / "compulsion-sample.csv", tmp_path / "qz.csv")

    run = run_import(Path(path), kind="compulsion")

    assert run.code == 0, run.issues()
    assert counts(run.batch) == {"read": 3, "created": 3, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 0}
    sealed = Compulsion.objects.get(decision_no="兰市监强〔2025〕1号")
    assert (sealed.compulsion_type, sealed.category, sealed.current_state) == ("measure", "查封场所设施或者财物", "实施中")
    assert (sealed.reason, sealed.basis) == ("涉嫌生产不符合食品安全标准的食品", "《中华人民共和国食品安全法》第一百一十条")
    assert (sealed.decided_on, sealed.lifted_on, sealed.status) == (dt.date(2025, 3, 10), None, "active")
    assert (sealed.authority_name, sealed.authority_code, sealed.domain_id) == (AMR_NAME, AMR_CODE, "market-regulation")
    lifted = Compulsion.objects.get(decision_no="兰市监强〔2025〕2号")
    assert (lifted.category, lifted.lifted_on, lifted.current_state) == ("扣押财物", dt.date(2025, 5, 6), "已解除")
    assert lifted.remarks == "经检验合格，解除扣押"
    fined = Compulsion.objects.get(decision_no="兰市监强〔2025〕3号")
    assert (fined.compulsion_type, fined.category, fined.subject_category) == ("enforcement", "加处罚款或者滞纳金", "individual")
    assert [[v.change for v in RecordVersion.history(r)] for r in Compulsion.objects.all()] == [["created"]] * 3
    assert Entity.objects.count() == 3
    # The domain came from the authority's department, and the result says so once.
    assert "market-regulation" in run.batch.message or "市场监管" in run.batch.message


def test_compulsions_in_the_column_code_layout_from_a_workbook_and_a_re_send(tmp_path):
    rows = [compulsion(1, QZ_JDRQ=dt.date(2025, 6, 1)),
            compulsion(2, QZ_QZLX="行政强制执行", QZ_QZLB="其他", QZ_JDRQ=dt.date(2025, 6, 2)),
            compulsion(3, QZ_QZLB="行政强制措施：冻结存款、汇款", QZ_JDRQ=dt.date(2025, 6, 3))]
    run = run_import(write_xlsx(tmp_path / "qz.xlsx", QZ_CODES, rows), kind="compulsion")
    assert run.code == 0, run.issues()
    other = Compulsion.objects.get(decision_no="兰市监强〔2025〕102号")
    assert (other.compulsion_type, other.category) == ("enforcement", "其他")
    assert Compulsion.objects.get(decision_no="兰市监强〔2025〕103号").category == "冻结存款汇款"

    same = run_import(write_xlsx(tmp_path / "again.xlsx", QZ_CODES, rows), kind="compulsion")
    rows[0] = compulsion(1, QZ_JDRQ=dt.date(2025, 6, 1), QZ_JCRQ=dt.date(2025, 7, 1), QZ_ZT="已解除")
    changed = run_import(write_xlsx(tmp_path / "lifted.xlsx", QZ_CODES, rows), kind="compulsion")

    assert counts(same.batch)["unchanged"] == 3 and counts(same.batch)["created"] == 0
    assert (changed.batch.rows_updated, changed.batch.rows_unchanged) == (1, 2)
    record = Compulsion.objects.get(decision_no="兰市监强〔2025〕101号")
    assert (record.lifted_on, record.current_state, record.version) == (dt.date(2025, 7, 1), "已解除", 2)
    assert [v.change for v in RecordVersion.history(record)] == ["created", "updated"]
    assert Compulsion.objects.count() == 3


def test_bad_compulsion_rows_are_refused_naming_column_value_and_reason(tmp_path):
    masked = "91620100MA75****0X"
    rows = [
        compulsion(1, QZ_QZLB="罚款"),
        compulsion(2, QZ_QZLB="冻结存款汇款", QZ_QZLX="行政强制执行"),
        compulsion(3, QZ_QZLB="其他"),
        compulsion(4, QZ_ZT="已解除"),
        compulsion(5, QZ_XDR_SHXYM=masked),
        compulsion(6, QZ_SSJGDM=OTHER_DEPT_CODE, QZ_SSJG="兰州市城关区市场监督管理局"),
        compulsion(7, QZ_SY=""),
        compulsion(8, QZ_JCRQ="2025-05-01"),
        compulsion(9, QZ_QZLB="查封；划拨存款"),
        compulsion(10, QZ_QZLX="强制拆除"),
        compulsion(11),
    ]
    run = run_import(write_csv(tmp_path / "qz.csv", QZ_CODES, rows), kind="compulsion")

    assert run.code == 1
    assert run.rejected() == [
        ["2", "QZ_QZLB", "罚款", "拒收", "强制类别“罚款”不是《行政强制法》第九条、第十二条所列的种类（如查封场所设施或者财物、扣押财物、"
                                         "冻结存款汇款、加处罚款或者滞纳金、划拨存款汇款、代履行、其他）"],
        ["3", "QZ_QZLX", "行政强制执行", "拒收", "与强制类别“冻结存款汇款”不符（“冻结存款汇款”属于行政强制措施）"],
        ["4", "QZ_QZLB", "其他", "拒收", "强制类别为“其他”时须填写强制类型（行政强制措施或行政强制执行）"],
        ["5", "QZ_JCRQ", "已解除", "拒收", "QZ_ZT为“已解除”，但未填写解除日期：报告须写明何时解除，请补填"],
        ["6", "QZ_XDR_SHXYM", masked, "拒收", "代码含遮盖字符（*），不能作为主体标识：请报送完整代码"],
        ["7", "QZ_SSJGDM", OTHER_DEPT_CODE, "拒收", "QZ_SSJG与报送部门不符（本次由“兰州市市场监督管理局”报送，只能报送本部门作出的"
                                                   "决定；代其他机关报送须由信用办开通）"],
        ["8", "QZ_SY", "", "拒收", "必填项为空"],
        ["9", "QZ_JCRQ", "2025-05-01", "拒收", "不能早于QZ_JDRQ（2025-06-01）"],
        ["10", "QZ_QZLB", "查封场所设施或者财物、划拨存款汇款", "拒收", "强制类别同时含行政强制措施和行政强制执行，请分行报送"],
        ["11", "QZ_QZLX", "强制拆除", "拒收", "强制类型应为“行政强制措施”或“行政强制执行”"],
    ]
    assert list(Compulsion.objects.values_list("decision_no", flat=True)) == ["兰市监强〔2025〕111号"]


def test_a_revoked_compulsion_is_kept_as_revoked_and_a_later_active_re_send_does_not_revive_it(tmp_path):
    run_import(write_csv(tmp_path / "a.csv", QZ_CODES, [compulsion(1)]), kind="compulsion")

    revoked = run_import(write_csv(tmp_path / "b.csv", QZ_CODES, [compulsion(1, QZ_ZT="已撤销")]), kind="compulsion")
    again = run_import(write_csv(tmp_path / "c.csv", QZ_CODES, [compulsion(1, QZ_ZT="实施中")]), kind="compulsion")

    assert revoked.batch.rows_updated == 1
    record = Compulsion.objects.get()
    assert (record.status, record.current_state, record.revoked_on) == ("revoked", "实施中", today())
    assert again.code == 0
    assert [v.change for v in RecordVersion.objects.filter(kind="compulsion").order_by("version")][:2] == ["created", "updated"]


def test_a_compulsion_without_a_domain_column_takes_it_from_the_authority_and_says_so(tmp_path):
    run = run_import(write_csv(tmp_path / "a.csv", QZ_CODES, [compulsion(1)]), kind="compulsion")
    assert run.code == 0
    assert "未填写领域，已按“兰州市市场监督管理局”在参考数据中的默认领域" in run.batch.message


# -- 刑事 -----------------------------------------------------------------------------------------------

def test_a_court_s_judgment_file_goes_in_with_verdicts_read_from_the_words(tmp_path):
    path = shutil.copy(SAMPLES / "judgment-sample.csv", tmp_path / "xs.csv")

    run = run_import(Path(path), kind="judgment", department="court-intermediate")

    assert run.code == 0, run.issues()
    assert counts(run.batch)["created"] == 3
    fined = Judgment.objects.get(case_no="（2025）甘01刑初12号")
    assert (fined.verdict, fined.charges, fined.fine_wan) == ("guilty", "污染环境罪", Decimal("50"))
    assert (fined.judged_on, fined.effective_on, fined.set_aside_on) == (dt.date(2025, 2, 20), dt.date(2025, 3, 5), None)
    assert fined.summary == "被告单位兰州刑事示例化工有限公司犯污染环境罪，判处罚金人民币五十万元"
    assert (fined.authority_name, fined.authority_code, fined.department.code) == (COURT_NAME, COURT_CODE,
                                                                                    "court-intermediate")
    # No domain in the file: a conviction belongs to none, and none is filled in.
    assert fined.domain_id is None
    assert "领域" not in run.batch.message
    assert Judgment.objects.get(case_no="（2025）甘01刑初15号").verdict == "exempted"
    acquitted = Judgment.objects.get(case_no="（2025）甘01刑初18号")
    assert (acquitted.verdict, acquitted.remarks) == ("acquitted", "公诉机关指控的罪名不能成立")
    assert [[v.change for v in RecordVersion.history(r)] for r in Judgment.objects.all()] == [["created"]] * 3


def test_judgments_in_the_column_code_layout_from_a_workbook_re_sent_and_set_aside(tmp_path):
    rows = [judgment(1), judgment(2, LY="生态环境", XS_FJ="300000元", XS_QTXF="禁止从事相关生产经营活动三年"),
            judgment(3, XS_PJJGLX="无罪", XS_FJ=None, XS_PJJGZY="宣告被告单位无罪")]
    run = run_import(write_xlsx(tmp_path / "xs.xlsx", XS_CODES, rows), kind="judgment", department="court-intermediate")
    assert run.code == 0, run.issues()
    first, second, third = (Judgment.objects.get(case_no=f"（2025）甘01刑初{200 + n}号") for n in (1, 2, 3))
    assert (first.fine_wan, first.domain_id, first.verdict) == (Decimal("20"), None, "guilty")
    assert (second.fine_wan, second.domain_id, second.other_sentence) == (Decimal("30"), "ecology-environment",
                                                                         "禁止从事相关生产经营活动三年")
    assert third.verdict == "acquitted"

    same = run_import(write_xlsx(tmp_path / "again.xlsx", XS_CODES, rows), kind="judgment", department="court-intermediate")
    rows[0] = judgment(1, XS_ZSCXRQ=dt.date(2025, 9, 1))
    set_aside = run_import(write_xlsx(tmp_path / "retrial.xlsx", XS_CODES, rows), kind="judgment",
                           department="court-intermediate")

    assert counts(same.batch)["unchanged"] == 3
    assert (set_aside.batch.rows_updated, set_aside.batch.rows_unchanged) == (1, 2)
    first.refresh_from_db()
    assert (first.set_aside_on, first.version) == (dt.date(2025, 9, 1), 2)


def test_bad_judgment_rows_are_refused_naming_column_value_and_reason(tmp_path):
    rows = [
        judgment(1, XS_PJJGLX="", XS_PJJGZY="维持原判"),
        judgment(2, XS_SXRQ=dt.date(2025, 2, 1)),
        judgment(3, LY="不存在的领域"),
        judgment(4, XS_BGDWDM="9162010*MA75XJ004"),
        judgment(5, XS_FJ="五十万"),
        judgment(6, XS_ZM=""),
        judgment(7, XS_PJJGLX="无罪", XS_PJJGZY="宣告无罪"),
        judgment(8),
    ]
    run = run_import(write_xlsx(tmp_path / "xs.xlsx", XS_CODES, rows), kind="judgment", department="court-intermediate")

    assert run.code == 1
    assert run.rejected() == [
        ["2", "XS_PJJGLX", "维持原判", "拒收", "无法识别判决结果（应写明有罪、定罪免予刑事处罚或无罪）"],
        ["3", "XS_SXRQ", "2025-02-01", "拒收", "不能早于XS_PJRQ（2025-03-01）"],
        ["4", "LY", "不存在的领域", "拒收", "未知领域（应为 38 个领域之一的代码或名称）"],
        ["5", "XS_BGDWDM", "9162010*MA75XJ004", "拒收", "代码含遮盖字符（*），不能作为主体标识：请报送完整代码"],
        ["6", "XS_FJ", "五十万", "拒收", "金额应为数字，可带“元”或“万元”"],
        ["7", "XS_ZM", "", "拒收", "必填项为空"],
        ["8", "XS_FJ", "20", "拒收", "判决结果为无罪，却填写了罚金，请核实"],
    ]
    assert list(Judgment.objects.values_list("case_no", flat=True)) == ["（2025）甘01刑初208号"]


def test_judgments_come_from_the_court_that_decided_them(tmp_path):
    rows = [judgment(1)]
    # The police may not send a court's judgment unless the office opened that for it …
    refused = run_import(write_xlsx(tmp_path / "a.xlsx", XS_CODES, [{**rows[0], "XS_SJLY": "兰州市公安局",
                                                                     "XS_SJLYDM": POLICE_CODE}]),
                         kind="judgment", department="police")
    assert refused.rejected()[0][1:] == ["XS_SLFYDM", COURT_CODE, "拒收", "XS_SLFY与报送部门不符（本次由“兰州市公安局”报送，"
                                         "只能报送本部门作出的决定；代其他机关报送须由信用办开通）"]
    # … and even a feed allowed to send for others cannot make a department that is no court the judging court.
    Department.objects.filter(code="police").update(may_send_for_others=True)
    feed = {**rows[0], "XS_SJLY": "兰州市公安局", "XS_SJLYDM": POLICE_CODE}
    allowed = run_import(write_xlsx(tmp_path / "b.xlsx", XS_CODES, [feed]), kind="judgment", department="police")
    not_court = run_import(write_xlsx(tmp_path / "c.xlsx", XS_CODES, [{**feed, "XS_SLFY": AMR_NAME, "XS_SLFYDM": AMR_CODE,
                                                                       "XS_AH": "（2025）甘01刑初999号"}]),
                           kind="judgment", department="police")

    assert allowed.code == 0, allowed.issues()
    assert Judgment.objects.get().department.code == "police"
    assert not_court.rejected()[0][1:] == ["XS_SLFY", AMR_CODE, "拒收", "“兰州市市场监督管理局”不是法院：刑事判决的审理法院应为人民法院"]


def test_a_natural_person_s_criminal_judgment_is_not_collected(tmp_path):
    header = ["被告单位名称", "行政相对人类别", "证件号码", "案号", "审理法院", "审理法院统一社会信用代码", "罪名", "判决结果",
              "判决日期", "生效日期"]
    row = ["李四", "自然人", PERSON_ID, "（2025）甘01刑初300号", COURT_NAME, COURT_CODE, "诈骗罪", "犯诈骗罪，判处有期徒刑三年",
           "2025-03-01", "2025-03-15"]
    run = run_import(write_csv(tmp_path / "p.csv", header, [row]), kind="judgment", department="court-intermediate")

    assert run.rejected() == [["2", "被告单位名称", "李四", "拒收", "刑事判决只归集被告单位（单位犯罪）的判决，自然人的刑事判决不在本平台归集"]]
    assert not Judgment.objects.exists()


def test_a_judgment_file_with_the_headers_of_a_published_page(tmp_path):
    header = ["被告单位", "统一社会信用代码", "案号", "审判法院", "审理法院统一社会信用代码", "罪名", "判决结果类型", "判决结果摘要",
              "判决（裁定）日期", "判决生效日期", "罚金(元)", "所属领域"]
    row = ["兰州刑事测试有限公司9", credit_code("91620100MA75XJ009"), "（2025）甘01刑初309号", COURT_NAME, COURT_CODE,
           "重大责任事故罪", "定罪免予刑事处罚", "被告单位犯重大责任事故罪，免予刑事处罚", "2025年4月1日", "2025年4月20日", "", "安全生产"]
    run = run_import(write_csv(tmp_path / "p.csv", header, [row]), kind="judgment", department="court-intermediate")

    assert run.code == 0, run.issues()
    record = Judgment.objects.get()
    assert (record.verdict, record.domain_id, record.judged_on, record.effective_on) == (
        "exempted", "work-safety", dt.date(2025, 4, 1), dt.date(2025, 4, 20))


@pytest.mark.parametrize(("text", "verdict"), [
    ("有罪", "guilty"), ("无罪", "acquitted"), ("定罪免予刑事处罚", "exempted"),
    ("被告单位兰州某公司犯污染环境罪，判处罚金人民币五十万元。", "guilty"),
    ("被告单位犯单位行贿罪，免予刑事处罚。", "exempted"),
    ("撤销原判，改判被告单位无罪。", "acquitted"),
    ("辩护人提出被告单位无罪的辩护意见，本院不予采纳；被告单位犯非法经营罪，判处罚金人民币十万元。", "guilty"),
    ("辩护人请求对被告单位免予刑事处罚的意见不予采纳。被告单位犯串通投标罪，判处罚金人民币五万元。", "guilty"),
    ("维持原判", None), ("辩护人提出被告单位无罪的意见", None),
])
def test_the_verdict_is_read_from_the_words_of_the_judgment(text, verdict):
    assert verdict_of(text) == verdict
