"""Files as departments really send them (issue 12, points 1, 2 and 4): masked codes, another city's court
list, rows naming someone else, organisation codes only, mojibake, shifted columns, district names.

Every file is made here; each test asserts what the clerk sees (exit code, the error file's rows and
reasons, the summary) and what was stored, or not.
"""

import pytest
from django.core.management import call_command

from cleanrecord.entities.models import Entity
from cleanrecord.lib.identifiers import CodeCheck, check_org_code, check_reg_no
from cleanrecord.records.importing.rows import GARBLED
from cleanrecord.records.models import Listing, Penalty
from cleanrecord.reference.models import Department

from .helpers import (
    AMR_CODE,
    AMR_NAME,
    COURT_CODE,
    COURT_NAME,
    PENALTY_HEADERS,
    PERSON_ID,
    credit_code,
    penalty,
    penalty_csv,
    person_penalty,
    run_import,
    write_csv,
)
from .test_import_listings_licences import COURT_HEADER, court_row

pytestmark = pytest.mark.django_db

CODE = "行政相对人代码_1(统一社会信用代码)"
ORG = "行政相对人代码_3(组织机构代码)"
REG = "行政相对人代码_2(工商注册号)"
MASK_REASON = "不能作为主体标识"


# -- 1. identifiers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("masked", ["91620100MA****7Q3X", "91620100MA＊＊＊＊7Q3X", "9162010?MA717Q3X", "91620100MA71××7Q3X",
                                    "91620100MA71##7Q3X"])
def test_a_masked_credit_code_is_refused_as_subject_key(tmp_path, masked):
    run = run_import(penalty_csv(tmp_path / "masked.csv", [penalty(1, **{CODE: masked}), penalty(2)]))

    assert run.code == 1
    [issue] = run.rejected()
    assert issue[:2] == ["2", CODE]
    assert issue[4].startswith("代码含遮盖字符（") and MASK_REASON in issue[4]
    assert list(Penalty.objects.values_list("decision_no", flat=True)) == ["兰市监罚〔2024〕2号"]
    assert Entity.objects.count() == 1  # only row 2's company


def test_two_people_behind_the_same_mask_do_not_become_one_subject(tmp_path):
    masked = "6201021985****0012"
    rows = [person_penalty(1, masked, 行政相对人名称="张某"), person_penalty(2, masked, 行政相对人名称="王某")]

    run = run_import(penalty_csv(tmp_path / "court.csv", rows))

    assert run.code == 1
    issues = run.rejected()
    assert [(i[0], i[1]) for i in issues] == [("2", "证件号码"), ("3", "证件号码")]
    assert all(i[4] == "代码含遮盖字符（*），不能作为主体标识：请报送完整代码" for i in issues)
    assert not Penalty.objects.exists()
    assert "拒收原因统计：[证件号码] 代码含遮盖字符（*），不能作为主体标识：请报送完整代码：2 处" in run.output


def test_a_company_with_only_a_persons_id_number_does_not_become_a_natural_person(tmp_path):
    row = penalty(1, **{CODE: "", "行政相对人类别": "", "证件类型": "身份证", "证件号码": PERSON_ID})

    run = run_import(penalty_csv(tmp_path / "a.csv", [row]))

    [issue] = run.rejected()
    assert issue[1] == "证件号码" and issue[2] == PERSON_ID[:4] + "*" * 10 + PERSON_ID[-4:]
    assert issue[4].startswith("主体名称“兰州示例商贸有限公司1”是组织，但只填写了个人证件号码")
    assert not Penalty.objects.exists()


def test_org_code_and_registration_number_checks():
    assert check_org_code("71092546-2") is CodeCheck.VALID
    assert check_org_code("D2143569X") is CodeCheck.VALID
    assert check_org_code("71092546-3") is CodeCheck.BAD_CHECKSUM
    assert check_org_code("7109254") is CodeCheck.INVALID
    assert check_reg_no("620100000012346") is CodeCheck.VALID
    assert check_reg_no("620100000012345") is CodeCheck.BAD_CHECKSUM
    assert check_reg_no("6201000000123") is CodeCheck.VALID  # the old 13 digits carry no check digit
    assert check_reg_no("62010000001234X") is CodeCheck.INVALID


SECONDARY_HEADERS = [*PENALTY_HEADERS, REG, ORG]


# Transactional: on PostgreSQL the register is asked over a connection of its own (the import's is busy with
# COPY), which sees only committed entities, as a real register import leaves them.
@pytest.mark.django_db(transaction=True)
def test_rows_with_only_an_org_code_or_registration_number_take_the_registers_credit_code(tmp_path):
    call_command("load_reference", verbosity=0)  # a transactional test starts from a flushed database
    by_org = credit_code("91620100710925462")  # embeds 组织机构代码 71092546-2
    by_reg = credit_code("91620102MA71RG001")
    Entity.objects.create(credit_code=by_org, name="兰州老字号机械有限公司", region_code="620100", from_register=True)
    Entity.objects.create(credit_code=by_reg, name="兰州注册号商贸有限公司", region_code="620102", reg_no="620100000012346",
                          from_register=True)
    rows = [
        {**penalty(1, **{CODE: ""}), ORG: "71092546-2"},
        {**penalty(2, **{CODE: ""}), REG: "620100000012346"},
        {**penalty(3, **{CODE: ""}), ORG: "D2143569-X"},  # a valid code the register does not know
        {**penalty(4, **{CODE: ""}), ORG: "71092546-3"},  # a wrong check character
    ]

    run = run_import(write_csv(tmp_path / "old-codes.csv", SECONDARY_HEADERS, rows))

    assert run.code == 1
    warnings = [i for i in run.issues() if i[3] == "提示"]
    assert [(i[0], i[2], i[4]) for i in warnings] == [
        ("2", by_org, "未填写统一社会信用代码，已按组织机构代码在登记库中找到对应主体的代码"),
        ("3", by_reg, "未填写统一社会信用代码，已按工商注册号在登记库中找到对应主体的代码"),
    ]
    assert [(i[0], i[1], i[4]) for i in run.rejected()] == [
        ("4", CODE, "仅有组织机构代码，且登记库中找不到对应主体：请填写统一社会信用代码"),
        ("5", ORG, "组织机构代码校验位不符，请核实"),
    ]
    stored = dict(Penalty.objects.values_list("decision_no", "credit_code"))
    assert stored == {"兰市监罚〔2024〕1号": by_org, "兰市监罚〔2024〕2号": by_reg}
    first = Penalty.objects.get(decision_no="兰市监罚〔2024〕1号")
    assert (first.org_code, first.subject_key, first.subject_category) == ("71092546-2", by_org, "org")


def test_the_register_import_keeps_the_registration_number(tmp_path):
    code = credit_code("91620102MA71RG002")
    header = ["统一社会信用代码", "企业名称", "工商注册号", "住所所在行政区划"]
    run = run_import(write_csv(tmp_path / "reg.csv", header, [[code, "兰州注册号示例有限公司", "620100000012346", "城关区"]]),
                     kind="register")

    assert run.code == 0, run.issues()
    entity = Entity.objects.get()
    assert (entity.reg_no, entity.region_code) == ("620100000012346", "620102")
    assert Entity.objects.credit_code_for(reg_no="620100000012346") == code
    assert Entity.objects.credit_code_for(org_code=code[8:17]) == code


# -- 2. no silent defaults ----------------------------------------------------------------------------

TIANSHUI_COURT = "天水市中级人民法院"


def test_another_citys_court_list_is_not_taken_for_the_local_courts(tmp_path):
    rows = [court_row(1, "孙某某", PERSON_ID, 执行法院=TIANSHUI_COURT, 做出执行依据单位=TIANSHUI_COURT),
            court_row(2, "钱某某", PERSON_ID[:-1] + "1")]
    path = write_csv(tmp_path / "tianshui.csv", COURT_HEADER, rows)

    run = run_import(path, kind="listing", department="court-intermediate")

    assert run.code == 1
    assert [(i[0], i[1], i[2]) for i in run.rejected()] == [("2", "认定部门统一社会信用代码", TIANSHUI_COURT)]
    assert "不在参考数据中" in run.rejected()[0][4]
    [stored] = Listing.objects.all()
    assert (stored.authority_name, stored.authority_code, stored.court_name) == (COURT_NAME, COURT_CODE, COURT_NAME)


def test_a_court_list_with_another_courts_code_is_refused_unless_the_office_allows_it(tmp_path):
    header = [*COURT_HEADER, "认定部门", "认定部门统一社会信用代码"]
    tianshui_code = credit_code("12620500MB0000001")
    row = {**court_row(1, "孙某某", PERSON_ID, 执行法院=TIANSHUI_COURT), "认定部门": TIANSHUI_COURT,
           "认定部门统一社会信用代码": tianshui_code}
    path = write_csv(tmp_path / "tianshui.csv", header, [row])

    run = run_import(path, kind="listing", department="court-intermediate")

    [issue] = run.rejected()
    assert issue[:3] == ["2", "认定部门统一社会信用代码", tianshui_code]
    assert issue[4].startswith("认定部门与报送部门不符（本次由“兰州市中级人民法院”报送")
    assert not Listing.objects.exists()

    Department.objects.filter(code="court-intermediate").update(may_send_for_others=True)
    run = run_import(path, kind="listing", department="court-intermediate")

    assert run.code == 0, run.issues()
    stored = Listing.objects.get()
    assert (stored.authority_name, stored.authority_code, stored.domain_id) == (TIANSHUI_COURT, tianshui_code,
                                                                               "court-enforcement")
    assert stored.region_code == ""  # the row names no region: none is made up


def test_a_national_list_sent_by_a_city_department_does_not_print_that_department(tmp_path):
    header = [h for h in PENALTY_HEADERS if h not in ("处罚机关", "处罚机关统一社会信用代码")]
    run = run_import(write_csv(tmp_path / "national.csv", header, [penalty(1)]))

    assert run.code == 1
    assert [(i[1], i[4]) for i in run.rejected()] == [("处罚机关", "文件中缺少此列（必填）"),
                                                       ("处罚机关统一社会信用代码", "文件中缺少此列（必填）")]
    assert not Penalty.objects.exists()


def test_an_authority_name_that_does_not_match_its_code_is_flagged(tmp_path):
    run = run_import(penalty_csv(tmp_path / "a.csv", [penalty(1, 处罚机关="兰州市公安局")]))

    assert run.code == 0
    [warning] = run.issues()
    assert warning[1:4] == ["处罚机关", "兰州市公安局", "提示"]
    assert warning[4] == f"处罚机关与其统一社会信用代码不符：参考数据中该代码为“{AMR_NAME}”，请核实"


def test_the_domain_of_a_row_without_one_is_the_named_authoritys_and_the_result_says_so(tmp_path):
    run = run_import(penalty_csv(tmp_path / "a.csv", [penalty(1), penalty(2)]))

    assert run.code == 0 and not run.issues()
    assert set(Penalty.objects.values_list("domain_id", flat=True)) == {"market-regulation"}
    note = f"领域：未填写领域，已按“{AMR_NAME}”在参考数据中的默认领域（市场监管）填写（首见于第 2 行）"
    assert note in run.batch.message and note in run.output


def test_an_office_import_without_a_department_needs_every_rows_authority(tmp_path):
    rows = [penalty(1), penalty(2, 处罚机关="", 处罚机关统一社会信用代码="")]

    run = run_import(penalty_csv(tmp_path / "office.csv", rows), department=None)

    assert run.code == 1
    assert [(i[0], i[1], i[4]) for i in run.rejected()] == [("3", "处罚机关", "必填项为空"),
                                                           ("3", "处罚机关统一社会信用代码", "必填项为空")]
    record = Penalty.objects.get()
    assert (record.authority_code, record.department.code) == (AMR_CODE, "amr")


# -- 4. garbage refused ----------------------------------------------------------------------------

def _latin1_mojibake(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def test_garbled_cells_are_refused_naming_column_and_value(tmp_path):
    rows = [
        penalty(1, 行政相对人名称="\ufffd\ufffd\ufffd商贸有限公司"),
        penalty(2, 违法事实="锟斤拷锟斤拷"),
        penalty(3, 行政相对人名称=_latin1_mojibake("兰州示例商贸有限公司")),
        penalty(4, 违法事实="当事人â€œ销售â€过期食品"),
        penalty(5, 行政相对人名称="Café Müller（兰州）餐饮有限公司", 违法事实="规格 3×4 米的招牌未经许可设置"),
    ]

    run = run_import(penalty_csv(tmp_path / "gbk-mojibake.csv", rows))

    assert run.code == 1
    assert [(i[0], i[1]) for i in run.rejected()] == [("2", "行政相对人名称"), ("3", "违法事实"), ("4", "行政相对人名称"),
                                                      ("5", "违法事实")]
    assert all(i[4].startswith("疑似乱码，请检查文件编码") for i in run.rejected())
    assert run.rejected()[0][2] == "\ufffd\ufffd\ufffd商贸有限公司"
    assert list(Penalty.objects.values_list("subject_name", flat=True)) == ["Café Müller（兰州）餐饮有限公司"]
    assert "拒收原因统计：[行政相对人名称] 疑似乱码" in run.batch.message


def test_a_gbk_file_read_as_gbk_is_not_taken_for_mojibake(tmp_path):
    run = run_import(penalty_csv(tmp_path / "gbk.csv", [penalty(1), penalty(2)], encoding="gbk"))

    assert run.code == 0, run.issues()
    assert Penalty.objects.count() == 2


@pytest.mark.parametrize("text", ["兰州市城关区张记面馆", "Crème brûlée", "Ø 12 mm 钢筋", "（2024）甘01执1号", "¥5000元"])
def test_real_text_is_not_mojibake(text):
    assert not GARBLED.search(text)


def test_a_row_with_more_cells_than_the_header_is_refused_naming_them(tmp_path):
    shifted = [penalty(2)[h] for h in PENALTY_HEADERS]
    shifted.insert(3, "张三")  # a cell too many before 法定代表人: every later cell one column to the right
    rows = [[penalty(1)[h] for h in PENALTY_HEADERS], shifted, [*[penalty(3)[h] for h in PENALTY_HEADERS], "", ""]]

    run = run_import(write_csv(tmp_path / "shifted.csv", PENALTY_HEADERS, rows))

    assert run.code == 1
    [issue] = run.rejected()
    assert issue[:3] == ["3", "（表头之外）", AMR_CODE]
    assert issue[4] == f"本行比表头多 1 个有内容的单元格（第 20 列“{AMR_CODE}”），疑似列错位，请核对后重新报送"
    assert sorted(Penalty.objects.values_list("decision_no", flat=True)) == ["兰市监罚〔2024〕1号", "兰市监罚〔2024〕3号"]


def test_district_names_in_the_region_column_are_translated_or_refused(tmp_path):
    header = [*PENALTY_HEADERS, "地方编码"]
    rows = [{**penalty(1), "地方编码": "城关区"}, {**penalty(2), "地方编码": "兰州市七里河区"}, {**penalty(3), "地方编码": "620105"},
            {**penalty(4), "地方编码": "火星区"}, {**penalty(5), "地方编码": "城关区"}, {**penalty(6), "地方编码": "990102"}]

    run = run_import(write_csv(tmp_path / "regions.csv", header, rows))

    assert run.code == 1
    assert [(i[0], i[1], i[2], i[4]) for i in run.rejected()] == [
        ("5", "地方编码", "火星区", "不是行政区划代码（应为 6 位数字），也不是参考数据中的区县名称"),
        ("7", "地方编码", "990102", "不是行政区划代码（应为 6 位数字），也不是参考数据中的区县名称")]
    assert dict(Penalty.objects.values_list("decision_no", "region_code")) == {
        "兰市监罚〔2024〕1号": "620102", "兰市监罚〔2024〕2号": "620103", "兰市监罚〔2024〕3号": "620105",
        "兰市监罚〔2024〕5号": "620102"}
    assert "地方编码：地方编码填写的是名称“城关区”，已按参考数据换为行政区划代码（首见于第 2 行）" in run.batch.message


def test_a_missing_column_and_an_empty_cell_are_told_apart(tmp_path):
    header = [h for h in PENALTY_HEADERS if h != "处罚决定日期"]
    run = run_import(write_csv(tmp_path / "no-date.csv", header, [penalty(1)]))
    assert [(i[1], i[4]) for i in run.rejected()] == [("处罚决定日期", "文件中缺少此列（必填）")]

    run = run_import(penalty_csv(tmp_path / "empty-date.csv", [penalty(1, 处罚决定日期="")]))
    assert [(i[1], i[4]) for i in run.rejected()] == [("处罚决定日期", "必填项为空")]
    assert not Penalty.objects.exists()


def test_an_empty_court_cell_is_not_called_a_missing_column(tmp_path):
    path = write_csv(tmp_path / "court.csv", COURT_HEADER, [court_row(1, "孙某某", PERSON_ID, 执行法院="", 发布时间="")])

    run = run_import(path, kind="listing", department="court-intermediate")

    assert ("认定部门", "必填项为空") in [(i[1], i[4]) for i in run.rejected()]
    assert ("列入日期", "必填项为空") in [(i[1], i[4]) for i in run.rejected()]


def test_the_summary_counts_rejections_per_reason(tmp_path):
    rows = [penalty(1, **{CODE: "91620100MA****7Q3X"}), penalty(2, **{CODE: "91620100MA****7Q3Y"}),
            penalty(3, 处罚决定日期=""), penalty(4)]

    run = run_import(penalty_csv(tmp_path / "mixed.csv", rows))

    assert run.batch.rows_rejected == 3
    assert run.batch.message.splitlines()[-1] == ("拒收原因统计：[行政相对人代码_1(统一社会信用代码)] 代码含遮盖字符（*），不能作为主体标识：请报送完整代码：2 处；"
                                 "[处罚决定日期] 必填项为空：1 处")
    assert run.batch.message in run.output
