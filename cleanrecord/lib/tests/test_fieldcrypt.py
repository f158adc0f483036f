from cleanrecord.lib import fieldcrypt
from cleanrecord.lib.identifiers import CodeCheck, check_credit_code, mask_id_number


def test_encrypted_id_numbers_round_trip_and_never_repeat():
    a, b = fieldcrypt.encrypt("620102198503151234"), fieldcrypt.encrypt("620102198503151234")
    assert a != b and a.startswith("v1:") and "620102198503151234" not in a
    assert fieldcrypt.decrypt(a) == "620102198503151234"


def test_blind_index_is_stable_and_hides_the_value():
    assert fieldcrypt.blind_index("620102198503151234") == fieldcrypt.blind_index("620102198503151234")
    assert "6201" not in fieldcrypt.blind_index("620102198503151234")


def test_id_numbers_are_masked_to_first_and_last_four():
    assert mask_id_number("620102198503151234") == "6201**********1234"


def test_credit_code_checks():
    assert check_credit_code("91620100MA71AAAA0" + "X") in (CodeCheck.VALID, CodeCheck.BAD_CHECKSUM)
    assert check_credit_code("91620102MA7ABCDE1M") is CodeCheck.VALID
    assert check_credit_code("91620102MA7ABCDE1N") is CodeCheck.BAD_CHECKSUM
    assert check_credit_code("BADCODE") is CodeCheck.INVALID
    assert check_credit_code("91620102MA7ABCDEIM") is CodeCheck.INVALID  # I is not in the alphabet


def test_real_id_numbers_of_older_urban_residents_and_of_the_new_area_are_valid():
    from stdnum.cn import ric

    from cleanrecord.lib.identifiers import is_valid_id_number

    for body in ("62010219650315123", "62017119900101123"):  # 城关区 born 1965; 兰州新区
        number = body + ric.calc_check_digit(body + "0")
        assert is_valid_id_number(number)
        assert not is_valid_id_number(number[:17] + ("0" if number[17] != "0" else "1"))
    assert not is_valid_id_number("620102196513151234")  # month 13
