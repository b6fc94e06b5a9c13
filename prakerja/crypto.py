"""Personal data at rest: encrypted, with a keyed blind index where it must be found again.

NIK, KK, names, mother's name, address, birth date and phone numbers are never stored in clear in the portal's
tables (docs/PRIVACY.md, "Encryption and key rotation"):
- each value is encrypted with Fernet (AES-128-CBC + HMAC-SHA256) through ``MultiFernet``, so keys rotate: the
  first key in ``PII_ENCRYPTION_KEYS`` encrypts, every key decrypts, and ``manage.py pii_rotate_keys``
  re-encrypts what an older key wrote while the portal serves. The model fields that do this for every caller
  are in prakerja/fields.py;
- where the portal must find, group or keep a value unique, it also stores an HMAC-SHA256 "blind index" of it
  under the first key in ``PII_BLIND_INDEX_KEYS``, for uniqueness (one NIK, one account; one number, one
  account), look-ups (the OTP limits per number, the admin's exact search) and grouping (the KK cap of
  selection groups by the KK's index) without decrypting anything. Look-ups try every key
  (``pii_digests``), so the index key rotates too (``manage.py pii_reindex``).
The index is deterministic by design, so it is keyed and namespaced per kind: without the key nobody can
test a guessed NIK against it, and a NIK's index never equals a KK's.

Other secrets at rest use the same encryption (the text of a message carrying a link or a one-time code, in
the notifications outbox). It lives in the project package because every app needs it.
"""

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Sequence
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings


class IdentifierKind:
    NIK = "nik"
    KK = "kk"
    # A mobile number in E.164 (+62812…): the verified numbers, the OTP codes' numbers, the SMS in the outbox.
    PHONE = "phone"


# A Fernet token: version byte 0x80 and a 64-bit timestamp whose high bytes are zero until the year 2106, so
# its base64 starts with "gAAAAA"; at least 73 bytes (one AES block), so at least 100 characters, padding included.
_TOKEN = re.compile(r"gAAAAA[A-Za-z0-9_-]{92,}={0,2}")
# Never include the token: the message ends up in logs.
_UNDECRYPTABLE = "personal data could not be decrypted with the configured keys"


@lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    # Built once per key list: parsing the keys costs more than encrypting a short value.
    fernets = [Fernet(key.encode()) for key in keys]
    return MultiFernet(fernets), fernets[0]


def _fernet() -> MultiFernet:
    return _fernets(tuple(settings.PII_ENCRYPTION_KEYS))[0]


def pii_encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def pii_decrypt(token: str) -> str:
    return pii_decrypt_bytes(token.encode()).decode()


def pii_encrypt_bytes(data: bytes) -> bytes:
    """``pii_encrypt`` for bytes (a compressed page kept in the cache, journey/page_cache.py)."""
    return _fernet().encrypt(data)


def pii_decrypt_bytes(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken:
        raise ValueError(_UNDECRYPTABLE) from None


# Fernet's layout (https://github.com/fernet/spec): version 0x80, timestamp (8 bytes), IV (16), AES-128-CBC
# ciphertext (whole blocks, PKCS7-padded), HMAC-SHA256 of everything before it (32), under the key's first 16
# bytes (signing) and last 16 (encryption).
_FERNET_OVERHEAD = 1 + 8 + 16 + 32


@lru_cache(maxsize=8)
def _fernet_key_halves(keys: tuple[str, ...]) -> tuple[tuple[bytes, bytes], ...]:
    halves = []
    for key in keys:
        raw = base64.urlsafe_b64decode(key)
        halves.append((raw[:16], raw[16:]))
    return tuple(halves)


def pii_decrypt_many(tokens: Sequence[str]) -> list[str]:
    """``pii_decrypt`` of each of ``tokens``, in order: what a batch of the outbox decrypts (its recipients).

    The same checks as Fernet's (each token's HMAC under the first configured key that verifies it, compared in
    constant time, before anything is decrypted; then its padding), but the AES work of the whole batch in one
    call: CBC decryption is each block decrypted on its own, XOR the block before it (the IV before the first), so
    every block of every token goes through one ECB context and one XOR. A cipher context per token, as
    ``Fernet.decrypt`` builds, was most of the cost of decrypting a phone number (docs/PERFORMANCE.md, "Outbox
    delivery"). Raises ValueError, naming no token, when one does not decrypt; tests compare it with Fernet's."""
    keys = _fernet_key_halves(tuple(settings.PII_ENCRYPTION_KEYS))
    verified: list[list[tuple[int, bytes]]] = [[] for _ in keys]
    for at, token in enumerate(tokens):
        try:
            data = base64.urlsafe_b64decode(token)
        except (binascii.Error, ValueError):
            raise ValueError(_UNDECRYPTABLE) from None
        if len(data) < _FERNET_OVERHEAD + 16 or data[0] != 0x80 or (len(data) - _FERNET_OVERHEAD) % 16:
            raise ValueError(_UNDECRYPTABLE)
        signed, mac = data[:-32], data[-32:]
        for under, (signing, _encryption) in enumerate(keys):
            if hmac.compare_digest(hmac.digest(signing, signed, "sha256"), mac):
                verified[under].append((at, data))
                break
        else:
            raise ValueError(_UNDECRYPTABLE)
    plain: list[str] = [""] * len(tokens)
    for (_signing, encryption), batch in zip(keys, verified, strict=True):
        if not batch:
            continue
        # Every token's ciphertext, and under each block the one before it: its IV, then its ciphertext but the last.
        ciphertext = b"".join(data[25:-32] for _at, data in batch)
        before = b"".join(data[9:-48] for _at, data in batch)
        # ECB here is CBC's decryption step, done for a whole batch at once; nothing is encrypted this way.
        decryptor = Cipher(algorithms.AES(encryption), modes.ECB()).decryptor()  # noqa: S305
        blocks = decryptor.update(ciphertext) + decryptor.finalize()
        padded = (int.from_bytes(blocks, "big") ^ int.from_bytes(before, "big")).to_bytes(len(blocks), "big")
        start = 0
        for at, data in batch:
            end = start + len(data) - _FERNET_OVERHEAD
            pad = padded[end - 1]
            if not 1 <= pad <= 16 or padded[end - pad : end] != bytes([pad]) * pad:
                raise ValueError(_UNDECRYPTABLE)
            plain[at] = padded[start : end - pad].decode()
            start = end
    return plain


def pii_is_token(value: str) -> bool:
    """Whether ``value`` has the shape of a Fernet token (not whether it decrypts). No name, address, date,
    number or email has it: they hold spaces, digits only, "+", "-" or "@", or are too short."""
    return len(value) % 4 == 0 and bool(_TOKEN.fullmatch(value))


def pii_under_first_key(token: str) -> bool:
    """Whether ``token`` was written with the first (current) encryption key: its HMAC checks under that key.
    Cheaper than decrypting, and what lets ``pii_rotate_keys`` skip what is already done."""
    first = _fernets(tuple(settings.PII_ENCRYPTION_KEYS))[1]
    try:
        first.extract_timestamp(token.encode())
    except InvalidToken:
        return False
    return True


def pii_rotate(token: str) -> str:
    """``token`` re-encrypted under the first key (decrypted with whichever configured key wrote it)."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise ValueError(_UNDECRYPTABLE) from None


def _hmac(key: str, value: str, kind: str) -> str:
    return hmac.new(key.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def pii_digest(value: str, *, kind: str) -> str:
    """The blind index of ``value`` as written now: 64 hex characters, the same for the same value and kind,
    under the first key in PII_BLIND_INDEX_KEYS."""
    return _hmac(settings.PII_BLIND_INDEX_KEYS[0], value, kind)


def pii_digests(value: str, *, kind: str) -> list[str]:
    """Every blind index ``value`` may be stored under: one per configured key, the current one first. Look-ups
    and uniqueness checks filter with ``__in`` these, so they keep finding rows while ``pii_reindex`` moves
    them from an old key to a new one."""
    return [_hmac(key, value, kind) for key in settings.PII_BLIND_INDEX_KEYS]


# --- Seals: what an account deletion keeps of a recipient's NIK and KK ----------------------------------------
#
# A deleted recipient's NIK (verification.RetainedNikIndex) and their card's KK (waves.Card) must still be
# recognised when the same NIK or a relative's KK comes back ("a past recipient never again", "two recipients
# per KK, ever"), yet the portal no longer holds the value, so ``pii_reindex`` cannot recompute a blind index for
# them. They therefore also keep a *seal*: HMAC-SHA256 chained through every key in PII_RETAINED_INDEX_KEYS,
# oldest first (``s1 = HMAC(k1, "sealed-<kind>:" + value)``, ``s2 = HMAC(k2, s1)``, …). A seal is extended
# through a new key without the value (``pii_reseal``), so these keys rotate like the others, and a leaked key
# alone matches nothing stored: every later key is needed too. A seal is only ever compared with one computed
# from a value in hand (a NIK being verified, a KK joining a wave), which then restores the blind index.


def _seal_keys() -> list[str]:
    return list(settings.PII_RETAINED_INDEX_KEYS)


def pii_seal(value: str, *, kind: str) -> tuple[int, str]:
    """``value`` sealed through every retained-index key: (the generation, i.e. how many keys, the seal)."""
    return pii_seals(value, kind=kind)[-1]


def pii_seals(value: str, *, kind: str) -> list[tuple[int, str]]:
    """The seal of ``value`` at every generation, 1 to the number of keys: a stored seal is found under the
    generation it was last extended to (``pii_reindex`` extends them to the newest)."""
    keys = _seal_keys()
    seals = [(1, _hmac(keys[0], value, f"sealed-{kind}"))]
    for generation, key in enumerate(keys[1:], start=2):
        seals.append((generation, hmac.new(key.encode(), seals[-1][1].encode(), hashlib.sha256).hexdigest()))
    return seals


def pii_reseal(seal: str, *, generation: int) -> tuple[int, str]:
    """A seal of generation ``generation`` extended through the keys added since, without the value."""
    for key in _seal_keys()[generation:]:
        seal = hmac.new(key.encode(), seal.encode(), hashlib.sha256).hexdigest()
    return len(_seal_keys()), seal
