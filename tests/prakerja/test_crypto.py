import pytest

from prakerja.crypto import IdentifierKind, pii_decrypt, pii_digest, pii_encrypt


def test_encryption_round_trips_and_never_shows_the_number():
    token = pii_encrypt("3276011708950001")

    assert "3276011708950001" not in token
    assert pii_decrypt(token) == "3276011708950001"
    assert pii_encrypt("3276011708950001") != token  # random IV: equal numbers are not equal ciphertexts


def test_the_blind_index_is_stable_keyed_and_separate_per_kind(settings):
    nik_index = pii_digest("3276011708950001", kind=IdentifierKind.NIK)

    assert nik_index == pii_digest("3276011708950001", kind=IdentifierKind.NIK)
    assert nik_index != pii_digest("3276011708950001", kind=IdentifierKind.KK)
    settings.PII_BLIND_INDEX_KEYS = ["another-key"]
    assert pii_digest("3276011708950001", kind=IdentifierKind.NIK) != nik_index


def test_an_old_key_still_decrypts_after_rotation(settings):
    token = pii_encrypt("3276011708950001")

    settings.PII_ENCRYPTION_KEYS = ["bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleSE=", *settings.PII_ENCRYPTION_KEYS]

    assert pii_decrypt(token) == "3276011708950001"
    assert pii_decrypt(pii_encrypt("3276011708950001")) == "3276011708950001"


def test_a_token_from_an_unknown_key_fails_without_echoing_it(settings):
    token = pii_encrypt("3276011708950001")
    settings.PII_ENCRYPTION_KEYS = ["bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleSE="]

    with pytest.raises(ValueError, match="could not be decrypted") as raised:
        pii_decrypt(token)

    assert token not in str(raised.value)
