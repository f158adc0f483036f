"""The entity register import: entities created and updated, kinds worked out, personal data encrypted."""

import datetime as dt

import pytest

from cleanrecord.entities.models import Entity
from cleanrecord.lib import fieldcrypt
from cleanrecord.records.importing import register

from .helpers import (
    bad_checksum,
    counts,
    credit_code,
    id_number,
    penalty,
    penalty_csv,
    run_import,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db

HEADER = ["统一社会信用代码", "企业名称", "企业类型", "住所所在行政区划", "法定代表人", "法定代表人证件号码", "登记状态", "成立日期"]
REP_ID = id_number("62010519880808123")

COMPANY = credit_code("91620100MA75RG001")
SHOP = credit_code("92620102MA75RG002")
COOP = credit_code("93620121MA75RG003")
SOLE = credit_code("91620103MA75RG004")
BRANCH = credit_code("91620104MA75RG005")


def register_rows() -> list[list]:
    return [
        [COMPANY, "兰州登记示例科技有限公司", "有限责任公司（自然人投资或控股）", "620100", "刘一", REP_ID, "存续（在营、开业、在册）",
         "2015-03-02"],
        [SHOP, "城关区老马牛肉面馆", "", "", "马二", "", "在业", "2018/7/1"],
        [COOP, "永登县苦水玫瑰种植专业合作社", "", "", "张三", "", "存续", "20190301"],
        [SOLE, "兰州七里河示例商贸中心", "个人独资企业", "", "李四", "", "注销", "2010年1月1日"],
        [BRANCH, "兰州示例科技有限公司西固分公司", "有限责任公司分公司", "", "王五", "", "吊销，未注销", ""],
    ]


def test_it_creates_entities_and_works_out_their_kind(tmp_path):
    run = run_import(write_csv(tmp_path / "reg.csv", HEADER, register_rows()), kind="register", department=None)

    assert run.code == 0, run.issues()
    assert counts(run.batch) == {"read": 5, "created": 5, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 0}
    kinds = dict(Entity.objects.values_list("credit_code", "kind"))
    assert kinds == {COMPANY: "company", SHOP: "individual", COOP: "cooperative", SOLE: "sole", BRANCH: "branch"}
    statuses = dict(Entity.objects.values_list("credit_code", "status"))
    assert statuses == {COMPANY: "active", SHOP: "active", COOP: "active", SOLE: "cancelled", BRANCH: "revoked"}
    company = Entity.objects.get(pk=COMPANY)
    assert (company.name, company.region_code, company.legal_rep) == ("兰州登记示例科技有限公司", "620100", "刘一")
    assert (company.established_on, company.from_register, company.checksum_warning) == (dt.date(2015, 3, 2), True, False)
    assert company.legal_rep_id_masked == REP_ID[:4] + "**********" + REP_ID[-4:]
    assert fieldcrypt.decrypt(company.legal_rep_id_encrypted) == REP_ID
    # Without a declared region, the division inside the credit code stands in.
    assert Entity.objects.get(pk=SHOP).region_code == "620102"
    assert Entity.objects.get(pk=COOP).established_on == dt.date(2019, 3, 1)


def test_re_importing_the_register_changes_nothing(tmp_path):
    path = write_csv(tmp_path / "reg.csv", HEADER, register_rows())
    run_import(path, kind="register", department=None)
    before = list(Entity.objects.values("credit_code", "name", "kind", "status", "legal_rep_id_encrypted", "updated_at"))

    run = run_import(path, kind="register", department=None)

    assert run.code == 0
    assert counts(run.batch) == {"read": 5, "created": 0, "updated": 0, "unchanged": 5, "duplicate": 0, "rejected": 0}
    after = list(Entity.objects.values("credit_code", "name", "kind", "status", "legal_rep_id_encrypted", "updated_at"))
    assert after == before


def test_a_changed_register_row_updates_the_entity(tmp_path):
    run_import(write_csv(tmp_path / "a.csv", HEADER, register_rows()), kind="register", department=None)
    rows = register_rows()
    rows[0][1] = "兰州登记示例科技股份有限公司"
    rows[0][6] = "注销"

    run = run_import(write_csv(tmp_path / "b.csv", HEADER, rows), kind="register", department=None)

    assert counts(run.batch) == {"read": 5, "created": 0, "updated": 1, "unchanged": 4, "duplicate": 0, "rejected": 0}
    company = Entity.objects.get(pk=COMPANY)
    assert (company.name, company.status) == ("兰州登记示例科技股份有限公司", "cancelled")
    assert fieldcrypt.decrypt(company.legal_rep_id_encrypted) == REP_ID


def test_the_register_confirms_entities_first_seen_in_a_penalty_file(tmp_path):
    code = penalty(1)["行政相对人代码_1(统一社会信用代码)"]
    run_import(penalty_csv(tmp_path / "p.csv", [penalty(1)]))
    assert Entity.objects.get(pk=code).from_register is False

    run = run_import(write_csv(tmp_path / "reg.csv", HEADER, [[code, "兰州示例商贸有限公司1", "有限责任公司", "620100", "张三",
                                                               "", "存续", "2012-01-01"]]),
                     kind="register", department=None)

    assert counts(run.batch)["updated"] == 1
    entity = Entity.objects.get(pk=code)
    assert (entity.from_register, entity.established_on) == (True, dt.date(2012, 1, 1))


def test_it_checks_register_rows(tmp_path):
    pilot = bad_checksum(credit_code("91620100MA75RG009"))
    rows = [
        [pilot, "兰州早期试点示例有限公司", "", "", "", "", "存续", ""],
        ["9162010", "兰州代码过短有限公司", "", "", "", "", "存续", ""],
        ["", "兰州没有代码有限公司", "", "", "", "", "", ""],
        [COMPANY, "", "", "", "", "", "", ""],
        [SHOP, "城关区老马牛肉面馆", "", "", "", "", "歇业", ""],
    ]

    run = run_import(write_csv(tmp_path / "reg.csv", HEADER, rows), kind="register", department=None)

    assert run.code == 1
    assert counts(run.batch) == {"read": 5, "created": 1, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 4}
    assert run.issues() == [
        ["2", "统一社会信用代码", pilot, "提示", "统一社会信用代码校验位不符（早期试点代码已保留，请核实）"],
        ["3", "统一社会信用代码", "9162010", "拒收", "统一社会信用代码格式错误（应为 18 位，不含 I、O、Z、S、V）"],
        ["4", "统一社会信用代码", "", "拒收", "必填项为空"],
        ["5", "企业名称", "", "拒收", "必填项为空"],
        ["6", "登记状态", "歇业", "拒收", "登记状态应为存续、在业、吊销、注销或迁出"],
    ]
    assert Entity.objects.get().checksum_warning is True


def test_a_code_repeated_in_the_register_file_counts_once(tmp_path):
    rows = register_rows()[:2] + [[COMPANY, "兰州登记示例科技有限公司（更名）", "", "", "", "", "存续", ""]]

    run = run_import(write_csv(tmp_path / "reg.csv", HEADER, rows), kind="register", department=None)

    assert counts(run.batch) == {"read": 3, "created": 2, "updated": 0, "unchanged": 0, "duplicate": 1, "rejected": 0}
    assert Entity.objects.get(pk=COMPANY).name == "兰州登记示例科技有限公司（更名）"


def test_a_code_repeated_far_apart_in_the_register_file_counts_once(tmp_path, monkeypatch):
    monkeypatch.setattr(register, "BATCH", 2)  # as if the repeat came a thousand rows later
    rows = [*register_rows(), list(register_rows()[0])]

    run = run_import(write_csv(tmp_path / "reg.csv", HEADER, rows), kind="register", department=None)

    assert counts(run.batch) == {"read": 6, "created": 5, "updated": 0, "unchanged": 0, "duplicate": 1, "rejected": 0}


def test_it_reads_the_register_from_a_workbook(tmp_path):
    rows = [[COMPANY, "兰州登记示例科技有限公司", "有限责任公司", 620100, "刘一", "", "存续", dt.date(2015, 3, 2)]]

    run = run_import(write_xlsx(tmp_path / "reg.xlsx", HEADER, rows, above=[["经营主体登记信息"]]), kind="register",
                     department=None)

    assert run.code == 0
    entity = Entity.objects.get()
    assert (entity.region_code, entity.established_on, entity.kind) == ("620100", dt.date(2015, 3, 2), "company")


def test_a_register_dry_run_writes_nothing(tmp_path):
    run = run_import(write_csv(tmp_path / "reg.csv", HEADER, register_rows()), kind="register", department=None,
                     dry_run=True)

    assert run.code == 0
    assert run.batch.status == "dry_run"
    assert counts(run.batch)["created"] == 5
    assert not Entity.objects.exists()
