"""Import profiles: a saved recipe (rename, constants, translations, split, ignore) applied by every channel."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from cleanrecord.records.importing.layouts import AliasIndex
from cleanrecord.records.importing.profiles import ProfileError, parse_spec
from cleanrecord.records.models import ImportBatch, ImportProfile, Listing, Penalty
from cleanrecord.reference.models import Department

from .helpers import AMR_CODE, AMR_NAME, PENALTY_HEADERS, credit_code, penalty, run_import, write_csv

pytestmark = pytest.mark.django_db

TAX = "11620100MB00000421"
TAX_NAME = "国家税务总局兰州市税务局"
# A national-style published list: no 列入日期, 主体类别 as 0/1/2, 统一信用代码 instead of 统一社会信用代码.
LIST_HEADER = ["序号", "当事人", "主体类别", "统一信用代码", "名单类别", "列入原因", "认定部门", "认定部门统一社会信用代码",
               "内部编号"]
LIST_SPEC = {
    "constants": {"列入日期": "2024-01-01", "认定依据": "《重大税收违法失信主体信息公布管理办法》"},
    "translate": {"主体类别": {"0": "法人及非法人组织", "1": "自然人", "2": "个体工商户"}},
    "ignore": ["内部编号"],
}


def listing_rows(n: int) -> list[list[str]]:
    return [[str(i), f"兰州无日期示例有限公司{i}", "0", credit_code(f"91620100MA75{i:05d}"), "重大税收违法失信主体",
             "虚开增值税专用发票", TAX_NAME, TAX, f"内部-{i}"] for i in range(1, n + 1)]


def make_profile(kind="listing", dept="tax", name="国家名单", spec=None) -> ImportProfile:
    return ImportProfile.objects.create(department=Department.objects.get(code=dept), kind=kind, name=name,
                                        spec=LIST_SPEC if spec is None else spec)


# -- the spec is checked strictly when saved ----------------------------------------------------------

@pytest.mark.parametrize(("spec", "message"), [
    ({"rename": {"统一信用码": "统一社会信用码"}}, "“统一信用码”对应的“统一社会信用码”不是严重失信主体名单的标准列名或列代码"),
    ({"constants": {"列入时刻": "2024-01-01"}}, "固定值（constants）中的“列入时刻”不是严重失信主体名单的标准列名"),
    ({"constants": {"列入日期": "2024-13-01"}}, "固定值（constants）中“列入日期”的值“2024-13-01”不是有效的列入日期"),
    ({"constants": {"列入日期": 20240101}}, "固定值（constants）中“列入日期”的值应为文本"),
    ({"translate": {"主体类别": {"0": "公司"}}}, "值转换（translate）中“主体类别”的“0”→“公司”不是有效的主体类别"),
    ({"translate": {"主体类别": []}}, "“主体类别”应为非空 JSON 对象"),
    ({"split": {"列入日期": ["|"]}}, "列入日期一栏只能有一个值，不能拆分"),
    ({"ignore": "内部编号"}, "忽略列（ignore）应为文件列名的列表"),
    ({"rename": {"x": "列入日期"}, "ignore": ["x"]}, "“x”既在“列名对应”中又在“忽略列”中"),
    ({"renames": {}}, "导入方案中有无法识别的部分“renames”"),
    (["rename"], "导入方案应为 JSON 对象"),
])
def test_a_spec_that_cannot_be_applied_is_refused_with_a_chinese_reason(spec, message):
    with pytest.raises(ProfileError, match=message):
        parse_spec("listing", spec)
    profile = ImportProfile(department=Department.objects.get(code="tax"), kind="listing", name="坏方案", spec=spec)
    with pytest.raises(ValidationError) as e:
        profile.full_clean()
    assert message in e.value.message_dict["spec"][0]
    with pytest.raises(ProfileError):
        profile.save()
    assert not ImportProfile.objects.exists()


def test_a_good_spec_resolves_aliases_codes_and_renamed_columns():
    spec = parse_spec("penalty", {"rename": {"罚没款": "CF_NR_FK"}, "constants": {"处罚机关": AMR_NAME},
                                  "translate": {"罚没款": {"无": "0"}}, "split": {"处罚类型": ["|"]}})
    assert spec.constants == {"authority_name": AMR_NAME}
    assert spec.translate == {"fine_wan": {"无": "0"}}
    assert spec.split == {"categories": ("|",)}


def test_profile_names_are_unique_per_department():
    make_profile()
    make_profile(dept="amr")  # the same name in another department is another profile
    with pytest.raises(ValidationError):
        ImportProfile(department=Department.objects.get(code="tax"), kind="listing", name="国家名单", spec={}).validate_constraints()


# -- aliases seen in published files ------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "header", "field"), [
    ("penalty", "统一信用代码", "credit_code"), ("listing", "统一信用代码", "credit_code"),
    ("penalty", "当事人", "subject_name"), ("listing", "当事人", "subject_name"),
    ("penalty", "处罚类型", "categories"), ("penalty", "违规事实", "facts"), ("penalty", "法律依据", "basis"),
    ("listing", "法律依据", "basis"), ("penalty", "处理机构", "authority_name"), ("listing", "处理机构", "authority_name"),
    ("listing", "公示日期", "published_on"), ("penalty", "作出处罚决定日期", "decided_on"),
])
def test_published_headers_bind_to_their_standard_column(kind, header, field):
    assert AliasIndex.for_kind(kind).match(header).name == field


def test_a_penalty_publication_date_is_not_taken_for_the_decision_date():
    assert AliasIndex.for_kind("penalty").match("公示日期") is None


# -- applied by the importer ---------------------------------------------------------------------------

def test_a_list_without_listing_dates_goes_in_with_a_profile(tmp_path):
    make_profile()
    path = write_csv(tmp_path / "list.csv", LIST_HEADER, listing_rows(3))

    without = run_import(path, kind="listing", department="tax")
    assert without.code == 1 and without.batch.rows_rejected == 3
    assert {(r[1], r[4]) for r in without.rejected()} >= {("列入日期", "文件中缺少此列（必填）"),
                                                                 ("认定依据", "文件中缺少此列（必填）")}
    assert not Listing.objects.exists()

    out = io.StringIO()
    with pytest.raises(SystemExit) as e:
        call_command("import_records", str(path), "--kind", "listing", "--department", "tax", "--profile", "国家名单",
                     stdout=out)
    assert e.value.code == 0, out.getvalue()
    rows = Listing.objects.order_by("subject_name")
    assert rows.count() == 3
    first = rows[0]
    assert (first.listed_on, first.basis, first.subject_category, first.credit_code) == (
        dt.date(2024, 1, 1), "《重大税收违法失信主体信息公布管理办法》", "org", credit_code("91620100MA7500001"))
    assert "内部编号" not in first.extra  # ignored, not kept as an unread column
    batch = ImportBatch.objects.order_by("-pk").first()
    assert batch.profile_name == "国家名单"
    assert batch.profile_note == ("由方案填入：列入日期=2024-01-01（3 行）；认定依据=《重大税收违法失信主体信息公布管理办法》（3 行）；"
                                  "主体类别：0→法人及非法人组织（3 行）")
    assert "导入方案“国家名单”：由方案填入：列入日期=2024-01-01（3 行）" in out.getvalue()


def test_a_constant_fills_only_blank_cells_of_a_column_the_file_has(tmp_path):
    make_profile(spec={"constants": {"列入日期": "2024-01-01", "认定依据": "《办法》"}})
    header = [*LIST_HEADER[:-1], "列入日期"]
    rows = [[*r[:-1], ""] for r in listing_rows(2)]
    rows[0][2] = rows[1][2] = "法人及非法人组织"
    rows[1][-1] = "2023-06-30"
    run = run_import(write_csv(tmp_path / "l.csv", header, rows), kind="listing", department="tax")
    assert run.code == 1  # without the profile: no 认定依据
    run = _cli(tmp_path / "l.csv", "listing", "tax", "国家名单")
    assert run.code == 0, run.output
    assert sorted(Listing.objects.values_list("listed_on", flat=True)) == [dt.date(2023, 6, 30), dt.date(2024, 1, 1)]
    assert "列入日期=2024-01-01（1 行）" in run.batch.profile_note


def test_split_and_rename_feed_the_parsers_multi_value_format(tmp_path):
    make_profile(kind="penalty", dept="amr", name="处罚", spec={
        "rename": {"罚没类别": "处罚类别"}, "split": {"处罚类别": ["|", "+"]},
        "translate": {"行政相对人类别": {"法人": "法人及非法人组织"}}})
    header = ["罚没类别" if h == "处罚类别" else h for h in PENALTY_HEADERS]
    rows = [penalty(1, 处罚类别="警告|罚款", 行政相对人类别="法人"), penalty(2, 处罚类别="罚款 + 没收违法所得")]
    write_csv(tmp_path / "p.csv", header, [{("罚没类别" if k == "处罚类别" else k): v for k, v in r.items()} for r in rows])
    run = _cli(tmp_path / "p.csv", "penalty", "amr", "处罚")
    assert run.code == 0, run.output
    assert dict(Penalty.objects.values_list("decision_no", "categories")) == {
        "兰市监罚〔2024〕1号": "警告；罚款", "兰市监罚〔2024〕2号": "罚款；没收违法所得"}
    assert run.batch.profile_note == "由方案填入：行政相对人类别：法人→法人及非法人组织（1 行）"
    assert Penalty.objects.get(decision_no="兰市监罚〔2024〕1号").subject_category == "org"
    assert AMR_CODE in Penalty.objects.values_list("authority_code", flat=True)


def test_the_cli_refuses_an_unknown_profile_or_one_for_another_kind(tmp_path):
    make_profile()
    path = write_csv(tmp_path / "list.csv", LIST_HEADER, listing_rows(1))
    for args, message in [
        (["--department", "amr", "--profile", "国家名单"], "兰州市市场监督管理局没有名为“国家名单”的导入方案"),
        (["--profile", "国家名单"], "使用 --profile 时须用 --department 指定报送部门"),
    ]:
        with pytest.raises(Exception, match=message):
            call_command("import_records", str(path), "--kind", "listing", *args)
    with pytest.raises(Exception, match="导入方案“国家名单”用于严重失信主体名单，不能用于行政处罚"):
        call_command("import_records", str(path), "--kind", "penalty", "--department", "tax", "--profile", "国家名单")
    assert not ImportBatch.objects.exists()


def _cli(path, kind, dept, profile):
    from .helpers import Run

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_records", str(path), "--kind", kind, "--department", dept, "--profile", profile,
                     stdout=out, stderr=err)
    except SystemExit as e:
        code = e.code
    else:
        code = 0
    return Run(code, out.getvalue(), err.getvalue(), ImportBatch.objects.order_by("-pk").first())
