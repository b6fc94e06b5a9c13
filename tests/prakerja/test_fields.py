"""The fields that keep personal data encrypted at rest (prakerja/fields.py), on their own: what goes to the
database and what comes back. Their use by the portal's models is tested where the models are."""

from datetime import date

import pytest

from prakerja.crypto import IdentifierKind, pii_digest, pii_encrypt, pii_is_token
from prakerja.fields import BlindIndexField, EncryptedDateField, EncryptedTextField


def test_a_text_is_written_as_a_token_and_read_back_plain():
    field = EncryptedTextField(max_length=150)

    stored = field.get_prep_value("Siti Aminah")

    assert pii_is_token(stored) and "Siti" not in stored
    assert field.from_db_value(stored, None, None) == "Siti Aminah"
    assert field.get_prep_value("Siti Aminah") != stored  # equal values, different tokens: nothing to compare


def test_a_value_written_before_encryption_is_read_as_it_is():
    field = EncryptedTextField()

    assert field.from_db_value("Jl. Merdeka 1", None, None) == "Jl. Merdeka 1"


def test_nothing_and_blank_stay_what_they_are():
    field = EncryptedTextField(blank=True, null=True)

    assert field.get_prep_value(None) is None and field.get_prep_value("") == ""
    assert field.from_db_value(None, None, None) is None and field.from_db_value("", None, None) == ""


def test_a_date_is_written_as_the_token_of_its_iso_form():
    field = EncryptedDateField()

    stored = field.get_db_prep_value(date(1995, 8, 17), connection=None)

    assert pii_is_token(stored) and "1995" not in stored
    assert field.from_db_value(stored, None, None) == date(1995, 8, 17)
    assert field.from_db_value("1995-08-17", None, None) == date(1995, 8, 17)  # a value from before
    assert field.get_db_prep_value(None, connection=None) is None


def test_no_name_address_number_or_date_looks_like_a_token():
    for value in ("Siti Aminah", "Jl. Merdeka No. 1, RT 001/RW 002", "+6281212345678", "1995-08-17", "a" * 200):
        assert not pii_is_token(value)
    assert pii_is_token(pii_encrypt("x"))


def test_a_token_from_keys_no_longer_configured_fails_rather_than_showing_the_token(settings):
    stored = EncryptedTextField().get_prep_value("Siti Aminah")
    settings.PII_ENCRYPTION_KEYS = ["bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleSE="]

    with pytest.raises(ValueError, match="could not be decrypted"):
        EncryptedTextField().from_db_value(stored, None, None)


def test_a_blind_index_is_the_keyed_hmac_of_its_kind():
    field = BlindIndexField(kind=IdentifierKind.PHONE, source="number")

    assert field.digest_of("+6281212345678") == pii_digest("+6281212345678", kind=IdentifierKind.PHONE)
    assert field.digest_of("") == "" and BlindIndexField(kind="phone", null=True).digest_of(None) is None
    assert field.max_length == 64
    _name, _path, _args, kwargs = field.deconstruct()
    assert kwargs == {"kind": "phone", "source": "number"}
