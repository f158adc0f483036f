"""Named actors for access tests: the office (alice), a market-regulation clerk (bob), a tax clerk
(carol), and an outsider with an account but no binding (dave)."""

import pytest
from django.contrib.auth.models import Permission, User
from stdnum.cn import uscc

from cleanrecord.accounts.models import DepartmentClerk
from cleanrecord.reference.models import Department

AMR = "amr"
TAX = "tax"


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


@pytest.fixture
def alice(db):
    user = User.objects.create_user("alice", password="pw-alice-1")
    user.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    return user


@pytest.fixture
def bob(db):
    user = User.objects.create_user("bob", password="pw-bob-1")
    DepartmentClerk.objects.create(user=user, department=Department.objects.get(code=AMR))
    return user


@pytest.fixture
def carol(db):
    user = User.objects.create_user("carol", password="pw-carol-1")
    DepartmentClerk.objects.create(user=user, department=Department.objects.get(code=TAX))
    return user


@pytest.fixture
def dave(db):
    return User.objects.create_user("dave", password="pw-dave-1")


@pytest.fixture
def amr(db):
    return Department.objects.get(code=AMR)


@pytest.fixture
def tax(db):
    return Department.objects.get(code=TAX)
