"""Personal data at rest: encrypted, with a keyed blind index where it must be found again.

NIK and KK are never stored in clear in the portal's tables. Each is stored twice:
- encrypted with Fernet (AES-128-CBC + HMAC-SHA256; ``MultiFernet`` so keys can be rotated: the first key in
  ``PII_ENCRYPTION_KEYS`` encrypts, every key decrypts), for showing it to its owner;
- as an HMAC-SHA256 "blind index" under ``PII_BLIND_INDEX_KEY``, for uniqueness (one NIK, one account),
  look-ups and grouping (the KK cap of selection groups by the KK's index) without decrypting anything.
The index is deterministic by design, so it is keyed and namespaced per kind: without the key nobody can
test a guessed NIK against it, and a NIK's index never equals a KK's.

Other secrets at rest use the same encryption (e.g. the text of an SMS carrying a one-time code, in the
notifications outbox). It lives in the project package because every app may need it.
"""

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class IdentifierKind:
    NIK = "nik"
    KK = "kk"


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.PII_ENCRYPTION_KEYS])


def pii_encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def pii_decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        # Never include the token: the message ends up in logs.
        raise ValueError("personal identifier could not be decrypted with the configured keys") from None


def pii_digest(value: str, *, kind: str) -> str:
    """The blind index of ``value``: 64 hex characters, the same for the same value and kind."""
    message = f"{kind}:{value}".encode()
    return hmac.new(settings.PII_BLIND_INDEX_KEY.encode(), message, hashlib.sha256).hexdigest()
