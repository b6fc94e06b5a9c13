import pytest

from prakerja.crypto import IdentifierKind, pii_decrypt, pii_decrypt_many, pii_digest, pii_encrypt


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


# --- pii_decrypt_many: the outbox's batch decryption, compared with Fernet's own ------------------------------

NEW_KEY = "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleSE="


def _signed_token(settings, plaintext_blocks: bytes) -> str:
    """A token signed under the first key whose ciphertext decrypts to ``plaintext_blocks`` as they are (no
    padding added): what only a holder of the key could write, to check the padding is checked after the HMAC."""
    import base64
    import hashlib
    import hmac
    import os

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    raw = base64.urlsafe_b64decode(settings.PII_ENCRYPTION_KEYS[0])
    iv = os.urandom(16)
    encryptor = Cipher(algorithms.AES(raw[16:]), modes.CBC(iv)).encryptor()
    signed = b"\x80" + bytes(8) + iv + encryptor.update(plaintext_blocks) + encryptor.finalize()
    return base64.urlsafe_b64encode(signed + hmac.new(raw[:16], signed, hashlib.sha256).digest()).decode()


def test_batch_decryption_gives_what_fernet_gives_for_every_length_and_alphabet():
    values = ["", "+6281212345678", "siti.aminah@example.com", "Ñoño Siti — ğüş 🙂", *("x" * n for n in range(1, 50))]
    tokens = [pii_encrypt(value) for value in values]

    assert pii_decrypt_many(tokens) == [pii_decrypt(token) for token in tokens] == values
    assert pii_decrypt_many([]) == []


def test_batch_decryption_takes_each_token_under_its_own_key_in_order(settings):
    old = [pii_encrypt(f"+62812000000{n:02d}") for n in range(3)]
    settings.PII_ENCRYPTION_KEYS = [NEW_KEY, *settings.PII_ENCRYPTION_KEYS]
    new = [pii_encrypt(f"+62813000000{n:02d}") for n in range(3)]

    mixed = [new[0], old[0], old[1], new[1], old[2], new[2]]

    assert pii_decrypt_many(mixed) == [pii_decrypt(token) for token in mixed]


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda token: token[:-8] + ("A" if token[-8] != "A" else "B") + token[-7:], id="hmac"),
        pytest.param(lambda token: token[:40] + ("A" if token[40] != "A" else "B") + token[41:], id="ciphertext"),
        pytest.param(lambda token: token[:-44], id="truncated"),
        pytest.param(lambda token: "hA" + token[2:], id="version"),
        pytest.param(lambda token: token[:50] + "!*" + token[52:], id="not-base64"),
    ],
)
def test_batch_decryption_refuses_a_spoiled_token_as_fernet_does_without_echoing_it(spoil):
    good = pii_encrypt("+6281212345678")
    bad = spoil(pii_encrypt("+6281212345679"))

    with pytest.raises(ValueError, match="could not be decrypted"):
        pii_decrypt(bad)
    with pytest.raises(ValueError, match="could not be decrypted") as raised:
        pii_decrypt_many([good, bad])

    assert bad not in str(raised.value) and good not in str(raised.value)


def test_batch_decryption_refuses_a_token_of_an_unknown_key(settings):
    token = pii_encrypt("+6281212345678")
    settings.PII_ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(ValueError, match="could not be decrypted"):
        pii_decrypt_many([token])


@pytest.mark.parametrize("last_block", [bytes(16), b"x" * 14 + b"\x02\x03", b"x" * 15 + b"\x11"], ids=str)
def test_batch_decryption_checks_the_padding_after_the_hmac_as_fernet_does(settings, last_block):
    token = _signed_token(settings, b"y" * 16 + last_block)

    with pytest.raises(ValueError, match="could not be decrypted"):
        pii_decrypt(token)
    with pytest.raises(ValueError, match="could not be decrypted"):
        pii_decrypt_many([token])
