"""Row checks: every refused row is reported with its row, column, value and reason; good rows still go in."""

import datetime as dt

import pytest
from django.core.management import CommandError

from cleanrecord.entities.models import Entity
from cleanrecord.records.models import ImportBatch, Penalty
from cleanrecord.reference.models import Department

from .helpers import (
    AMR_CODE,
    AMR_NAME,
    COURT_CODE,
    OTHER_DEPT_CODE,
    PENALTY_HEADERS,
    bad_checksum,
    counts,
    credit_code,
    penalty,
    penalty_csv,
    person_penalty,
    run_import,
    today,
    write_csv,
)

pytestmark = pytest.mark.django_db

CODE_COLUMN = "行政相对人代码_1(统一社会信用代码)"


def test_a_natural_person_needs_an_id_number(tmp_path):
    path = penalty_csv(tmp_path / "a.csv", [person_penalty(1, number="")])

    run = run_import(path)

    assert run.code == 1
    assert counts(run.batch)["rejected"] == 1
    assert run.rejected() == [["2", "证件号码", "", "拒收", "自然人必须填写证件号码"]]
    assert "第 2 行 [证件号码] 拒收：自然人必须填写证件号码" in run.output
    assert not Penalty.objects.exists()


def test_a_natural_person_needs_no_credit_code(tmp_path):
    path = penalty_csv(tmp_path / "a.csv", [person_penalty(1)])

    run = run_import(path)

    assert run.code == 0, run.issues()
    record = Penalty.objects.get()
    assert (record.subject_category, record.credit_code) == ("person", "")
    assert not Entity.objects.exists()  # people are not business entities


@pytest.mark.parametrize("category", ["法人及非法人组织", "个体工商户"])
def test_organisations_and_sole_traders_need_a_credit_code(tmp_path, category):
    path = penalty_csv(tmp_path / "a.csv", [penalty(1, **{"行政相对人类别": category, CODE_COLUMN: ""})])

    run = run_import(path)

    assert run.code == 1
    assert run.rejected() == [["2", CODE_COLUMN, "", "拒收", "法人及非法人组织、个体工商户必须填写统一社会信用代码"]]


@pytest.mark.parametrize("bad", ["91620100MA71AAAA", "91620100MA71AAAAOI", "916201OOMA71AAAA01", "统一社会信用代码"])
def test_it_refuses_malformed_credit_codes(tmp_path, bad):
    path = penalty_csv(tmp_path / "a.csv", [penalty(1, **{CODE_COLUMN: bad})])

    run = run_import(path)

    assert run.code == 1
    assert run.rejected() == [["2", CODE_COLUMN, bad, "拒收", "统一社会信用代码格式错误（应为 18 位，不含 I、O、Z、S、V）"]]
    assert not Penalty.objects.exists()
    assert not Entity.objects.exists()


def test_a_code_failing_only_its_checksum_is_kept_with_a_warning(tmp_path):
    pilot = bad_checksum(credit_code("91620100MA71PL001"))
    path = penalty_csv(tmp_path / "a.csv", [penalty(1, **{CODE_COLUMN: pilot}), penalty(2)])

    run = run_import(path)

    assert run.code == 0  # a warning is not a refusal
    assert counts(run.batch) == {"read": 2, "created": 2, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 0}
    assert run.batch.rows_warned == 1
    assert run.issues() == [["2", CODE_COLUMN, pilot, "提示", "统一社会信用代码校验位不符（早期试点代码已保留，请核实）"]]
    assert "第 2 行 [行政相对人代码_1(统一社会信用代码)] 提示：统一社会信用代码校验位不符" in run.output
    assert Penalty.objects.get(credit_code=pilot).subject_key == pilot
    entity = Entity.objects.get(credit_code=pilot)
    assert entity.checksum_warning is True
    assert entity.from_register is False
    assert Entity.objects.get(credit_code=penalty(2)[CODE_COLUMN]).checksum_warning is False


def test_it_refuses_a_publication_end_before_the_decision(tmp_path):
    path = penalty_csv(tmp_path / "a.csv", [penalty(1, **{"处罚决定日期": "2024-03-01", "公示截止期": "2024-02-28"})])

    run = run_import(path)

    assert run.code == 1
    assert run.rejected() == [["2", "公示截止期", "2024-02-28", "拒收", "不能早于处罚决定日期（2024-03-01）"]]


def test_it_refuses_a_decision_dated_in_the_future(tmp_path):
    tomorrow = today() + dt.timedelta(days=1)
    path = penalty_csv(tmp_path / "a.csv", [penalty(1, **{"处罚决定日期": tomorrow.isoformat(), "公示截止期": ""})])

    run = run_import(path)

    assert run.code == 1
    assert run.rejected() == [["2", "处罚决定日期", tomorrow.isoformat(), "拒收", "日期晚于今天"]]


def test_it_accepts_a_decision_dated_today(tmp_path):
    path = penalty_csv(tmp_path / "a.csv", [penalty(1, **{"处罚决定日期": today().isoformat(), "公示截止期": ""})])

    assert run_import(path).code == 0


def test_it_reads_the_domain_by_code_or_name_and_refuses_unknown_domains(tmp_path):
    header = [*PENALTY_HEADERS, "领域"]
    rows = [{**penalty(1), "领域": "知识产权"}, {**penalty(2), "领域": " Taxation "}, {**penalty(3), "领域": "外太空"},
            {**penalty(4), "领域": ""}]
    path = write_csv(tmp_path / "a.csv", header, rows)

    run = run_import(path)

    assert run.code == 1
    assert run.rejected() == [["4", "领域", "外太空", "拒收", "未知领域（应为 38 个领域之一的代码或名称）"]]
    domains = dict(Penalty.objects.values_list("decision_no", "domain_id"))
    assert domains == {"兰市监罚〔2024〕1号": "intellectual-property", "兰市监罚〔2024〕2号": "taxation",
                       "兰市监罚〔2024〕4号": "market-regulation"}  # the department's default domain


def test_it_refuses_rows_of_another_department(tmp_path):
    rows = [penalty(1), penalty(2, **{"数据来源单位统一社会信用代码": OTHER_DEPT_CODE}), penalty(3)]
    path = penalty_csv(tmp_path / "a.csv", rows)

    run = run_import(path, department="amr")

    assert run.code == 1
    assert counts(run.batch) == {"read": 3, "created": 2, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 1}
    assert run.rejected() == [[
        "3", "数据来源单位统一社会信用代码", OTHER_DEPT_CODE, "拒收",
        "数据来源单位统一社会信用代码与报送部门不一致（本次由“兰州市市场监督管理局”报送，只能报送本部门数据）",
    ]]
    assert set(Penalty.objects.values_list("department__code", flat=True)) == {"amr"}


def test_without_a_department_each_row_names_its_own(tmp_path):
    unknown = credit_code("11620100MB9999999")
    rows = [
        penalty(1),
        penalty(2, **{"数据来源单位": "兰州市城关区市场监督管理局", "数据来源单位统一社会信用代码": OTHER_DEPT_CODE}),
        penalty(3, **{"数据来源单位统一社会信用代码": unknown}),
        penalty(4, **{"数据来源单位统一社会信用代码": ""}),
    ]
    path = penalty_csv(tmp_path / "a.csv", rows)

    run = run_import(path, department=None)

    assert run.code == 1
    assert counts(run.batch)["created"] == 2
    assert run.rejected() == [
        ["4", "数据来源单位统一社会信用代码", unknown, "拒收", "数据来源单位不是已登记的报送部门"],
        ["5", "数据来源单位统一社会信用代码", "", "拒收", "必填项为空（命令行导入可用 --department 指定报送部门）"],
    ]
    departments = dict(Penalty.objects.values_list("decision_no", "department__code"))
    assert departments == {"兰市监罚〔2024〕1号": "amr", "兰市监罚〔2024〕2号": "amr-chengguan"}


def test_it_refuses_an_unknown_department_on_the_command_line(tmp_path):
    path = penalty_csv(tmp_path / "a.csv", [penalty(1)])

    with pytest.raises(CommandError, match="未找到报送部门：no-such-dept") as e:
        run_import(path, department="no-such-dept")

    assert e.value.returncode == 2
    assert not ImportBatch.objects.exists()


def test_the_department_may_be_named_by_its_credit_code(tmp_path):
    path = penalty_csv(tmp_path / "a.csv", [penalty(1)])

    run = run_import(path, department=AMR_CODE.lower())

    assert run.code == 0
    assert run.batch.department.code == "amr"


def test_it_refuses_negative_amounts(tmp_path):
    path = penalty_csv(tmp_path / "a.csv", [penalty(1, **{"罚款金额(万元)": "-0.5"})])

    run = run_import(path)

    assert run.code == 1
    # The error file is opened in Excel: a value starting with "-" is written as text (lib/spreadsheets.py).
    assert run.rejected() == [["2", "罚款金额(万元)", "'-0.5", "拒收", "金额不能为负数"]]


def test_it_refuses_implausible_fines(tmp_path):
    path = penalty_csv(tmp_path / "a.csv", [penalty(1, **{"罚款金额(万元)": "50000000000"})])

    run = run_import(path)

    assert run.rejected() == [["2", "罚款金额(万元)", "50000000000.000000", "拒收",
                               "金额超出合理范围（大于 1000000 万元），请核实单位是否为万元"]]


def test_it_reports_every_missing_required_field_of_a_row(tmp_path):
    row = penalty(1, **{"行政相对人名称": "", "行政处罚决定书文号": "", "违法行为类型": "无", "处罚依据": " ", "处罚内容": "暂无"})
    path = penalty_csv(tmp_path / "a.csv", [row])

    run = run_import(path)

    assert run.rejected() == [["2", column, "", "拒收", "必填项为空"]
                              for column in ("行政相对人名称", "行政处罚决定书文号", "违法行为类型", "处罚依据", "处罚内容")]


def test_a_row_with_a_bad_cell_and_a_missing_field_reports_both(tmp_path):
    row = penalty(1, **{"处罚决定日期": "2024-02-30", "违法事实": ""})
    path = penalty_csv(tmp_path / "a.csv", [row])

    run = run_import(path)

    assert run.rejected() == [
        ["2", "处罚决定日期", "2024-02-30", "拒收", "日期不存在（月或日超出范围）"],
        ["2", "违法事实", "", "拒收", "必填项为空"],
    ]


def test_every_rejected_row_is_reported_and_the_good_rows_still_go_in(tmp_path):
    rows = [
        penalty(1),
        penalty(2, **{CODE_COLUMN: "12345"}),
        penalty(3),
        person_penalty(4, number=""),
        penalty(5, **{"处罚决定日期": "2099-01-01", "公示截止期": ""}),
        penalty(6, **{"行政相对人类别": "外国人"}),
        penalty(7),
    ]
    path = penalty_csv(tmp_path / "a.csv", rows, above=[["兰州市市场监督管理局行政处罚信息"], []])

    run = run_import(path)

    assert run.code == 1
    batch = run.batch
    assert batch.status == ImportBatch.Status.DONE
    assert counts(batch) == {"read": 7, "created": 3, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 4}
    # Title row 1, blank row 2, header row 3: the data starts on row 4.
    assert run.rejected() == [
        ["5", CODE_COLUMN, "12345", "拒收", "统一社会信用代码格式错误（应为 18 位，不含 I、O、Z、S、V）"],
        ["7", "证件号码", "", "拒收", "自然人必须填写证件号码"],
        ["8", "处罚决定日期", "2099-01-01", "拒收", "日期晚于今天"],
        ["9", "行政相对人类别", "外国人", "拒收", "行政相对人类别应为“法人及非法人组织”“自然人”或“个体工商户”"],
    ]
    with open(batch.error_file, "rb") as f:
        assert f.read(3) == b"\xef\xbb\xbf"  # Excel opens it as UTF-8
    assert set(Penalty.objects.values_list("decision_no", flat=True)) == {
        "兰市监罚〔2024〕1号", "兰市监罚〔2024〕3号", "兰市监罚〔2024〕7号"}
    assert f"错误文件：{batch.error_file}" in run.output
    assert "拒收 4" in run.output


def test_a_clean_file_leaves_no_error_file(tmp_path):
    run = run_import(penalty_csv(tmp_path / "a.csv", [penalty(1)]))

    assert run.batch.error_file == ""


def test_unknown_penalty_categories_are_kept_with_a_warning(tmp_path):
    path = penalty_csv(tmp_path / "a.csv", [penalty(1, **{"处罚类别": "罚款；责令改正"})])

    run = run_import(path)

    assert run.code == 0
    assert run.issues() == [["2", "处罚类别", "罚款；责令改正", "提示",
                             "处罚类别“责令改正”不在《行政处罚法》第九条所列种类中，已按原文保留"]]
    assert Penalty.objects.get().categories == "罚款；责令改正"


def test_not_penalised_decisions_are_marked(tmp_path):
    rows = [penalty(1, **{"处罚类别": "不予行政处罚", "处罚内容": "不予行政处罚", "罚款金额(万元)": ""}),
            penalty(2, **{"处罚类别": "其他", "处罚内容": "不予处罚，责令改正"}), penalty(3)]
    path = penalty_csv(tmp_path / "a.csv", rows)

    run_import(path)

    assert dict(Penalty.objects.values_list("decision_no", "not_penalised")) == {
        "兰市监罚〔2024〕1号": True, "兰市监罚〔2024〕2号": True, "兰市监罚〔2024〕3号": False}


def test_confidential_records_are_marked(tmp_path):
    header = [*PENALTY_HEADERS, "公开属性"]
    rows = [{**penalty(1), "公开属性": "不予公开"}, {**penalty(2), "公开属性": "社会公开"}]
    path = write_csv(tmp_path / "a.csv", header, rows)

    run_import(path)

    assert dict(Penalty.objects.values_list("decision_no", "confidential")) == {
        "兰市监罚〔2024〕1号": True, "兰市监罚〔2024〕2号": False}


def test_a_row_whose_authority_is_not_the_uploader_is_refused(tmp_path):
    row = penalty(1, **{"处罚机关": "兰州市中级人民法院", "处罚机关统一社会信用代码": COURT_CODE})
    path = penalty_csv(tmp_path / "a.csv", [row, penalty(2)])

    run = run_import(path)

    assert run.code == 1
    [issue] = run.rejected()
    assert issue[:3] == ["2", "处罚机关统一社会信用代码", COURT_CODE]
    assert issue[4].startswith("处罚机关与报送部门不符（本次由“兰州市市场监督管理局”报送")
    assert list(Penalty.objects.values_list("decision_no", flat=True)) == ["兰市监罚〔2024〕2号"]


def test_a_department_the_office_allows_may_send_for_another_authority(tmp_path):
    Department.objects.filter(code="amr").update(may_send_for_others=True)
    row = penalty(1, **{"处罚机关": "兰州市中级人民法院", "处罚机关统一社会信用代码": COURT_CODE})

    run = run_import(penalty_csv(tmp_path / "a.csv", [row]))

    assert run.code == 0, run.issues()
    record = Penalty.objects.get()
    assert (record.authority_code, record.authority_name) == (COURT_CODE, "兰州市中级人民法院")
    assert (record.source_code, record.source_name) == (AMR_CODE, AMR_NAME)
    # The domain is the named authority's, not the sender's, and the import result says so.
    assert record.domain_id == "court-enforcement"
    assert "领域：未填写领域，已按“兰州市中级人民法院”在参考数据中的默认领域" in run.batch.message


def test_an_absurd_amount_refuses_the_row_not_the_file(tmp_path):
    rows = [penalty(1, **{"罚款金额(万元)": "1" * 30}), penalty(2)]

    run = run_import(penalty_csv(tmp_path / "a.csv", rows))

    assert run.code == 1
    assert run.rejected() == [["2", "罚款金额(万元)", "1" * 30, "拒收", "金额过大，请核实单位是否为万元"]]
    assert Penalty.objects.count() == 1


def test_penalty_categories_from_two_columns_must_fit_together(tmp_path):
    header = [h for h in PENALTY_HEADERS if h != "处罚类别"] + ["处罚类别1", "处罚类别2"]
    long_words = "、".join(f"责令整改事项第{n}项" for n in range(1, 13))  # 12 unknown categories, about 130 characters
    rows = [{**penalty(1), "处罚类别1": long_words, "处罚类别2": long_words.replace("责令", "限期")},
            {**penalty(2), "处罚类别1": "警告", "处罚类别2": "罚款"}]

    run = run_import(write_csv(tmp_path / "a.csv", header, rows))

    assert run.code == 1
    assert [(r[0], r[1], r[4]) for r in run.rejected()] == [("2", "处罚类别1、处罚类别2", "处罚类别合计过长（最多 200 字），请精简后重新报送")]
    assert Penalty.objects.get().categories == "警告；罚款"
