"""SM4-GCM (国密) as the cipher for personal data at rest, alongside the default AES-GCM."""

import base64

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.exceptions import ImproperlyConfigured

from cleanrecord.lib import fieldcrypt

ID_NUMBER = "620102198503151234"


@pytest.fixture
def sm4(settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "FIELD_CIPHER": "sm4-gcm"}


def test_openssl_here_computes_sm4_gcm_as_rfc_8998_specifies():
    # RFC 8998, appendix A.1: proves the library really does SM4-GCM, not something named like it.
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(bytes.fromhex("00001234567800000000ABCD"))).encryptor()
    encryptor.authenticate_additional_data(bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2"))
    plain = bytes.fromhex("".join(c * 16 for c in "ABCDEFEA"))
    ct = encryptor.update(plain) + encryptor.finalize()
    assert ct.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    )
    assert encryptor.tag.hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"


def test_sm4_setting_writes_sm4_values_that_round_trip_and_never_repeat(sm4):
    a, b = fieldcrypt.encrypt(ID_NUMBER), fieldcrypt.encrypt(ID_NUMBER)
    assert a.startswith("v2s:") and b.startswith("v2s:") and a != b
    assert ID_NUMBER not in a
    assert fieldcrypt.decrypt(a) == ID_NUMBER


def test_values_written_before_a_switch_stay_readable(settings):
    aes = fieldcrypt.encrypt(ID_NUMBER)
    settings.CLEANRECORD = {**settings.CLEANRECORD, "FIELD_CIPHER": "sm4-gcm"}
    sm4 = fieldcrypt.encrypt(ID_NUMBER)
    assert aes.startswith("v1:") and sm4.startswith("v2s:")
    assert fieldcrypt.decrypt(aes) == fieldcrypt.decrypt(sm4) == ID_NUMBER
    settings.CLEANRECORD = {**settings.CLEANRECORD, "FIELD_CIPHER": "aes-gcm"}
    assert fieldcrypt.decrypt(sm4) == ID_NUMBER


def test_an_altered_sm4_value_is_refused(sm4):
    raw = bytearray(base64.b64decode(fieldcrypt.encrypt(ID_NUMBER)[len("v2s:"):]))
    raw[15] ^= 1
    with pytest.raises(InvalidTag):
        fieldcrypt.decrypt("v2s:" + base64.b64encode(bytes(raw)).decode())


def test_the_blind_index_does_not_depend_on_the_cipher(settings):
    before = fieldcrypt.blind_index(ID_NUMBER)
    settings.CLEANRECORD = {**settings.CLEANRECORD, "FIELD_CIPHER": "sm4-gcm"}
    assert fieldcrypt.blind_index(ID_NUMBER) == before


def test_an_unknown_cipher_is_a_configuration_error(settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "FIELD_CIPHER": "des"}
    with pytest.raises(ImproperlyConfigured):
        fieldcrypt.encrypt(ID_NUMBER)
