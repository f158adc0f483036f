"""Cell parsers, header matching and 处罚类别 splitting: no database needed."""

import datetime as dt
from decimal import Decimal

import pytest

from cleanrecord.records.importing import values
from cleanrecord.records.importing.layouts import AliasIndex, is_old_layout
from cleanrecord.records.importing.rows import split_categories

APRIL_21 = dt.date(2016, 4, 21)


@pytest.mark.parametrize("cell", [
    "2016-04-21", "2016/4/21", "2016.4.21", "2016年4月21日", "2016年04月21日", "20160421", "42481", "42481.0",
    "２０１６－０４－２１", "２０１６年４月２１日", " 2016-04-21 ", "2016-04-21 10:30:00", "2016/4/21 9:05",
    "2016-04-21T10:30:00+08:00", 42481, 42481.0, 42481.75, 20160421, APRIL_21, dt.datetime(2016, 4, 21, 10, 30),
])
def test_it_reads_every_common_date_form(cell):
    assert values.date(cell) == APRIL_21


@pytest.mark.parametrize("cell", [None, "", "  ", "无", "暂无", "/", "-", "——", "NULL"])
def test_it_reads_empty_markers_as_no_date(cell):
    assert values.date(cell) is None


@pytest.mark.parametrize("cell", ["长期", "永久", "长期有效"])
def test_it_reads_open_ended_dates(cell):
    assert values.date(cell) == values.OPEN_ENDED


@pytest.mark.parametrize(("cell", "reason"), [
    ("2016-02-30", "日期不存在"),
    ("2016-13-01", "日期不存在"),
    ("2016年4月", "无法识别的日期格式"),
    ("去年四月", "无法识别的日期格式"),
    ("21/04/2016", "无法识别的日期格式"),
    (0, "不是有效日期"),
])
def test_it_refuses_dates_it_cannot_read(cell, reason):
    with pytest.raises(ValueError, match=reason):
        values.date(cell)


@pytest.mark.parametrize(("cell", "unit_yuan", "expected"), [
    ("5000元", False, "0.5"),
    ("0.5万元", False, "0.5"),
    ("0.5万", False, "0.5"),
    ("0.5", False, "0.5"),
    ("５０００元", False, "0.5"),
    ("5,000元", False, "0.5"),
    ("￥5000元", False, "0.5"),
    ("人民币5000元整", False, "0.5"),
    ("5000（元）", False, "0.5"),
    ("5000", True, "0.5"),
    ("0.5万元", True, "0.5"),
    (5000, True, "0.5"),
    (0.5, False, "0.5"),
    (3, False, "3"),
    ("0", False, "0"),
    ("1234.5678912元", False, "0.123457"),
])
def test_it_reads_amounts_in_wan_yuan(cell, unit_yuan, expected):
    assert values.amount(cell, unit_yuan) == Decimal(expected)


@pytest.mark.parametrize("cell", [None, "", "无", "暂无", "/"])
def test_it_reads_empty_amounts_as_none(cell):
    assert values.amount(cell) is None


@pytest.mark.parametrize(("cell", "reason"), [
    ("-100", "金额不能为负数"),
    ("-0.5万元", "金额不能为负数"),
    (-3.0, "金额不能为负数"),
    ("五千元", "金额应为数字"),
    ("5000美元", "金额应为数字"),
    (float("nan"), "金额应为数字"),
    ("1" * 30, "金额过大"),
    (1e30, "金额过大"),
    ("10000000000000000元", "金额过大"),
])
def test_it_refuses_bad_amounts(cell, reason):
    with pytest.raises(ValueError, match=reason):
        values.amount(cell)


@pytest.mark.parametrize(("cell", "expected"), [
    ("是", True), ("涉密", True), ("依法不予公开", True), ("Y", True), ("y", True),
    ("否", False), ("公开", False), ("", False), (None, False), ("无", False), (False, False),
])
def test_it_reads_confidential_flags(cell, expected):
    assert values.flag(cell) is expected


@pytest.mark.parametrize(("cell", "confidential"), [
    ("公开", False), ("社会公开", False), ("是", False), ("", False),
    ("不公开", True), ("依申请公开", True), ("政务共享", True), ("否", True),
])
def test_it_reads_public_columns_as_confidential_or_not(cell, confidential):
    assert values.public(cell) is confidential


def test_it_refuses_unknown_flags():
    with pytest.raises(ValueError, match="应填写“是”或“否”"):
        values.flag("也许")
    with pytest.raises(ValueError, match="应填写“公开”或“不公开”"):
        values.public("部分")


@pytest.mark.parametrize(("cell", "expected"), [
    ("", "active"), ("0", "active"), ("正常", "active"), ("异议", "active"),
    ("1", "revoked"), ("撤销", "revoked"), ("已撤回", "revoked"), ("确认无效", "revoked"), ("１", "revoked"),
])
def test_it_reads_record_status(cell, expected):
    assert values.status(cell) == expected


def test_it_refuses_unknown_status():
    with pytest.raises(ValueError, match="当前状态应为"):
        values.status("暂停")


@pytest.mark.parametrize(("cell", "expected"), [
    ("法人及非法人组织", "org"), ("法人和非法人组织", "org"), (" 法人 ", "org"),
    ("自然人", "person"), ("个体工商户", "individual"), ("个体户", "individual"), ("", ""), ("无", ""),
])
def test_it_reads_subject_categories(cell, expected):
    assert values.category(cell) == expected


def test_it_refuses_unknown_subject_categories():
    with pytest.raises(ValueError, match="行政相对人类别应为"):
        values.category("外星人")


def test_codes_are_half_width_upper_case_without_spaces():
    assert values.code("９１６２ ０１００ｍａ７１") == "91620100MA71"
    assert values.code(620100.0) == "620100"
    assert values.code("暂无") == ""
    with pytest.raises(ValueError, match="代码过长"):
        values.code("9" * 19)


def test_text_folds_spaces_and_treats_markers_as_empty():
    assert values.text("  兰州　示例  公司 ") == "兰州 示例 公司"
    assert values.text("暂无") == ""
    assert values.text("第一行\r\n第二行") == "第一行\n第二行"
    with pytest.raises(ValueError, match="内容过长（5 字，最多 4 字）"):
        values.text("一二三四五", 4)


@pytest.mark.parametrize(("cell", "expected"), [
    ("存续（在营、开业、在册）", "active"), ("在业", "active"), ("", "active"),
    ("吊销，未注销", "revoked"), ("吊销未注销", "revoked"), ("注销", "cancelled"), ("已迁出", "moved"),
])
def test_it_reads_register_status(cell, expected):
    assert values.entity_status(cell) == expected


def test_domains_are_read_as_written():
    assert values.domain(" Market-Regulation ") == "market-regulation"
    assert values.domain("市场监管") == "市场监管"
    assert values.domain("无") == ""


@pytest.mark.parametrize(("text", "expected"), [
    ("罚款", (["罚款"], [], False)),
    ("警告；罚款", (["警告", "罚款"], [], False)),
    ("警告、罚款、没收违法所得", (["警告", "罚款", "没收违法所得"], [], False)),
    ("罚款, 没收非法财物 / 责令停产停业", (["罚款", "没收非法财物", "责令停产停业"], [], False)),
    ("罚款;罚款", (["罚款"], [], False)),
    ("暂扣或者吊销许可证", (["暂扣许可证件", "吊销许可证件"], [], False)),
    ("吊销营业执照", (["吊销许可证件"], [], False)),
    ("没收违法所得和非法财物", (["没收违法所得", "没收非法财物"], [], False)),
    ("其他（责令改正）", (["其他"], [], False)),
    ("罚款；责令改正", (["罚款"], ["责令改正"], False)),
    ("不予行政处罚", ([], [], True)),
    ("免予处罚", ([], [], True)),
    ("", ([], [], False)),
])
def test_split_categories(text, expected):
    cats, unknown, not_penalised = split_categories(text)
    assert (list(cats), list(unknown), not_penalised) == expected


@pytest.mark.parametrize(("header", "field"), [
    ("行政相对人名称", "subject_name"),
    ("CF_XDR_MC", "subject_name"),
    ("cf_xdr_mc", "subject_name"),
    ("*行政相对人名称", "subject_name"),
    ("行政相对人名称：", "subject_name"),
    ("罚款金额（万元）", "fine_wan"),
    ("罚款金额(元)", "fine_wan"),
    ("行政相对人代码_1（统一社会信用代码）", "credit_code"),
    ("行政相对人代码_2(组织机构代码)", "org_code"),
    ("行政相对人代码_3(工商登记码)", "reg_no"),
    ("行政相对人代码_5(居民身份证号)", "subject_id"),
    ("行政相对人代码_5(事业单位证书号)", "institution_no"),
    ("行政相对人代码_2", "reg_no"),
    ("处罚机关 统一社会信用代码", "authority_code"),
    ("处罚决定日期(格式为YYYY/MM/DD)", "decided_on"),
    ("处罚类别2", "categories"),
])
def test_it_matches_penalty_headers(header, field):
    assert AliasIndex.for_kind("penalty").match(header).name == field


OLD_HEADER = ["行政处罚决定书文号", "处罚名称", "处罚类别1", "处罚类别2", "处罚事由", "处罚依据", "行政相对人名称",
              "行政相对人代码_1", "行政相对人代码_2", "行政相对人代码_3", "行政相对人代码_4", "行政相对人代码_5",
              "法定代表人姓名", "处罚结果", "处罚决定日期", "处罚机关", "当前状态", "地方编码", "数据更新时间戳", "备注"]


def test_bare_numbered_codes_follow_the_2016_layout_in_old_files():
    assert is_old_layout(OLD_HEADER)
    index = AliasIndex.for_kind("penalty", OLD_HEADER)
    assert [index.match(h).name for h in OLD_HEADER[7:12]] == ["credit_code", "org_code", "reg_no", "tax_no",
                                                                "subject_id"]


def test_bare_numbered_codes_follow_todays_layout_in_new_files():
    header = ["行政相对人名称", "行政相对人类别", "行政相对人代码_1", "行政相对人代码_2", "行政相对人代码_3", "行政相对人代码_5",
              "处罚类别1"]
    assert not is_old_layout(header)
    index = AliasIndex.for_kind("penalty", header)
    assert [index.match(h).name for h in header[2:6]] == ["credit_code", "reg_no", "org_code", "institution_no"]
