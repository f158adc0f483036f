"""A resident ID number in a code column never becomes a public code (issue 11, point 3).

An organisation has no ID number: the row is refused, with the column named. A person or a 个体工商户
is known by it: it is kept as the subject's 证件号码 — encrypted, masked, keyed by its hash — and the
code column stays empty, so no entity is made from it.
"""

import pytest

from cleanrecord.entities.models import Entity
from cleanrecord.lib import fieldcrypt
from cleanrecord.records.models import Penalty

from .helpers import (
    PENALTY_HEADERS,
    PERSON_ID,
    bad_checksum,
    credit_code,
    id_number,
    penalty,
    penalty_csv,
    run_import,
    write_csv,
)
from .test_import_register import HEADER as REGISTER_HEADER

pytestmark = pytest.mark.django_db

CODE_COLUMN = "行政相对人代码_1(统一社会信用代码)"
MASKED = PERSON_ID[:4] + "*" * 10 + PERSON_ID[-4:]
# An ID number whose check character also happens to be a right credit-code check character: the shape
# the probe sent, which the credit-code check alone accepts without even a warning.
CODE_VALID_ID = next(n for n in (id_number(f"620102198{i:01d}0315{j:03d}") for i in range(10) for j in range(1000))
                     if credit_code(n[:17]) == n)


def _stored_anywhere(value: str) -> list[str]:
    """Every place a clear-text value sits in the tables a public page reads."""
    found = [f"entity {e.pk}" for e in Entity.objects.all() if value in (e.credit_code, e.name, e.legal_rep)]
    for p in Penalty.objects.all():
        for f in p._meta.concrete_fields:
            if not f.attname.endswith("_encrypted") and value in str(getattr(p, f.attname)):
                found.append(f"penalty {p.pk}.{f.attname}")
    return found


@pytest.mark.parametrize("number", [PERSON_ID, CODE_VALID_ID, bad_checksum(PERSON_ID), "620102850315123"],
                         ids=["valid", "passes-credit-code-checksum", "bad-check-character", "15-digit"])
def test_an_organisation_with_an_id_number_as_its_code_is_refused(tmp_path, number):
    run = run_import(penalty_csv(tmp_path / "a.csv", [penalty(1, **{CODE_COLUMN: number}), penalty(2)]))

    assert run.code == 1
    [issue] = run.rejected()
    assert issue[0] == "2" and issue[1] == CODE_COLUMN
    assert issue[4].startswith(f"{CODE_COLUMN}一栏填写的是居民身份证号码：法人及非法人组织应填写")
    assert issue[2] == number[:4] + "*" * (len(number) - 8) + number[-4:]  # the error file masks it too
    assert "居民身份证号码" in run.output and number not in run.output
    assert Penalty.objects.count() == 1 and not _stored_anywhere(number)
    assert not Entity.objects.filter(credit_code=number).exists()


@pytest.mark.parametrize("category", ["个体工商户", "自然人", ""])
@pytest.mark.parametrize("number", [PERSON_ID, CODE_VALID_ID], ids=["valid", "passes-credit-code-checksum"])
def test_a_person_or_sole_trader_with_an_id_number_as_code_is_kept_as_their_encrypted_id(tmp_path, category, number):
    row = penalty(1, **{"行政相对人名称": "城关区张记面馆", "行政相对人类别": category, CODE_COLUMN: number, "法定代表人": ""})

    run = run_import(penalty_csv(tmp_path / "a.csv", [row]))

    assert run.code == 0, run.issues()
    [warning] = run.issues()
    assert warning[1:4] == [CODE_COLUMN, number[:4] + "**********" + number[-4:], "提示"]
    assert warning[4].startswith(f"{CODE_COLUMN}一栏填写的是居民身份证号码，已作为证件号码加密保存")
    record = Penalty.objects.get()
    assert record.credit_code == "" and record.subject_key == "P" + fieldcrypt.blind_index(number)[:31]
    assert fieldcrypt.decrypt(record.subject_id_encrypted) == number
    assert record.subject_id_masked == number[:4] + "**********" + number[-4:]
    assert record.subject_category == ("individual" if category == "个体工商户" else "person")
    assert not Entity.objects.exists()  # no public entity page is made from a person's number
    assert not _stored_anywhere(number)


def test_a_sole_trader_with_an_id_number_in_the_id_column_and_no_code_is_keyed_by_it(tmp_path):
    row = penalty(1, **{"行政相对人名称": "城关区张记面馆", "行政相对人类别": "个体工商户", CODE_COLUMN: "", "证件类型": "身份证",
                        "证件号码": PERSON_ID})

    run = run_import(penalty_csv(tmp_path / "a.csv", [row]))

    assert run.code == 0, run.issues()
    record = Penalty.objects.get()
    assert (record.subject_category, record.credit_code, record.subject_id_masked) == ("individual", "", MASKED)
    assert not Entity.objects.exists()


def test_an_id_number_in_the_code_column_that_differs_from_the_id_column_is_refused(tmp_path):
    other = id_number("62010319900101002")
    row = penalty(1, **{"行政相对人类别": "自然人", CODE_COLUMN: other, "证件号码": PERSON_ID, "证件类型": "身份证"})

    run = run_import(penalty_csv(tmp_path / "a.csv", [row]))

    [issue] = run.rejected()
    assert issue[1] == CODE_COLUMN and "与证件号码一栏不一致" in issue[4] and other not in issue[2]
    assert not Penalty.objects.exists()


def test_a_sole_traders_real_credit_code_is_unaffected(tmp_path):
    code = credit_code("92620102MA71TEA01")
    run = run_import(penalty_csv(tmp_path / "a.csv", [penalty(1, **{"行政相对人类别": "个体工商户", CODE_COLUMN: code})]))

    assert run.code == 0, run.issues()
    assert Penalty.objects.get().subject_key == code and Entity.objects.filter(credit_code=code).exists()


def test_the_register_refuses_an_id_number_as_a_credit_code(tmp_path):
    rows = [[PERSON_ID, "城关区张记面馆", "个体工商户", "620102", "张三", "", "在业", "2018-07-01"]]

    run = run_import(write_csv(tmp_path / "reg.csv", REGISTER_HEADER, rows), kind="register", department=None)

    [issue] = run.rejected()
    assert issue[1] == "统一社会信用代码" and issue[2] == MASKED and "居民身份证号码" in issue[4]
    assert not Entity.objects.exists()


def test_a_15_digit_registration_number_stays_and_an_id_number_in_its_column_is_caught(tmp_path):
    header = [*PENALTY_HEADERS, "行政相对人代码_2(工商注册号)"]
    shop = credit_code("92620102MA71TEA02")
    old_reg_no = "620102600123456"  # a 个体工商户's old registration number: the shape of a 15-digit ID number too
    rows = [penalty(1, **{"行政相对人类别": "个体工商户", CODE_COLUMN: shop}) | {header[-1]: old_reg_no},
            penalty(2) | {header[-1]: PERSON_ID}]

    run = run_import(write_csv(tmp_path / "a.csv", header, rows))

    assert Penalty.objects.get().reg_no == old_reg_no
    [issue] = run.rejected()
    assert issue[:3] == ["3", "行政相对人代码_2(工商注册号)", MASKED] and "法人及非法人组织" in issue[4]
