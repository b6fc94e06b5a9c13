"""The lottery: a documented keyed hash that anyone can recompute by hand (docs/LOTTERY.md).

An enrollment's lottery number is ``SHA-256("<seed>:<registration number>")`` of the UTF-8 text, written as 64
lowercase hex digits; a smaller number ranks first. In Python::

    hashlib.sha256(f"{seed}:{registration_number}".encode()).hexdigest()

- The seed of a wave is drawn when the wave is published, before it opens (``seed_new``: 32 random bytes written
  as 64 lowercase hex digits), kept encrypted and secret until the announcement; its commitment,
  ``SHA-256(seed)`` of the seed's 64 ASCII characters in hex, is published at once (``seed_commitment``). A
  seed given by hand (tests and benchmarks only) is written as it was given, e.g. ``"42"``.
- The registration number is the applicant's own for that wave (``registration_number_new``): 80 random bits in
  Crockford's base 32, as 16 capitals in four groups joined by hyphens (``"7KQ2-M9XD-4RTA-ZB1C"``), exactly as
  the dashboard shows it. It is random, not a sequence, so the published list cannot be matched to enrollments
  by recomputing every id; and it is never published.

PostgreSQL computes the hash with its built-in ``sha256``; SQLite has no such function, so the portal registers
one on every SQLite connection (``register_sqlite_functions``), giving the same digits on both.
"""

import hashlib
import secrets

from django.db.models import CharField, F, Func, Value
from django.db.models.functions import Concat

# Crockford's base 32: no I, L, O or U, so a number read aloud or copied by hand is not misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REGISTRATION_BITS = 80
REGISTRATION_LENGTH = 19  # 16 characters and 3 hyphens


def registration_number_new() -> str:
    value = secrets.randbits(REGISTRATION_BITS)
    digits = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(REGISTRATION_BITS // 5)))
    return "-".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def seed_new() -> str:
    return secrets.token_hex(32)


def seed_commitment(seed: str) -> str:
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def lottery_number(seed: str | int, registration_number: str) -> str:
    return hashlib.sha256(f"{seed}:{registration_number}".encode()).hexdigest()


class Sha256Hex(Func):
    """hex(SHA-256(text)) of a text expression, on PostgreSQL and SQLite alike."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="encode(sha256(convert_to(%(expressions)s, 'UTF8')), 'hex')")

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="prakerja_sha256_hex")


def lottery_expression(seed: str | int, registration_field: str = "registration_number") -> Sha256Hex:
    return Sha256Hex(Concat(Value(f"{seed}:"), F(registration_field), output_field=CharField()))


def _sha256_hex(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("prakerja_sha256_hex", 1, _sha256_hex, deterministic=True)
