"""Properties of the cell parsers and the row parser, checked on generated input (hypothesis).

No database: the row parser is given its context (department, domains) directly. The fuzz run over
whole files is `make fuzz` (cleanrecord/testing/fuzz.py).
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from cleanrecord.lib.identifiers import is_valid_id_number
from cleanrecord.lib.text import without_controls
from cleanrecord.records.importing import values
from cleanrecord.records.importing.rows import Context, Parsed, RowParser
from cleanrecord.reference.models import Department

from .helpers import AMR_CODE, AMR_NAME, PENALTY_HEADERS, id_number, penalty

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Whatever a cell of a CSV or a spreadsheet can hold: any text (control characters, surrogates escaped
# by the CSV reader are not possible, but NUL, bidi marks and full-width forms are), numbers of every
# size, NaN and infinities, booleans and dates as calamine returns them.
any_text = st.text(st.characters(codec="utf-8"), max_size=60)
tricky_text = st.one_of(
    any_text,
    st.sampled_from(["", " ", "无", "——", "NULL", "n/a", "长期", "0", "-0", "1e5", "NaN", "inf", "=1+1", "\x00",
                     "２０２４年３月１日", "20240301", "45352", "0.5万元", "5000元", "人民币5000元整", "9" * 40]),
    st.text(st.sampled_from("0123456789０１２３-/.年月日万元,，. \u3000\t\r\nXx"), max_size=30),
)
any_cell = st.one_of(
    st.none(), tricky_text, st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.dates(),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.times(), st.timedeltas(),
)

CELL_PARSERS = [values.text, values.code, values.date, values.amount, values.category, values.flag, values.public,
                values.status, values.procedure, values.entity_status, values.domain, values.id_number,
                lambda cell: values.amount(cell, unit_yuan=True), lambda cell: values.text(cell, max_length=50)]


@pytest.mark.parametrize("parse", CELL_PARSERS)
@FAST
@given(cell=any_cell)
def test_a_cell_parser_refuses_only_with_a_chinese_value_error(parse, cell):
    try:
        parse(cell)
    except ValueError as e:
        assert type(e) is ValueError
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(e)), str(e)


@pytest.mark.parametrize("parse", [values.text, values.code, values.domain, values.id_number,
                                   values.category, values.status, values.procedure, values.entity_status])
@FAST
@given(cell=tricky_text)
@example(cell="无" + " " * 12)  # an empty marker padded past the length where is_empty() stops looking
@example(cell="n" + " " * 10 + "a")
def test_text_normalisers_are_idempotent(parse, cell):
    try:
        once = parse(cell)
    except ValueError:
        return
    if isinstance(once, str) and parse in (values.text, values.code, values.domain, values.id_number):
        assert parse(once) == once


@FAST
@given(day=st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
       form=st.sampled_from(["{:%Y-%m-%d}", "{:%Y/%m/%d}", "{:%Y.%m.%d}", "{:%Y年%m月%d日}", "{:%Y%m%d}",
                             "{:%Y-%m-%d} 10:30:00", " {:%Y-%m-%d}\u3000"]))
def test_dates_round_trip_in_every_written_form(day, form):
    text = form.format(day)
    if day.year < 1000:  # strftime("%Y") does not pad on every platform
        text = text.replace(str(day.year), f"{day.year:04d}", 1)
    assert values.date(text) == day
    assert values.date(values.date(text).isoformat()) == day
    assert values.date(values.as_text(day)) == day


@FAST
@given(serial=st.integers(min_value=1, max_value=2958465))
def test_spreadsheet_serial_numbers_are_days_since_1899_12_30(serial):
    day = values.date(float(serial))
    assert day == dt.date(1899, 12, 30) + dt.timedelta(days=serial)


@FAST
@given(wan=st.decimals(min_value=0, max_value=Decimal("999999999999.999999"), places=6, allow_nan=False))
def test_amounts_round_trip(wan):
    parsed = values.amount(str(wan))
    assert parsed == wan
    assert values.amount(str(parsed)) == parsed
    assert values.amount(f"{wan}万元") == wan
    assert values.amount(f"{wan * 10000}元") == wan.quantize(values.SIX_PLACES)
    assert values.amount(f"{wan * 10000}", unit_yuan=True) == wan.quantize(values.SIX_PLACES)


@FAST
@given(cell=st.one_of(tricky_text, st.floats(), st.integers(min_value=-(10**40), max_value=10**40)))
def test_an_accepted_amount_is_a_finite_non_negative_number_that_fits_its_column(cell):
    try:
        parsed = values.amount(cell)
    except ValueError:
        return
    if parsed is not None:
        assert parsed.is_finite() and parsed >= 0 and parsed.adjusted() < 12
        assert parsed.as_tuple().exponent == -6


# -- the row parser ---------------------------------------------------------------------------

AMR = Department(pk=1, code="amr", name=AMR_NAME, credit_code=AMR_CODE, region_id="620100",
                 default_domain_id="market-regulation")
DOMAINS = {"market-regulation": "market-regulation", "市场监管": "market-regulation",
           "court-enforcement": "court-enforcement"}


def _parser(kind: str = "penalty", header=PENALTY_HEADERS, department=AMR) -> RowParser:
    context = Context(department=department, departments_by_credit_code={AMR_CODE: AMR}, domains=DOMAINS,
                      today=dt.date(2026, 12, 6), max_fine_wan=Decimal(1000000))
    return RowParser(kind, list(header), context)


@pytest.mark.parametrize("kind", ["penalty", "licence", "listing", "register"])
@FAST
@given(cells=st.lists(any_cell, max_size=len(PENALTY_HEADERS) + 3), data=st.data())
def test_the_row_parser_answers_any_row_with_a_record_or_reasons(kind, cells, data):
    parser = _parser(kind)
    parsed, issues = parser.parse(2, cells)
    assert parsed is None or isinstance(parsed, Parsed)
    if parsed is None:
        assert any(i.level == "error" for i in issues)
    for issue in issues:
        assert issue.row == 2 and issue.reason and issue.level in ("error", "warning")


@FAST
@given(changes=st.fixed_dictionaries({}, optional={h: any_cell for h in PENALTY_HEADERS}))
def test_the_row_parser_answers_a_mostly_valid_row_with_a_record_or_reasons(changes):
    """Starting from a valid row, any cells changed to anything: the parser answers, never raises."""
    row = penalty(7)
    row.update(changes)
    parsed, issues = _parser().parse(2, [row[h] for h in PENALTY_HEADERS])
    assert parsed is not None or any(i.level == "error" for i in issues)


def _csv_round_trip(cells: list) -> list[str]:
    buf = io.StringIO()
    csv.writer(buf).writerow(["" if c is None else values.as_text(c) for c in cells])
    return next(csv.reader(io.StringIO(buf.getvalue())))


# Spellings departments write for the same value: a valid row stays valid, and the same record, in any of them.
date_cell = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2026, 12, 6)).flatmap(
    lambda d: st.sampled_from([d.isoformat(), f"{d:%Y/%m/%d}", f"{d:%Y年%m月%d日}", f"{d:%Y%m%d}", d,
                               dt.datetime.combine(d, dt.time()), float((d - dt.date(1899, 12, 30)).days)]))
amount_cell = st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False).flatmap(
    lambda a: st.sampled_from([str(a), f"{a}万元", f"{a * 10000}元", f" {a} ", float(a)]))
padding = st.sampled_from(["", " ", "\u3000", "\t"])


@FAST
@given(decided=date_cell, until=st.none() | date_cell, fine=amount_cell, pad=padding, name_pad=padding,
       category=st.sampled_from(["罚款", "警告；罚款", "罚款、没收违法所得", "暂扣或者吊销许可证", "其他-责令改正"]))
def test_a_row_accepted_once_is_accepted_the_same_after_re_serialising(decided, until, fine, pad, name_pad, category):
    row = penalty(3, **{"处罚决定日期": decided, "公示截止期": until, "罚款金额(万元)": fine, "处罚类别": category,
                        "行政相对人名称": f"{name_pad}兰州示例商贸有限公司3{name_pad}"})
    row["行政相对人代码_1(统一社会信用代码)"] = pad + row["行政相对人代码_1(统一社会信用代码)"].lower() + pad
    cells = [row[h] for h in PENALTY_HEADERS]
    first, issues = _parser().parse(2, cells)
    assume(first is not None)  # e.g. 公示截止期 drawn before the decision
    # Through a CSV file, as the platform's own exports and a clerk's re-save produce it.
    again, _ = _parser().parse(2, _csv_round_trip(cells))
    assert again is not None and again.content_hash == first.content_hash
    # And from the values the parser made of it, written back as cells.
    written = dict(row)
    written.update({"处罚决定日期": first.values["decided_on"].isoformat(), "罚款金额(万元)": str(first.values["fine_wan"]),
                    "处罚类别": first.values["categories"], "行政相对人名称": first.values["subject_name"],
                    "行政相对人代码_1(统一社会信用代码)": first.values["credit_code"],
                    "公示截止期": first.values["publish_until"].isoformat() if first.values.get("publish_until") else ""})
    third, _ = _parser().parse(2, [written[h] for h in PENALTY_HEADERS])
    assert third is not None and third.content_hash == first.content_hash
    assert {k: v for k, v in third.values.items() if "encrypted" not in k} == \
           {k: v for k, v in first.values.items() if "encrypted" not in k}


resident_id = st.builds(
    lambda region, born, seq: id_number(f"{region}{born:%Y%m%d}{seq:03d}"),
    st.sampled_from(["620102", "620103", "620104", "620105", "620111", "620121", "110101", "440305"]),
    st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2008, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


@FAST
@given(number=resident_id, category=st.sampled_from(["法人及非法人组织", "个体工商户", ""]), pad=padding,
       lower=st.booleans())
def test_no_id_number_ever_becomes_an_organisations_public_code(number, category, pad, lower):
    assert is_valid_id_number(number)
    row = penalty(5, **{"行政相对人类别": category,
                        "行政相对人代码_1(统一社会信用代码)": pad + (number.lower() if lower else number) + pad})
    parsed, issues = _parser().parse(2, [row[h] for h in PENALTY_HEADERS])
    if parsed is None:
        return
    assert parsed.values.get("credit_code") != number
    assert parsed.values.get("subject_key") != number
    assert number not in str({k: v for k, v in parsed.values.items() if "encrypted" not in k and "masked" not in k})


@FAST
@given(position=st.integers(2, 7), digit=st.sampled_from("٠١٢٣٤٥٦٧٨٩०१२३४५६७८९"))
def test_a_credit_code_with_another_scripts_digit_is_a_row_error(position, digit):
    code = penalty(4)["行政相对人代码_1(统一社会信用代码)"]
    row = penalty(4, **{"行政相对人代码_1(统一社会信用代码)": code[:position] + digit + code[position + 1:]})
    parsed, issues = _parser().parse(2, [row[h] for h in PENALTY_HEADERS])
    assert parsed is None
    assert [i.reason for i in issues if i.level == "error"] == ["统一社会信用代码格式错误（应为 18 位，不含 I、O、Z、S、V）"]


control = st.sampled_from([chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), *range(127, 160)]])


@pytest.mark.parametrize("parse", [values.text, values.code, values.id_number])
@FAST
@given(value=tricky_text.map(without_controls), bad=control, at=st.integers(min_value=0, max_value=60))
def test_a_control_character_in_text_or_a_code_is_refused_by_name(parse, value, bad, at):
    cell = f"A{value[:at]}{bad}{value[at:]}B"  # between visible characters: a blank cell around it is just blank
    with pytest.raises(ValueError, match=rf"含有不可见的控制字符（U\+{ord(bad):04X}）"):
        parse(cell)


@FAST
@given(value=tricky_text.map(without_controls))
def test_tabs_and_line_breaks_are_not_control_characters_in_text(value):
    for cell in (f"{value}\n第二行", f"第一行\r\n{value}", f"甲\t{value}"):
        assert "\x00" not in values.text(cell)


@FAST
@given(bad=control, header=st.sampled_from(["部门自用列", "内部编号\x00", "\x1b[31m"]))
def test_an_extra_column_is_kept_without_its_control_characters(bad, header):
    parser = _parser(header=[*PENALTY_HEADERS, header])
    parsed, issues = parser.parse(2, [*[penalty(8)[h] for h in PENALTY_HEADERS], f"内部{bad}备注"])
    assert parsed is not None, issues
    assert all(v.isprintable() and k.isprintable() for k, v in parsed.values["extra"].items())
    assert list(parsed.values["extra"].values()) == ["内部备注"]
