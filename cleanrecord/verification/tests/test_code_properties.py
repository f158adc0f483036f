"""Properties of the verification-code parser (reports.codes.normalise), on generated input (hypothesis)."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanrecord.reports.codes import ALPHABET, CODE_LENGTH, display, normalise

FAST = settings(max_examples=200, deadline=None)
code = st.text(st.sampled_from(ALPHABET), min_size=CODE_LENGTH, max_size=CODE_LENGTH)
separators = st.text(st.sampled_from(" -_.·—–/\\|:;,，。、\u3000\t\r\n\x00\u200b\ufeff－"), max_size=3)
FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in ALPHABET + ALPHABET.lower()})


@FAST
@given(c=code, data=st.data())
def test_a_code_is_found_in_any_case_width_and_with_any_separators(c, data):
    assert normalise(c) == c and normalise(display(c)) == c
    typed = "".join(data.draw(st.sampled_from([ch, ch.lower()])) + data.draw(separators) for ch in c)
    typed = data.draw(separators) + typed
    assert normalise(typed) == c
    assert normalise(typed.translate(FULL_WIDTH)) == c


@FAST
@given(typed=st.text(st.characters(codec="utf-8"), max_size=40))
def test_normalising_gives_a_code_of_the_alphabet_or_nothing_and_is_idempotent(typed):
    once = normalise(typed)
    assert set(once) <= set(ALPHABET)
    assert normalise(once) == once


@FAST
@given(c=code, position=st.integers(0, CODE_LENGTH), intruder=st.one_of(
    st.sampled_from("0O1IL1UuoilＯ０中ßǅⅣ①ÁéΣя٣"),
    # Compatibility forms count as what they stand for (² is 2): refused are those that stand for something else.
    st.characters(codec="utf-8").filter(lambda ch: any(
        x.isalnum() and x.upper() not in ALPHABET for x in unicodedata.normalize("NFKC", ch)))))
def test_a_letter_or_digit_outside_the_alphabet_is_refused_wherever_it_stands(c, position, intruder):
    assert normalise(c[:position] + intruder + c[position:]) == ""


@pytest.mark.pdf
@pytest.mark.django_db
def test_a_code_typed_in_full_width_with_chinese_punctuation_opens_the_report(client):
    from cleanrecord.reports.services import issue_report
    from cleanrecord.reports.tests.factories import entity

    report = issue_report(credit_code=entity(name="兰州全角核验有限公司").credit_code, domains=["taxation"],
                          purpose="finance")
    typed = "　" + "－".join(report.snapshot["verification_code_display"].lower().split("-")).translate(FULL_WIDTH)
    response = client.get("/verify", {"code": typed})
    assert response.status_code == 302 and response["Location"] == f"/verify/{report.verification_code}"
    assert client.get(f"/verify/{typed.strip()}").status_code == 200
    response = client.get("/verify", {"code": report.verification_code[:-1] + "O"})
    assert response.status_code == 302 and response["Location"] == "/verify/-"
