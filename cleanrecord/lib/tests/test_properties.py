"""Properties of the identifier and text helpers, checked on generated input (hypothesis)."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from cleanrecord.lib.identifiers import CodeCheck, check_credit_code, is_valid_id_number, mask_id_number
from cleanrecord.lib.text import (
    EMPTY_MARKERS,
    clean_text,
    compact,
    control_character,
    half_width,
    is_empty,
    without_controls,
)

FAST = settings(max_examples=200, deadline=None)
any_text = st.text(st.characters(codec="utf-8"), max_size=80)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

credit_code = st.builds(
    lambda head, division, body: (lambda b: b + uscc.calc_check_digit(b))(head + division + body),
    st.sampled_from(["91", "92", "93", "11", "12", "51", "52", "Y1"]),
    st.from_regex(r"\A62[0-9]{4}\Z"),
    st.text(st.sampled_from(USCC_ALPHABET), min_size=9, max_size=9),
)
resident_id = st.builds(
    lambda region, born, seq: (lambda b: b + ric.calc_check_digit(b + "0"))(f"{region}{born:%Y%m%d}{seq:03d}"),
    st.from_regex(r"\A[1-6][0-9]{5}\Z"),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


@FAST
@given(value=any_text)
def test_the_identifier_checks_answer_any_text(value):
    assert check_credit_code(value) in CodeCheck
    assert isinstance(is_valid_id_number(value), bool)
    masked = mask_id_number(value)
    assert len(masked) == len(value.strip())


@FAST
@given(code=credit_code, position=st.integers(0, 16), replacement=st.sampled_from(USCC_ALPHABET))
def test_a_credit_code_with_one_character_changed_fails_its_checksum(code, position, replacement):
    assert check_credit_code(code) is CodeCheck.VALID
    changed = code[:position] + replacement + code[position + 1:]
    if changed != code and check_credit_code(changed) is not CodeCheck.INVALID:
        assert check_credit_code(changed) is CodeCheck.BAD_CHECKSUM


@FAST
@given(number=resident_id, position=st.integers(0, 16), digit=st.sampled_from("0123456789"))
def test_a_resident_id_with_one_digit_changed_is_not_valid(number, position, digit):
    assert is_valid_id_number(number)
    changed = number[:position] + digit + number[position + 1:]
    assert is_valid_id_number(changed) == (changed == number)


@FAST
@given(number=st.one_of(resident_id, credit_code, any_text))
def test_a_masked_number_shows_at_most_eight_characters_of_it(number):
    masked = mask_id_number(number)
    shown = sum(1 for ch in masked if ch != "*")
    assert shown <= 8
    if len(number.strip()) >= 12:
        assert number.strip() not in masked and number.strip()[4:-4] not in masked.replace("*", "")


@FAST
@given(value=any_text)
def test_the_text_normalisers_are_idempotent(value):
    assert compact(compact(value)) == compact(value)
    assert half_width(half_width(value)) == half_width(value)
    assert clean_text(clean_text(value)) == clean_text(value)


@FAST
@given(value=any_text)
def test_compact_leaves_no_space_and_no_full_width_ascii(value):
    folded = compact(value)
    assert not any(ch in folded for ch in " \t\u3000\u00a0\u200b\ufeff")
    assert not any("\uff01" <= ch <= "\uff5e" for ch in folded)


@FAST
@given(marker=st.sampled_from(sorted(EMPTY_MARKERS)), left=st.sampled_from(["", " ", "\u3000", "\t"]),
       right=st.sampled_from(["", " ", "\u3000", "\t"]), upper=st.booleans())
def test_every_empty_marker_is_empty_however_padded_or_cased(marker, left, right, upper):
    assert is_empty(left + (marker.upper() if upper else marker) + right)
    assert is_empty(clean_text(left + marker + right))


@FAST
@given(code=credit_code, position=st.integers(2, 7), digit=st.sampled_from("٠١٢٣٤٥٦٧٨٩०१२३४५६७८९០១២៣"))
def test_a_code_with_another_scripts_digit_is_refused_not_crashed_on(code, position, digit):
    """\\d matches ٦ and ६ too; the check-digit tables know only 0-9 (they raised ValueError on them)."""
    changed = code[:position] + digit + code[position + 1:]
    assert check_credit_code(changed) is CodeCheck.INVALID
    assert not is_valid_id_number(changed[:17].translate(str.maketrans(USCC_ALPHABET[10:], "0" * 21)) + "0")


@FAST
@given(value=any_text)
def test_control_characters_are_found_exactly_when_removing_them_changes_the_text(value):
    cleaned = without_controls(value)
    assert without_controls(cleaned) == cleaned and control_character(cleaned) == ""
    assert (control_character(value) == "") == (cleaned == value)
    assert all(ch in cleaned for ch in "\t\n\r" if ch in value)  # tab and line breaks are text
