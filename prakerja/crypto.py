"""Personal data at rest: encrypted, with a keyed blind index where it must be found again.

NIK, KK, names, mother's name, address, birth date and phone numbers are never stored in clear in the portal's
tables (docs/PRIVACY.md, "Encryption and key rotation"):
- each value is encrypted with AES-256-GCM-SIV (an AEAD: a wrong key or a changed byte fails, and a repeated
  random nonce leaks nothing but the equality of two equal values) under a key derived from the first key in
  ``PII_ENCRYPTION_KEYS``; every key decrypts, and ``manage.py pii_rotate_keys`` re-encrypts what an older key
  wrote while the portal serves. Tokens written before by Fernet (AES-128-CBC + HMAC-SHA256) still decrypt, and
  the rotation rewrites them in the current form. The model fields that do this for every caller are in
  prakerja/fields.py;
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
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCMSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class IdentifierKind:
    NIK = "nik"
    KK = "kk"
    # A mobile number in E.164 (+62812…): the verified numbers, the OTP codes' numbers, the SMS in the outbox.
    PHONE = "phone"


# A token, as stored in a text column: "pii2." then the unpadded base64url of the key's id (4 bytes), a random nonce
# (12 bytes) and the AES-256-GCM-SIV ciphertext with its tag (16 bytes). Decrypting one is one AEAD call, about 4 µs
# in all here, where a Fernet token took 9 (its Python builds an HMAC, a cipher and an unpadder per value): a
# delivery worker decrypts a number per SMS (docs/PERFORMANCE.md, "Tokens of one AEAD call"). The key's id picks
# the key to try; the tag is what proves it.
_PREFIX = "pii2."
_KEY_ID_BYTES, _NONCE_BYTES, _TAG_BYTES = 4, 12, 16
# What pii_encrypt_bytes writes: the same fields without base64 (a page kept in the cache).
_BINARY_VERSION = b"\x02"
_TOKEN = re.compile(r"pii2\.[A-Za-z0-9_-]{44,}")
# A Fernet token, as written before: version byte 0x80 and a 64-bit timestamp whose high bytes are zero until the
# year 2106, so its base64 starts with "gAAAAA"; at least 73 bytes (one AES block), so at least 100 characters,
# padding included.
_FERNET_TOKEN = re.compile(r"gAAAAA[A-Za-z0-9_-]{92,}={0,2}")
_UNDECRYPTABLE = "personal data could not be decrypted with the configured keys"


@dataclass(frozen=True)
class _Key:
    id: bytes
    aead: AESGCMSIV


@dataclass(frozen=True)
class _Keyring:
    keys: tuple[_Key, ...]  # the first encrypts
    fernet: MultiFernet  # Fernet tokens written before: every key decrypts them


@lru_cache(maxsize=8)
def _keyring(keys: tuple[str, ...]) -> _Keyring:
    # Built once per key list: deriving keys costs more than encrypting a short value. Each configured key (32 bytes
    # in urlsafe base64, as Fernet's, which also checks them) gives the AEAD key and its id through HKDF, each with
    # its own label, so neither is the key itself nor the other.
    fernets = [Fernet(key.encode()) for key in keys]
    ring = []
    for key in keys:
        secret = base64.urlsafe_b64decode(key.encode())
        ring.append(_Key(id=_derive(secret, b"prakerja pii key id", _KEY_ID_BYTES), aead=AESGCMSIV(_derive(secret))))
    return _Keyring(keys=tuple(ring), fernet=MultiFernet(fernets))


def _derive(secret: bytes, label: bytes = b"prakerja pii aes-256-gcm-siv", length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=label).derive(secret)


def _ring() -> _Keyring:
    return _keyring(tuple(settings.PII_ENCRYPTION_KEYS))


def _seal(data: bytes) -> bytes:
    key = _ring().keys[0]
    nonce = os.urandom(_NONCE_BYTES)
    return key.id + nonce + key.aead.encrypt(nonce, data, None)


def _open(sealed: bytes, *, first_key_only: bool = False) -> bytes:
    if len(sealed) < _KEY_ID_BYTES + _NONCE_BYTES + _TAG_BYTES:
        raise ValueError(_UNDECRYPTABLE)
    key_id, nonce, ciphertext = (
        sealed[:_KEY_ID_BYTES],
        sealed[_KEY_ID_BYTES : _KEY_ID_BYTES + _NONCE_BYTES],
        sealed[_KEY_ID_BYTES + _NONCE_BYTES :],
    )
    keys = _ring().keys
    for key in keys[:1] if first_key_only else keys:
        if key.id == key_id:
            try:
                return key.aead.decrypt(nonce, ciphertext, None)
            except InvalidTag:
                continue  # two keys may share an id; the tag tells
    # Never include the token: the message ends up in logs.
    raise ValueError(_UNDECRYPTABLE)


def _sealed(token: str) -> bytes:
    """The bytes a current token carries after its prefix (its base64 is unpadded)."""
    text = token[len(_PREFIX) :]
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error:
        raise ValueError(_UNDECRYPTABLE) from None


def pii_encrypt(value: str) -> str:
    return _PREFIX + base64.urlsafe_b64encode(_seal(value.encode())).rstrip(b"=").decode()


def pii_decrypt(token: str) -> str:
    if token.startswith(_PREFIX):
        return _open(_sealed(token)).decode()
    return _fernet_decrypt(token.encode()).decode()


def pii_encrypt_bytes(data: bytes) -> bytes:
    """``pii_encrypt`` for bytes, without base64 (a compressed page kept in the cache, journey/page_cache.py)."""
    return _BINARY_VERSION + _seal(data)


def pii_decrypt_bytes(token: bytes) -> bytes:
    if token[:1] == _BINARY_VERSION:
        return _open(token[1:])
    return _fernet_decrypt(token)


def _fernet_decrypt(token: bytes) -> bytes:
    try:
        return _ring().fernet.decrypt(token)
    except InvalidToken:
        raise ValueError(_UNDECRYPTABLE) from None


def pii_is_token(value: str) -> bool:
    """Whether ``value`` has the shape of a token, current or Fernet (not whether it decrypts). No name, address,
    date, number or email has it: they hold spaces, digits only, "+", "-" or "@", or are too short."""
    if value.startswith(_PREFIX):
        return bool(_TOKEN.fullmatch(value))
    return len(value) % 4 == 0 and bool(_FERNET_TOKEN.fullmatch(value))


def pii_under_first_key(token: str) -> bool:
    """Whether ``token`` is in the current form under the first (current) encryption key, i.e. decrypts with it:
    what lets ``pii_rotate_keys`` skip what is already done. A Fernet token never is: the rotation rewrites it."""
    if not token.startswith(_PREFIX):
        return False
    try:
        _open(_sealed(token), first_key_only=True)
    except ValueError:
        return False
    return True


def pii_rotate(token: str) -> str:
    """``token`` re-encrypted in the current form under the first key (decrypted with whichever configured key,
    and whichever form, wrote it)."""
    return pii_encrypt(pii_decrypt(token))


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
