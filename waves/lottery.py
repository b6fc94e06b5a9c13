"""The lottery: a documented keyed hash that anyone can recompute by hand.

An enrollment's lottery number is ``SHA-256("<seed>:<enrollment id>")`` written as 64 lowercase hex
digits; a smaller number ranks first. The seed is recorded with the run. In Python::

    hashlib.sha256(f"{seed}:{enrollment_id}".encode()).hexdigest()

PostgreSQL computes it with its built-in ``sha256``; SQLite has no such function, so the portal registers
one on every SQLite connection (``register_sqlite_functions``), giving the same digits on both.
"""

import hashlib

from django.db.models import CharField, F, Func, Value
from django.db.models.functions import Cast, Concat


def lottery_number(seed: int, enrollment_id: int) -> str:
    return hashlib.sha256(f"{seed}:{enrollment_id}".encode()).hexdigest()


class Sha256Hex(Func):
    """hex(SHA-256(text)) of a text expression, on PostgreSQL and SQLite alike."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="encode(sha256(convert_to(%(expressions)s, 'UTF8')), 'hex')")

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="prakerja_sha256_hex")


def lottery_expression(seed: int, enrollment_field: str = "pk") -> Sha256Hex:
    return Sha256Hex(Concat(Value(f"{seed}:"), Cast(F(enrollment_field), CharField()), output_field=CharField()))


def _sha256_hex(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("prakerja_sha256_hex", 1, _sha256_hex, deterministic=True)
