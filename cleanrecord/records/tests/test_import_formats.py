"""The files departments send: encodings, CSV quirks, workbooks, header forms, cell forms, unreadable files."""

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook

from cleanrecord.entities.models import Entity
from cleanrecord.records.models import ImportBatch, Penalty, RecordVersion

from .helpers import (
    AMR_CODE,
    AMR_NAME,
    PENALTY_CODES,
    PENALTY_HEADERS,
    PERSON_ID,
    counts,
    credit_code,
    penalty,
    penalty_csv,
    person_penalty,
    run_import,
    write_csv,
    write_mapping,
    write_xls,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


def all_created(n: int) -> dict:
    return {"read": n, "created": n, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 0}


def test_it_reads_utf8_csv_with_bom(tmp_path):
    path = penalty_csv(tmp_path / "bom.csv", [penalty(1), penalty(2)], encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    run = run_import(path)

    assert run.code == 0
    assert run.batch.status == ImportBatch.Status.DONE
    assert (run.batch.file_format, run.batch.encoding) == ("csv", "utf-8-sig")
    assert counts(run.batch) == all_created(2)
    assert set(Penalty.objects.values_list("subject_name", flat=True)) == {"兰州示例商贸有限公司1", "兰州示例商贸有限公司2"}
    assert "导入完成：行政处罚" in run.output


def test_it_reads_utf8_csv_without_bom(tmp_path):
    path = penalty_csv(tmp_path / "plain.csv", [penalty(1)], encoding="utf-8", newline="\n")

    run = run_import(path)

    assert run.code == 0
    assert run.batch.encoding == "utf-8"
    assert counts(run.batch) == all_created(1)
    assert Penalty.objects.get().subject_name == "兰州示例商贸有限公司1"


def test_it_reads_gb18030_csv(tmp_path):
    rows = [penalty(1, **{"违法事实": "当事人销售“过期”食品，涉案金额￥5000元。"}), penalty(2)]
    path = penalty_csv(tmp_path / "gbk.csv", rows, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")

    run = run_import(path)

    assert run.code == 0
    assert run.batch.encoding == "gb18030"
    assert counts(run.batch) == all_created(2)
    first = Penalty.objects.get(decision_no="兰市监罚〔2024〕1号")
    assert first.facts == "当事人销售“过期”食品，涉案金额￥5000元。"
    assert first.authority_name == AMR_NAME


def test_it_reads_crlf_line_ends_and_quoted_multi_line_cells(tmp_path):
    facts = "当事人有下列违法行为：\r\n一、销售过期食品；\r\n二、未建立进货查验记录。"
    rows = [
        penalty(1, **{"违法事实": facts}),
        penalty(2, **{"行政相对人名称": "兰州\"老字号\",商行"}),
        penalty(3, **{"处罚决定日期": "不详"}),
    ]
    path = penalty_csv(tmp_path / "crlf.csv", rows, newline="\r\n")
    assert b'"\xe5' in path.read_bytes() and b"\r\n" in path.read_bytes()

    run = run_import(path)

    assert run.code == 1
    assert counts(run.batch) == {"read": 3, "created": 2, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 1}
    assert Penalty.objects.get(decision_no="兰市监罚〔2024〕1号").facts == "当事人有下列违法行为：\n一、销售过期食品；\n二、未建立进货查验记录。"
    assert Penalty.objects.get(decision_no="兰市监罚〔2024〕2号").subject_name == "兰州\"老字号\",商行"
    # The multi-line cell is one spreadsheet row: the bad row is the fourth, as Excel shows it.
    assert run.rejected() == [["4", "处罚决定日期", "不详", "拒收", "无法识别的日期格式（应为 2024-03-01、2024/3/1 或 2024年3月1日）"]]


def test_it_skips_blank_lines_but_keeps_counting_them(tmp_path):
    path = write_csv(tmp_path / "gaps.csv", PENALTY_HEADERS, [penalty(1), [], [""] * 5, penalty(2, **{"违法事实": ""})])

    run = run_import(path)

    assert counts(run.batch) == {"read": 2, "created": 1, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 1}
    assert run.rejected() == [["5", "违法事实", "", "拒收", "必填项为空"]]


def test_it_finds_the_delimiter_below_a_title_line(tmp_path):
    path = write_csv(tmp_path / "tabs.txt", PENALTY_HEADERS, [penalty(1)])
    text = path.read_text(encoding="utf-8-sig").replace(",", "\t")
    path.write_text("兰州市市场监督管理局行政处罚信息\n" + text, encoding="utf-8")

    run = run_import(path)

    assert run.code == 0, run.batch.message
    assert run.batch.rows_created == 1


def test_it_skips_a_second_header_row_of_column_codes(tmp_path):
    codes = [PENALTY_CODES[h] for h in PENALTY_HEADERS]
    rows = [codes, penalty(1), penalty(2, **{"违法事实": ""})]
    path = write_xlsx(tmp_path / "template.xlsx", PENALTY_HEADERS, rows)

    run = run_import(path)

    assert counts(run.batch) == {"read": 2, "created": 1, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 1}
    assert run.rejected() == [["4", "违法事实", "", "拒收", "必填项为空"]]


def test_it_reads_excel_unicode_text(tmp_path):
    """Excel's "Unicode 文本" export: UTF-16 with a byte order mark, tab-separated."""
    path = write_csv(tmp_path / "export.txt", PENALTY_HEADERS, [penalty(1)])
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",", "\t"), encoding="utf-16")

    run = run_import(path)

    assert run.code == 0, run.batch.message
    assert run.batch.encoding == "utf-16"
    assert Penalty.objects.get().subject_name == "兰州示例商贸有限公司1"


def test_it_reads_tab_separated_text(tmp_path):
    path = write_csv(tmp_path / "tabs.txt", PENALTY_HEADERS, [penalty(1)])
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",", "\t"), encoding="utf-8")

    run = run_import(path)

    assert run.code == 0
    assert counts(run.batch) == all_created(1)


def test_it_reads_xlsx_with_a_title_row_excel_dates_and_text_codes(tmp_path):
    # An all-digit credit code typed as text, so that Excel keeps every digit.
    numeric_code = next(c for c in (credit_code(f"9162010000000{n:04d}") for n in range(100)) if c.isdigit())
    rows = [
        penalty(1, **{"行政相对人代码_1(统一社会信用代码)": numeric_code, "处罚决定日期": dt.date(2016, 4, 21),
                      "公示截止期": dt.datetime(2019, 4, 21, 0, 0), "罚款金额(万元)": 0.5}),
        penalty(2, **{"处罚决定日期": 42481, "罚款金额(万元)": 3}),  # a date typed as an Excel serial number
        penalty(3, **{"处罚决定日期": 20160421, "罚款金额(万元)": "5000元"}),  # a date typed as a plain number
        penalty(4, **{"处罚决定日期": "二〇一六年"}),
    ]
    path = write_xlsx(tmp_path / "penalties.xlsx", PENALTY_HEADERS, rows,
                      above=[["兰州市市场监督管理局行政处罚信息公示表（2016年）"]],
                      number_formats={"行政相对人代码_1(统一社会信用代码)": "@"})

    run = run_import(path)

    assert run.code == 1
    assert (run.batch.file_format, run.batch.encoding) == ("xlsx", "")
    assert counts(run.batch) == {"read": 4, "created": 3, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 1}
    first = Penalty.objects.get(decision_no="兰市监罚〔2024〕1号")
    assert first.credit_code == numeric_code
    assert (first.decided_on, first.publish_until, first.fine_wan) == (dt.date(2016, 4, 21), dt.date(2019, 4, 21),
                                                                       Decimal("0.5"))
    assert Penalty.objects.get(decision_no="兰市监罚〔2024〕2号").decided_on == dt.date(2016, 4, 21)
    third = Penalty.objects.get(decision_no="兰市监罚〔2024〕3号")
    assert (third.decided_on, third.fine_wan) == (dt.date(2016, 4, 21), Decimal("0.5"))
    # Title row 1, header row 2, data rows 3 to 6.
    assert run.rejected() == [["6", "处罚决定日期", "二〇一六年", "拒收",
                               "无法识别的日期格式（应为 2024-03-01、2024/3/1 或 2024年3月1日）"]]


def test_it_reads_xls_workbooks(tmp_path):
    rows = [
        penalty(1, **{"处罚决定日期": 42481.0, "罚款金额(万元)": 0.5}),  # Excel 97-2003 stores dates as serial numbers
        penalty(2, **{"处罚决定日期": "2016/4/21"}),
        penalty(3, **{"行政相对人代码_1(统一社会信用代码)": "91620100MA71"}),
    ]
    path = write_xls(tmp_path / "penalties.xls", PENALTY_HEADERS, rows, above=[["行政处罚信息"]])

    run = run_import(path)

    assert run.code == 1
    assert (run.batch.file_format, run.batch.encoding) == ("xls", "")
    assert counts(run.batch) == {"read": 3, "created": 2, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 1}
    assert set(Penalty.objects.values_list("decided_on", "fine_wan")) == {(dt.date(2016, 4, 21), Decimal("0.5"))}
    assert run.rejected() == [["5", "行政相对人代码_1(统一社会信用代码)", "91620100MA71", "拒收",
                               "统一社会信用代码格式错误（应为 18 位，不含 I、O、Z、S、V）"]]


def test_it_reads_the_first_sheet_with_a_header(tmp_path):
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["本表由兰州市市场监督管理局报送"])
    data = book.create_sheet("数据")
    data.append(PENALTY_HEADERS)
    data.append([penalty(1)[h] for h in PENALTY_HEADERS])
    book.save(tmp_path / "two-sheets.xlsx")

    run = run_import(tmp_path / "two-sheets.xlsx")

    assert run.code == 0
    assert counts(run.batch) == all_created(1)


def test_it_reads_column_code_headers(tmp_path):
    header = [PENALTY_CODES[h] for h in PENALTY_HEADERS]
    rows = [[penalty(n)[h] for h in PENALTY_HEADERS] for n in (1, 2)]
    rows.append([person_penalty(3)[h] for h in PENALTY_HEADERS])
    path = write_csv(tmp_path / "codes.csv", header, rows)

    run = run_import(path)

    assert run.code == 0
    assert counts(run.batch) == all_created(3)
    person = Penalty.objects.get(decision_no="兰市监罚〔2024〕3号")
    assert person.subject_category == "person"
    assert person.subject_id_masked == PERSON_ID[:4] + "*" * 10 + PERSON_ID[-4:]


OLD_HEADER = ["行政处罚决定书文号", "处罚名称", "处罚类别1", "处罚类别2", "处罚事由", "处罚依据", "行政相对人名称",
              "行政相对人代码_1", "行政相对人代码_2", "行政相对人代码_3", "行政相对人代码_4", "行政相对人代码_5",
              "法定代表人姓名", "处罚结果", "处罚决定日期", "处罚机关", "当前状态", "地方编码", "数据更新时间戳", "备注"]


def test_it_reads_the_old_generation_penalty_layout(tmp_path):
    code = credit_code("91620102MA71LD001")
    rows = [
        ["兰市监罚〔2016〕8号", "销售不合格商品案", "罚款", "没收违法所得", "销售不合格的电线电缆", "《产品质量法》第四十九条",
         "兰州旧城五金有限公司", code, "71000000-1", "620100000012345", "", "", "王五", "罚款2万元，没收违法所得3000元",
         "2016/4/21", AMR_NAME, "0", "620102", "2016-04-22 10:00:00", ""],
        ["兰市监罚〔2016〕9号", "无照经营案", "警告", "", "未取得营业执照从事经营", "《无照经营查处取缔办法》第十四条",
         "赵六", "", "", "", "", PERSON_ID, "", "警告", "2016年4月22日", AMR_NAME, "正常", "620102", "", ""],
    ]
    path = write_csv(tmp_path / "old.csv", OLD_HEADER, rows)

    run = run_import(path)

    assert run.code == 0, run.issues()
    assert counts(run.batch) == all_created(2)
    company = Penalty.objects.get(decision_no="兰市监罚〔2016〕8号")
    assert company.subject_category == "org"
    assert (company.credit_code, company.org_code, company.reg_no) == (code, "71000000-1", "620100000012345")
    assert company.violation_type == "销售不合格商品案"
    assert company.facts == "销售不合格的电线电缆"
    assert company.content == "罚款2万元，没收违法所得3000元"
    assert company.categories == "罚款；没收违法所得"
    assert company.legal_rep == "王五"
    assert company.decided_on == dt.date(2016, 4, 21)
    assert company.region_code == "620102"
    assert company.authority_name == AMR_NAME
    # No 处罚机关统一社会信用代码 column: the code the reference data gives the named authority, said once.
    assert f"处罚机关统一社会信用代码：文件中没有处罚机关统一社会信用代码一栏，已按处罚机关“{AMR_NAME}”取参考数据中的代码" in run.output
    assert (company.authority_code, company.source_code, company.source_name) == (AMR_CODE, AMR_CODE, AMR_NAME)
    assert company.extra == {}  # 数据更新时间戳 describes the export, not the penalty
    # 行政相对人代码_5 of the 2016 layout is a person's ID number: kept encrypted, never as a plain code.
    person = Penalty.objects.get(decision_no="兰市监罚〔2016〕9号")
    assert person.subject_category == "person"
    assert person.institution_no == ""
    assert person.subject_id_encrypted.startswith("v1:")
    assert person.subject_id_masked == PERSON_ID[:4] + "**********" + PERSON_ID[-4:]


def test_it_maps_arbitrary_headers_with_a_mapping_file(tmp_path):
    header = ["单位名称", "主体性质", "社会代码", "案号", "案由", "查明事实", "法律依据", "处罚种类(新)", "处理结果",
              "罚没金额", "作出日期", "执法机关", "执法机关代码", "报送单位代码"]
    mapping = write_mapping(tmp_path / "mapping.json", {
        "单位名称": "行政相对人名称", "主体性质": "CF_XDR_LB", "社会代码": "CF_XDR_SHXYM", "案号": "行政处罚决定书文号",
        "案由": "违法行为类型", "查明事实": "违法事实", "法律依据": "CF_YJ", "处罚种类(新)": "处罚类别",
        "处理结果": "处罚内容", "罚没金额": "罚款金额(元)", "作出日期": "处罚决定日期", "执法机关": "处罚机关",
        "执法机关代码": "处罚机关统一社会信用代码", "报送单位代码": "数据来源单位统一社会信用代码",
    })
    code = credit_code("91620100MA71MAP01")
    rows = [["兰州映射科技有限公司", "法人及非法人组织", code, "兰市监罚〔2024〕77号", "虚假宣传", "发布虚假广告", "《广告法》第五十五条",
             "罚款", "罚款一万元", "10000", "2024-05-06", AMR_NAME, AMR_CODE, AMR_CODE]]
    path = write_csv(tmp_path / "mapped.csv", header, rows)

    run = run_import(path, mapping=mapping)

    assert run.code == 0, run.issues()
    record = Penalty.objects.get()
    assert (record.subject_name, record.credit_code, record.decision_no) == ("兰州映射科技有限公司", code, "兰市监罚〔2024〕77号")
    assert (record.fine_wan, record.decided_on, record.basis) == (Decimal("1"), dt.date(2024, 5, 6), "《广告法》第五十五条")


def test_it_refuses_a_mapping_to_an_unknown_field(tmp_path):
    path = penalty_csv(tmp_path / "a.csv", [penalty(1)])
    # The file has no 备注 column: the mapping is still checked as a whole.
    mapping = write_mapping(tmp_path / "mapping.json", {"违法事实": "违法事实", "备注": "不存在的字段"})

    run = run_import(path, mapping=mapping)

    assert run.code == 2
    assert run.batch.status == ImportBatch.Status.FAILED
    assert run.batch.message == "字段映射文件中“备注”对应的“不存在的字段”不是可识别的字段"
    assert "导入失败：字段映射文件中“备注”" in run.errors
    assert not Penalty.objects.exists()


def test_it_accepts_full_width_digits_codes_and_parentheses(tmp_path):
    header = [h.replace("(", "（").replace(")", "）") for h in PENALTY_HEADERS]
    code = credit_code("91620100MA71FULL1")
    full = str.maketrans("0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ", "０１２３４５６７８９－ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ")
    row = penalty(1, **{"行政相对人代码_1(统一社会信用代码)": code.translate(full), "处罚决定日期": "２０２４－０３－０１",
                        "罚款金额(万元)": "０.５", "数据来源单位统一社会信用代码": " " + AMR_CODE.lower() + " "})
    path = write_csv(tmp_path / "full.csv", header, [[row[h] for h in PENALTY_HEADERS]])

    run = run_import(path)

    assert run.code == 0, run.issues()
    record = Penalty.objects.get()
    assert (record.credit_code, record.decided_on, record.fine_wan) == (code, dt.date(2024, 3, 1), Decimal("0.5"))
    assert record.source_code == AMR_CODE


@pytest.mark.parametrize("written", ["2016/4/21", "2016年4月21日", "20160421", "42481", "2016-04-21 00:00:00"])
def test_it_reads_decision_dates_as_departments_write_them(tmp_path, written):
    path = penalty_csv(tmp_path / "dates.csv", [penalty(1, **{"处罚决定日期": written, "公示截止期": ""})])

    run = run_import(path)

    assert run.code == 0, run.issues()
    assert Penalty.objects.get().decided_on == dt.date(2016, 4, 21)


def test_it_converts_fines_to_wan_yuan(tmp_path):
    header = [*PENALTY_HEADERS, "没收违法所得、没收非法财物的金额(元)"]
    rows = [
        {**penalty(1, **{"罚款金额(万元)": "5000元"}), header[-1]: "3000"},
        {**penalty(2, **{"罚款金额(万元)": "0.5万元"}), header[-1]: "0.3万元"},
        {**penalty(3, **{"罚款金额(万元)": "1,2"}), header[-1]: ""},
    ]
    path = write_csv(tmp_path / "amounts.csv", header, rows)

    run = run_import(path)

    amounts = dict(Penalty.objects.values_list("decision_no", "fine_wan"))
    assert amounts == {"兰市监罚〔2024〕1号": Decimal("0.5"), "兰市监罚〔2024〕2号": Decimal("0.5"),
                       "兰市监罚〔2024〕3号": Decimal("12")}
    confiscated = dict(Penalty.objects.values_list("decision_no", "confiscated_wan"))
    assert confiscated == {"兰市监罚〔2024〕1号": Decimal("0.3"), "兰市监罚〔2024〕2号": Decimal("0.3"),
                           "兰市监罚〔2024〕3号": None}
    assert run.code == 0


def test_it_reads_blank_and_none_markers_as_empty(tmp_path):
    row = penalty(1, **{"法定代表人": "暂无", "公示截止期": "无", "罚款金额(万元)": "/", "证件类型": "——"})
    path = penalty_csv(tmp_path / "empty.csv", [row])

    run = run_import(path)

    assert run.code == 0, run.issues()
    record = Penalty.objects.get()
    assert (record.legal_rep, record.publish_until, record.fine_wan, record.subject_id_type) == ("", None, None, "")


def test_it_keeps_unknown_columns_as_extra_attributes(tmp_path):
    header = [*PENALTY_HEADERS, "执法人员", "空列"]
    path = write_csv(tmp_path / "extra.csv", header, [{**penalty(1), "执法人员": "孙七、周八", "空列": ""}])

    run_import(path)

    record = Penalty.objects.get()
    assert record.extra == {"执法人员": "孙七、周八"}
    assert RecordVersion.history(record)[0].state()["extra"] == {"执法人员": "孙七、周八"}


@pytest.mark.parametrize(("name", "content", "message"), [
    ("scan.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "文件不是表格：请上传 CSV、XLSX 或 XLS 文件"),
    ("broken.xlsx", b"PK\x03\x04" + b"\x00\x01" * 200, "无法打开 XLSX 文件：文件已损坏或不是 Excel 工作簿"),
    ("binary.csv", b"\xff\xff", "无法识别文件编码：请使用 UTF-8 或 GB18030（GBK）编码的 CSV 文件"),
    ("lone.csv", b"\x80", "无法识别文件编码"),
    ("notes.csv", "会议纪要\n今天天气很好\n".encode(), "未找到表头"),
    ("empty.csv", b"", "未找到表头"),
])
def test_it_refuses_unreadable_files_and_writes_nothing(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    run = run_import(path)

    assert run.code == 2
    batch = run.batch
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message.startswith(message)
    assert f"导入失败：{batch.message}" in run.errors
    assert batch.error_file == ""
    assert (batch.rows_created, batch.rows_updated, batch.rows_unchanged) == (0, 0, 0)
    assert not Penalty.objects.exists()
    assert not Entity.objects.exists()
    assert not RecordVersion.objects.exists()


def test_it_refuses_a_csv_with_a_broken_utf8_bom(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ",".join(PENALTY_HEADERS).encode() + "\n兰州".encode("gb18030") + b"\n")

    run = run_import(path)

    assert run.code == 2
    assert run.batch.message.startswith("文件以 UTF-8 标记开头，但其中有无法按 UTF-8 解读的内容")


def test_a_dry_run_reports_counts_and_writes_nothing(tmp_path):
    path = penalty_csv(tmp_path / "dry.csv", [penalty(1), penalty(2), penalty(3, **{"违法事实": ""})])

    run = run_import(path, dry_run=True)

    assert run.code == 1
    assert run.batch.status == ImportBatch.Status.DRY_RUN
    assert counts(run.batch) == {"read": 3, "created": 2, "updated": 0, "unchanged": 0, "duplicate": 0, "rejected": 1}
    assert "试运行（未写入）：行政处罚" in run.output
    assert "新增 2" in run.output
    assert run.rejected() == [["4", "违法事实", "", "拒收", "必填项为空"]]
    assert not Penalty.objects.exists()
    assert not Entity.objects.exists()
    assert not RecordVersion.objects.exists()


def test_a_file_with_only_a_header_imports_nothing(tmp_path):
    path = penalty_csv(tmp_path / "header-only.csv", [])

    run = run_import(path)

    assert run.code == 0
    assert counts(run.batch) == all_created(0)
    assert run.batch.message == "文件中没有数据行"
