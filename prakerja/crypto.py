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

import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class IdentifierKind:
    NIK = "nik"
    KK = "kk"
    # A mobile number in E.164 (+62812…): the verified numbers, the OTP codes' numbers, the SMS in the outbox.
    PHONE = "phone"


# A Fernet token: version byte 0x80 and a 64-bit timestamp whose high bytes are zero until the year 2106, so
# its base64 starts with "gAAAAA"; at least 73 bytes (one AES block), so at least 100 characters, padding included.
_TOKEN = re.compile(r"gAAAAA[A-Za-z0-9_-]{92,}={0,2}")


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
        # Never include the token: the message ends up in logs.
        raise ValueError("personal data could not be decrypted with the configured keys") from None


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
        raise ValueError("personal data could not be decrypted with the configured keys") from None


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
