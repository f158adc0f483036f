"""Licences (XK_ layout) and dishonesty listings, including the court's list of dishonest judgment debtors."""

import datetime as dt
import json

import pytest
from django.apps import apps
from django.db import models
from stdnum.cn import uscc

from cleanrecord.entities.models import Entity
from cleanrecord.lib import fieldcrypt
from cleanrecord.records.models import Licence, Listing, RecordVersion

from .helpers import (
    AMR_CODE,
    AMR_NAME,
    COURT_CODE,
    COURT_NAME,
    PERSON_ID,
    counts,
    credit_code,
    id_number,
    run_import,
    today,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db

LICENCE_CODES = ["XK_XDR_MC", "XK_XDR_LB", "XK_XDR_SHXYM", "XK_FRDB", "XK_XKWS", "XK_WSH", "XK_XKLB", "XK_XKZS",
                 "XK_XKBH", "XK_NR", "XK_JDRQ", "XK_YXQZ", "XK_YXQZI", "XK_XKJG", "XK_XKJGDM", "XK_ZT", "XK_LYDW",
                 "XK_LYDWDM", "BZ"]


def licence(n: int, **changes) -> dict:
    row = {
        "XK_XDR_MC": f"兰州许可示例餐饮有限公司{n}", "XK_XDR_LB": "法人及非法人组织", "XK_XDR_SHXYM": credit_code(f"91620100MA72{n:05d}"),
        "XK_FRDB": "钱九", "XK_XKWS": "食品经营许可决定书", "XK_WSH": f"兰市监食许〔2024〕{n}号", "XK_XKLB": "普通",
        "XK_XKZS": "食品经营许可证", "XK_XKBH": f"JY1620100{n:07d}", "XK_NR": "预包装食品销售、热食类食品制售",
        "XK_JDRQ": "2024-01-15", "XK_YXQZ": "2024-01-15", "XK_YXQZI": "2029-01-14", "XK_XKJG": AMR_NAME,
        "XK_XKJGDM": AMR_CODE, "XK_ZT": "有效", "XK_LYDW": AMR_NAME, "XK_LYDWDM": AMR_CODE, "BZ": "",
    }
    row.update(changes)
    return row


def test_it_imports_licences_in_the_column_code_layout(tmp_path):
    path = write_csv(tmp_path / "xk.csv", LICENCE_CODES, [licence(1), licence(2, XK_YXQZI="长期")])

    run = run_import(path, kind="licence")

    assert run.code == 0, run.issues()
    assert counts(run.batch) == {"read": 2, "created": 2, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 0}
    first = Licence.objects.get(doc_no="兰市监食许〔2024〕1号")
    assert (first.subject_name, first.doc_name, first.licence_category) == ("兰州许可示例餐饮有限公司1", "食品经营许可决定书", "普通")
    assert (first.certificate_name, first.licence_no, first.current_state) == ("食品经营许可证", "JY16201000000001", "有效")
    assert (first.decided_on, first.valid_from, first.valid_to) == (dt.date(2024, 1, 15), dt.date(2024, 1, 15),
                                                                   dt.date(2029, 1, 14))
    assert (first.authority_code, first.department.code, first.domain_id) == (AMR_CODE, "amr", "market-regulation")
    assert Licence.objects.get(doc_no="兰市监食许〔2024〕2号").valid_to == dt.date(9999, 12, 31)
    assert [[(v.change, v.batch) for v in RecordVersion.history(r)] for r in Licence.objects.all()] == [[("created", run.batch)]] * 2
    assert Entity.objects.count() == 2


def test_re_importing_licences_changes_nothing_and_a_change_is_a_new_version(tmp_path):
    run_import(write_csv(tmp_path / "a.csv", LICENCE_CODES, [licence(1), licence(2)]), kind="licence")

    same = run_import(write_csv(tmp_path / "b.csv", LICENCE_CODES, [licence(1), licence(2)]), kind="licence")
    changed = run_import(write_csv(tmp_path / "c.csv", LICENCE_CODES, [licence(1, XK_YXQZI="2030-01-14"), licence(2)]),
                         kind="licence")

    assert counts(same.batch)["unchanged"] == 2
    assert (changed.batch.rows_updated, changed.batch.rows_unchanged) == (1, 1)
    record = Licence.objects.get(doc_no="兰市监食许〔2024〕1号")
    assert (record.valid_to, record.version) == (dt.date(2030, 1, 14), 2)


def test_it_checks_licence_rows(tmp_path):
    rows = [licence(1, XK_XKLB=""), licence(2, XK_YXQZ="2024-02-01", XK_YXQZI="2024-01-31"), licence(3)]
    path = write_csv(tmp_path / "xk.csv", LICENCE_CODES, rows)

    run = run_import(path, kind="licence")

    assert run.code == 1
    assert run.rejected() == [
        ["2", "XK_XKLB", "", "拒收", "必填项为空"],
        ["3", "XK_YXQZI", "2024-01-31", "拒收", "不能早于XK_YXQZ（2024-02-01）"],
    ]
    assert list(Licence.objects.values_list("doc_no", flat=True)) == ["兰市监食许〔2024〕3号"]


def test_it_reads_licences_in_the_old_layout_from_a_workbook(tmp_path):
    header = ["行政许可决定书文号", "项目名称", "审批类别", "许可内容", "行政相对人名称", "行政相对人代码_1(统一社会信用代码)",
              "行政相对人代码_2(组织机构代码)", "行政相对人代码_3(工商登记码)", "行政相对人代码_4(税务登记号)",
              "行政相对人代码_5(居民身份证号)", "法定代表人姓名", "许可决定日期", "许可截止期", "许可机关", "当前状态", "地方编码",
              "数据更新时间戳", "备注"]
    shop = credit_code("92620102MA72GT001")
    row = ["兰市监个许〔2015〕3号", "个体工商户设立登记", "登记", "准予设立登记", "城关区小吴面馆", shop, "", 620102600012345.0, "",
           PERSON_ID, "吴十", dt.date(2015, 6, 1), "长期", AMR_NAME, "0", 620102, None, None]
    path = write_xlsx(tmp_path / "old.xlsx", header, [row])

    run = run_import(path, kind="licence")

    assert run.code == 0, run.issues()
    record = Licence.objects.get()
    assert (record.subject_category, record.credit_code, record.reg_no) == ("individual", shop, "620102600012345")
    assert (record.doc_name, record.licence_category, record.decided_on) == ("个体工商户设立登记", "登记", dt.date(2015, 6, 1))
    assert (record.authority_name, record.authority_code, record.region_code) == (AMR_NAME, AMR_CODE, "620102")
    # The operator's ID number in 代码_5 is kept encrypted.
    assert fieldcrypt.decrypt(record.subject_id_encrypted) == PERSON_ID
    assert Entity.objects.get().kind == "individual"


COURT_HEADER = ["被执行人姓名/名称", "身份证号码/组织机构代码", "法定代表人或者负责人姓名", "执行法院", "执行案号", "立案时间",
                "执行依据文号", "做出执行依据单位", "生效法律文书确定的义务", "履行情况", "失信行为具体情形", "发布时间", "性别",
                "数据来源单位", "数据来源单位统一社会信用代码"]


def court_row(n: int, name: str, code_or_id: str, **changes) -> dict:
    row = {
        "被执行人姓名/名称": name, "身份证号码/组织机构代码": code_or_id, "法定代表人或者负责人姓名": "",
        "执行法院": COURT_NAME, "执行案号": f"（2024）甘01执{n}号", "立案时间": "2024-01-10",
        "执行依据文号": f"（2023）甘01民初{n}号", "做出执行依据单位": COURT_NAME, "生效法律文书确定的义务": "偿还借款本金10万元及利息",
        "履行情况": "全部未履行", "失信行为具体情形": "有履行能力而拒不履行生效法律文书确定义务", "发布时间": "2024年3月5日",
        "性别": "", "数据来源单位": COURT_NAME, "数据来源单位统一社会信用代码": COURT_CODE,
    }
    row.update(changes)
    return row


def test_it_imports_the_court_list_and_encrypts_personal_id_numbers(tmp_path):
    company = credit_code("91620100MA73CT001")
    rows = [court_row(1, "孙某某", PERSON_ID, 性别="男"),
            court_row(2, "兰州失信示例建材有限公司", company, 法定代表人或者负责人姓名="郑某")]
    path = write_csv(tmp_path / "sxbzxr.csv", COURT_HEADER, rows)

    run = run_import(path, kind="listing", department="court-intermediate")

    assert run.code == 0, run.issues()
    assert counts(run.batch) == {"read": 2, "created": 2, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 0}
    person = Listing.objects.get(case_no="（2024）甘01执1号")
    assert (person.subject_category, person.credit_code, person.org_code) == ("person", "", "")
    assert person.subject_id_encrypted.startswith("v1:")
    assert fieldcrypt.decrypt(person.subject_id_encrypted) == PERSON_ID
    assert person.subject_id_masked == PERSON_ID[:4] + "**********" + PERSON_ID[-4:]
    assert person.subject_key.startswith("P") and PERSON_ID not in person.subject_key
    assert (person.list_type, person.domain_id, person.department.code) == ("失信被执行人", "court-enforcement",
                                                                            "court-intermediate")
    assert (person.court_name, person.filed_on, person.basis_doc_no) == (COURT_NAME, dt.date(2024, 1, 10), "（2023）甘01民初1号")
    assert (person.basis_issuer, person.obligation, person.performance) == (COURT_NAME, "偿还借款本金10万元及利息", "全部未履行")
    assert person.conduct == person.reason == "有履行能力而拒不履行生效法律文书确定义务"
    assert (person.published_on, person.listed_on, person.listing_ref) == (dt.date(2024, 3, 5), dt.date(2024, 3, 5),
                                                                           "（2024）甘01执1号")
    assert (person.authority_name, person.authority_code) == (COURT_NAME, COURT_CODE)
    assert person.basis == "《最高人民法院关于公布失信被执行人名单信息的若干规定》"
    assert (person.status, person.extra) == ("active", {"性别": "男"})

    firm = Listing.objects.get(case_no="（2024）甘01执2号")
    assert (firm.subject_category, firm.credit_code, firm.subject_key, firm.legal_rep) == ("org", company, company, "郑某")
    assert list(Entity.objects.values_list("credit_code", flat=True)) == [company]


def test_a_personal_id_number_never_appears_in_clear_text(tmp_path):
    legal_rep_id = id_number("62010319900707456")
    header = [*COURT_HEADER, "法定代表人身份证号码"]
    rows = [court_row(1, "孙某某", PERSON_ID.lower()),  # a lower-case x would be folded too
            {**court_row(2, "兰州示例商行", credit_code("91620100MA73CT002")), "法定代表人身份证号码": legal_rep_id}]
    run = run_import(write_csv(tmp_path / "sxbzxr.csv", header, rows), kind="listing", department="court-intermediate")
    assert run.code == 0, run.issues()

    for secret in (PERSON_ID, legal_rep_id):
        for model in apps.get_models():
            text_fields = [f.name for f in model._meta.get_fields()
                           if isinstance(f, (models.CharField, models.TextField)) and not f.primary_key]
            for name in text_fields:
                assert not model.objects.filter(**{f"{name}__contains": secret}).exists(), (model, name)
        for version in RecordVersion.objects.all():
            assert secret not in json.dumps(version.data, ensure_ascii=False)
        for listing in Listing.objects.all():
            assert secret not in json.dumps(listing.extra, ensure_ascii=False)
    firm = Listing.objects.get(case_no="（2024）甘01执2号")
    assert firm.legal_rep_id_masked == legal_rep_id[:4] + "**********" + legal_rep_id[-4:]
    assert fieldcrypt.decrypt(firm.legal_rep_id_encrypted) == legal_rep_id


def test_an_id_number_that_also_passes_the_credit_code_checksum_is_still_a_person(tmp_path):
    # One ID number in 31 also has a valid credit-code check character: it must still be treated as personal data.
    twin = next(n for n in (id_number(f"62010219850315{k:03d}") for k in range(1000)) if uscc.is_valid(n))
    run = run_import(write_csv(tmp_path / "a.csv", COURT_HEADER, [court_row(1, "周某", twin)]), kind="listing",
                     department="court-intermediate")

    record = Listing.objects.get()
    assert run.code == 0
    assert (record.subject_category, record.credit_code) == ("person", "")
    assert fieldcrypt.decrypt(record.subject_id_encrypted) == twin
    assert not Entity.objects.exists()


def test_a_removal_date_removes_the_listing(tmp_path):
    header = ["主体名称", "统一社会信用代码", "法定代表人/主要负责人", "名单类别", "列入原因", "认定依据", "认定部门",
              "认定部门统一社会信用代码", "列入日期", "移出日期", "列入决定文书号", "数据来源单位"]
    tax = "11620100MB00000421"
    rows = [
        ["兰州偷税示例有限公司", credit_code("91620100MA74TX001"), "冯某", "重大税收违法失信主体", "虚开增值税专用发票",
         "《重大税收违法失信主体信息公布管理办法》", "国家税务总局兰州市税务局", tax, "2022-05-01", "2024-05-01", "兰税稽〔2022〕1号", ""],
        ["兰州欠税示例有限公司", credit_code("91620100MA74TX002"), "陈某", "重大税收违法失信主体", "逃避追缴欠税",
         "《重大税收违法失信主体信息公布管理办法》", "国家税务总局兰州市税务局", tax, "2023-05-01", "", "兰税稽〔2023〕2号", ""],
        ["兰州未来示例有限公司", credit_code("91620100MA74TX003"), "褚某", "重大税收违法失信主体", "逃避追缴欠税",
         "《重大税收违法失信主体信息公布管理办法》", "国家税务总局兰州市税务局", tax, "2023-06-01",
         (today() + dt.timedelta(days=30)).isoformat(), "兰税稽〔2023〕3号", ""],
        ["兰州颠倒示例有限公司", credit_code("91620100MA74TX004"), "卫某", "重大税收违法失信主体", "逃避追缴欠税",
         "《重大税收违法失信主体信息公布管理办法》", "国家税务总局兰州市税务局", tax, "2023-06-01", "2023-05-01", "兰税稽〔2023〕4号", ""],
    ]

    run = run_import(write_csv(tmp_path / "zdsswf.csv", header, rows), kind="listing", department="tax")

    assert run.code == 1
    assert run.rejected() == [["5", "移出日期", "2023-05-01", "拒收", "不能早于列入日期（2023-06-01）"]]
    statuses = dict(Listing.objects.values_list("decision_no", "status"))
    assert statuses == {"兰税稽〔2022〕1号": "removed", "兰税稽〔2023〕2号": "active", "兰税稽〔2023〕3号": "active"}
    removed = Listing.objects.get(decision_no="兰税稽〔2022〕1号")
    assert (removed.removed_on, removed.listing_ref, removed.domain_id) == (dt.date(2024, 5, 1), "兰税稽〔2022〕1号", "taxation")


def test_a_listing_sent_again_with_a_removal_date_is_an_update(tmp_path):
    header = ["主体名称", "统一社会信用代码", "名单类别", "列入原因", "认定依据", "认定部门", "列入日期", "移出日期", "列入决定文书号"]
    row = ["兰州拖欠示例劳务有限公司", credit_code("91620100MA74LW001"), "拖欠农民工工资失信联合惩戒对象", "拖欠农民工工资",
           "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》", "兰州市人力资源和社会保障局", "2023-01-05", "", "兰人社〔2023〕9号"]
    run_import(write_csv(tmp_path / "a.csv", header, [row]), kind="listing", department="hrss")

    row[7] = "2024-01-05"
    run = run_import(write_csv(tmp_path / "b.csv", header, [row]), kind="listing", department="hrss")

    assert (run.batch.rows_updated, run.batch.rows_created) == (1, 0)
    record = Listing.objects.get()
    assert (record.status, record.removed_on, record.version) == ("removed", dt.date(2024, 1, 5), 2)
    assert [v.state()["status"] for v in RecordVersion.objects.order_by("version")] == ["active", "removed"]
