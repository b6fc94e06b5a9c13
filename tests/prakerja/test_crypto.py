import base64

import pytest
from cryptography.fernet import Fernet

from prakerja.crypto import (
    IdentifierKind,
    pii_decrypt,
    pii_decrypt_bytes,
    pii_digest,
    pii_encrypt,
    pii_encrypt_bytes,
    pii_is_token,
    pii_rotate,
    pii_under_first_key,
)


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


# --- The token's form (prakerja/crypto.py) ---------------------------------------------------------------------


def fernet_token(value: str, key: str) -> str:
    """A token as the portal wrote them before the current form: Fernet, under ``key``."""
    return Fernet(key.encode()).encrypt(value.encode()).decode()


def test_a_token_is_short_and_says_its_form():
    token = pii_encrypt("3276011708950001")

    assert token.startswith("pii2.") and len(token) < 80  # a Fernet token of a NIK was 120 characters
    assert pii_is_token(token) and pii_under_first_key(token)


def test_a_changed_byte_anywhere_in_a_token_fails_to_decrypt():
    body = pii_encrypt("3276011708950001")[len("pii2.") :]
    sealed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))

    for position in range(len(sealed)):  # the key's id, the nonce, the ciphertext and the tag
        changed = sealed[:position] + bytes([sealed[position] ^ 1]) + sealed[position + 1 :]
        with pytest.raises(ValueError, match="could not be decrypted"):
            pii_decrypt("pii2." + base64.urlsafe_b64encode(changed).rstrip(b"=").decode())


@pytest.mark.parametrize("value", ["pii2.", "pii2." + "A" * 43, "pii2." + "A" * 200, "pii2.!!!!"])
def test_a_token_too_short_or_not_base64_fails_with_the_same_message(value):
    with pytest.raises(ValueError, match="could not be decrypted"):
        pii_decrypt(value)


def test_tokens_written_by_fernet_still_decrypt_under_any_configured_key(settings):
    old_key = settings.PII_ENCRYPTION_KEYS[0]
    written_before = fernet_token("Siti Aminah", old_key)
    settings.PII_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]

    assert pii_is_token(written_before)
    assert pii_decrypt(written_before) == "Siti Aminah"
    assert not pii_under_first_key(written_before)  # so the rotation rewrites it in the current form


def test_the_rotation_rewrites_a_fernet_token_and_an_old_keys_token_in_the_current_form(settings):
    old_key = settings.PII_ENCRYPTION_KEYS[0]
    written_before = [fernet_token("Siti Aminah", old_key), pii_encrypt("Siti Aminah")]
    settings.PII_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]

    rotated = [pii_rotate(token) for token in written_before]

    assert not any(pii_under_first_key(token) for token in written_before)
    assert all(token.startswith("pii2.") and pii_under_first_key(token) for token in rotated)
    settings.PII_ENCRYPTION_KEYS = settings.PII_ENCRYPTION_KEYS[:1]  # the old key can go
    assert [pii_decrypt(token) for token in rotated] == ["Siti Aminah", "Siti Aminah"]


def test_bytes_round_trip_without_base64_and_fernet_bytes_still_open(settings):
    page = b"\x78\x9c" + bytes(range(256)) * 20

    sealed = pii_encrypt_bytes(page)

    assert pii_decrypt_bytes(sealed) == page and len(sealed) == len(page) + 1 + 4 + 12 + 16
    assert pii_decrypt_bytes(Fernet(settings.PII_ENCRYPTION_KEYS[0].encode()).encrypt(page)) == page
    with pytest.raises(ValueError, match="could not be decrypted"):
        pii_decrypt_bytes(sealed[:-1] + bytes([sealed[-1] ^ 1]))


@pytest.mark.parametrize(
    "value",
    [
        "Siti Aminah",
        "+6281234567890",
        "siti@contoh.id",
        "3276011708950001",
        "Jl. Merdeka No. 5, RT 001/RW 002",
        "pii2.short",
        "pii2." + "A" * 43 + " spasi",
        "gAAAAA" + "B" * 20,
    ],
)
def test_no_plain_value_looks_like_a_token(value):
    assert not pii_is_token(value)
