"""Small penalty files as a department uploads them through the web or the API. The named actors (alice, bob,
carol, dave, amr, tax) are the shared ones of cleanrecord/testing/actors.py."""

from stdnum.cn import uscc

from cleanrecord.reference.models import Department


def credit_code(body: str) -> str:
    return body + uscc.calc_check_digit(body)


COMPANY = credit_code("91620102MA71TEAM0")
HEADERS = ("行政相对人名称,行政相对人类别,行政相对人代码_1(统一社会信用代码),行政处罚决定书文号,违法行为类型,违法事实,"
           "处罚依据,处罚类别,处罚内容,罚款金额(万元),处罚决定日期,处罚机关,处罚机关统一社会信用代码,"
           "数据来源单位,数据来源单位统一社会信用代码")


def penalty_csv(dept: Department, *rows: dict) -> bytes:
    """A small national-layout penalty file sent by `dept`."""
    lines = [HEADERS]
    for i, r in enumerate(rows, start=1):
        code = r.get("code", COMPANY)
        lines.append(",".join([
            r.get("name", "兰州测试商贸有限公司"), "法人及非法人组织", code, r.get("no", f"兰市监罚〔2025〕{i}号"),
            "虚假宣传", "当事人发布虚假广告", "《中华人民共和国广告法》第五十五条", r.get("cat", "罚款"), "罚款五千元",
            "0.5", r.get("date", "2025-03-01"), dept.name, dept.credit_code, dept.name, r.get("source", dept.credit_code),
        ]))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")
