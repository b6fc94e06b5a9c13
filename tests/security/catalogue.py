"""The hostile-input catalogue: what to send, and how to tell that a response or the database took harm.

The values are the ones the security review (#11) lists: markup that would run as script if echoed
unescaped, SQL fragments, NUL bytes, control characters, zero-width and right-to-left characters, 10,000
characters, numbers where none fit (negative, huge, not a number). Wrong types (a list for one value, a file
for text, a missing field) are made by the tests from the form's valid data.
"""

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

from django.apps import apps
from django.db import connection, models, transaction

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_ATTRIBUTE = '"><img src=x onerror=alert(1)>'
LONG = "A" * 10_000


@dataclass(frozen=True)
class Hostile:
    name: str
    value: str
    # The same harm hidden in a valid value, so that the form accepts it and what is stored can be checked.
    disguise: Callable[[str], str] | None = None

    def __str__(self) -> str:
        return self.name

    @property
    def in_url(self) -> str:
        return quote(self.value, safe="")


def _inside(text: str, inserted: str) -> str:
    return text[:2] + inserted + text[2:]


TEXT = (
    Hostile("xss-script", XSS_SCRIPT, lambda valid: valid + " " + XSS_SCRIPT),
    Hostile("xss-attribute", XSS_ATTRIBUTE, lambda valid: valid + XSS_ATTRIBUTE),
    Hostile("sql-or", "' OR 1=1 --", lambda valid: valid + "' OR 1=1 --"),
    Hostile("sql-drop", "1; DROP TABLE accounts_user; --"),
    Hostile("nul", "\x00", lambda valid: _inside(valid, "\x00")),
    Hostile("nul-inside", "32\x0076"),
    Hostile("control", "\x07\x08\x1b[2J\x7f\r\n", lambda valid: "\x07" + _inside(valid, "\x08\x1b") + "\x7f"),
    Hostile(
        "zero-width",
        "Siti\u200bAminah\u200d\ufeff\u00ad",
        lambda valid: "\ufeff" + _inside(valid, "\u200b\u200c\u200d\u00ad\u2060") + "\u200b",
    ),
    Hostile(
        "right-to-left",
        "\u202eSiti Aminah\u202c\u2067x\u2069",
        lambda valid: "\u202e" + _inside(valid, "\u2067\u2069\u200f") + "\u202c\u202d",
    ),
    Hostile("long", LONG, lambda valid: valid + " " + LONG),
)
NUMBERS = (
    Hostile("negative", "-1"),
    Hostile("zero", "0"),
    Hostile("huge", "9" * 30),
    Hostile("float", "1e9"),
    Hostile("not-a-number", "abc"),
    Hostile("other-digits", "\u0663\u0662"),  # Arabic-Indic ٣٢
)
EVERYTHING = TEXT + NUMBERS
# Path segments the test client sends as they are: broken percent-encoding and bytes that are not UTF-8.
RAW_SEGMENTS = ("%zz", "%C0%AF", "%FF%FE", "..%2F..%2F", "%2e%2e")

# --- Responses ---------------------------------------------------------------------------------------------

TRACEBACK_MARKERS = (b"Traceback (most recent call last)", b"Exception Value", b"Request Method:", b'File "/')
UNESCAPED_MARKUP = (XSS_SCRIPT.encode(), b"<img src=x onerror=alert(1)>")


def response_body(response) -> bytes:
    if getattr(response, "streaming", False):
        # Reading it to the end closes it the test client's way (response.close() would close the database
        # connection the test runs in).
        return b"".join(response.streaming_content)
    return response.content


def assert_harmless(response, sent: object) -> None:
    """Never a 500, never a traceback, never the markup as markup (it may come back escaped)."""
    body = response_body(response)
    assert response.status_code < 500, f"{response.status_code} for {sent!r}"
    leaked = [marker for marker in TRACEBACK_MARKERS if marker in body]
    assert not leaked, f"a traceback ({leaked}) for {sent!r}"
    if "html" in response.get("Content-Type", ""):
        echoed = [marker for marker in UNESCAPED_MARKUP if marker in body]
        assert not echoed, f"unescaped {echoed} for {sent!r}"


# --- The database ------------------------------------------------------------------------------------------

# The portal's own data: what an applicant's request can write. The mock registry and the regions are
# reference data no request writes; django-axes keeps the raw data of failed logins on purpose (a record of
# the attack, shown escaped in the admin; NUL already replaced by axes); sessions are opaque.
PORTAL_APPS = ("accounts", "verification", "assessment", "waves", "notifications")
ALLOWED_CONTROLS = frozenset("\t\n\r")  # messages and versioned texts are multi-line


def _portal_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if model._meta.app_label in PORTAL_APPS]


def _text_fields(model: type[models.Model]) -> list[str]:
    return [
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField, models.JSONField))
    ]


def _harm_in(value: object) -> str | None:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if "\x00" in text:
        return "a NUL byte"
    for ch in text:
        if ch not in ALLOWED_CONTROLS and unicodedata.category(ch) in {"Cc", "Cf"}:
            return f"U+{ord(ch):04X}"
    lowered = text.lower()
    for marker in ("<script", "onerror=", "<img"):
        if marker in lowered:
            return marker
    if LONG[:1000] in text:
        return "the 10,000 characters"
    return None


def hostile_rows(tables: Iterable[str] | None = None) -> list[str]:
    """Every stored text value of the portal's tables (of ``tables`` only, when given) that carries something
    from the catalogue."""
    found = []
    chosen = _portal_models() if tables is None else [m for m in _portal_models() if m._meta.db_table in set(tables)]
    for model in chosen:
        fields = _text_fields(model)
        if not fields:
            continue
        for pk, *values in model._default_manager.values_list("pk", *fields):
            for name, value in zip(fields, values, strict=True):
                harm = _harm_in(value) if value not in (None, "") else None
                if harm:
                    found.append(f"{model._meta.label}#{pk}.{name}: {harm}")
    return found


def row_counts(app_labels: Iterable[str] = ("accounts", "verification", "assessment", "waves")) -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in app_labels
    }


WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE)\s+"?(?P<table>\w+)"?', re.IGNORECASE)


@contextmanager
def tables_written():
    """The names of the tables the block inserts into or updates: only those can have taken anything in."""
    written: set[str] = set()

    def watch(execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match:
            written.add(match["table"])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield written


@contextmanager
def undone():
    """Whatever the block writes is rolled back after it, so each hostile request meets the same state."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
