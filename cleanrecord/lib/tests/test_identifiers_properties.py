"""Properties of the resident-ID shape test that keeps ID numbers out of public codes and pages."""

import datetime as dt

from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from cleanrecord.lib.identifiers import (
    CodeCheck,
    check_credit_code,
    credit_code_check_character,
    find_id_numbers,
    looks_like_id_number,
    mask_id_numbers_in,
)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
provinces = st.sampled_from(["11", "31", "44", "51", "62", "65", "82"])
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=timezone.localdate())


@st.composite
def id_numbers(draw) -> str:
    body = (draw(provinces) + draw(st.from_regex(r"\A[0-9]{4}\Z")) + draw(births).strftime("%Y%m%d")
            + draw(st.from_regex(r"\A[0-9]{3}\Z")))
    return body + ric.calc_check_digit(body + "0")


@given(st.text(alphabet=USCC_ALPHABET, min_size=16, max_size=16), st.sampled_from("123"))
def test_no_market_entity_credit_code_looks_like_an_id_number(rest, kind):
    body = "9" + kind + rest[1:] + rest[0]  # 91/92/93: enterprises, 个体工商户, cooperatives
    assert not looks_like_id_number(body + uscc.calc_check_digit(body))


@given(id_numbers(), st.text(max_size=30), st.text(max_size=30))
def test_every_id_number_in_a_text_is_masked(number, before, after):
    assert looks_like_id_number(number)
    text = f"{before}（{number}）{after}"
    masked = mask_id_numbers_in(text)
    assert number not in masked and not find_id_numbers(masked)
    assert len(masked) == len(text) and mask_id_numbers_in(masked) == masked


@given(st.text(alphabet="0123456789", min_size=8, max_size=8), st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
       st.sampled_from(USCC_ALPHABET))
def test_the_credit_code_check_character_is_python_stdnums(head, tail, last):
    body = "9" + head[1:] + tail  # a shape USCC_RE accepts: two registration characters, six region digits
    assert credit_code_check_character(body) == uscc.calc_check_digit(body)
    expected = CodeCheck.VALID if uscc.is_valid(body + last) else CodeCheck.BAD_CHECKSUM
    assert check_credit_code(body + last) is expected
