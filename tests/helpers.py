"""Small helpers shared by tests: reading what the portal sent as a person would read their inbox, logging staff in,
reading a test's answers, what the translation tests scan for, skipping a test whose server is not configured
(a failure in CI), and running manage.py on a database of a test's own."""

import os
import re
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from notifications.models import Message
from prakerja.crypto import IdentifierKind, pii_digest

URL_PATTERN = re.compile(r"https?://\S+")

# The translation tests: the English catalogue, and single-line literals to find in the sources:
# {% translate "…" %} in templates, _("…") / gettext_lazy("…") in Python.
ROOT = Path(__file__).resolve().parents[1]
PO_PATH = ROOT / "locale/en/LC_MESSAGES/django.po"
TEMPLATE_STRING = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
PYTHON_STRING = re.compile(r"""\b_\(\s*(["'])((?:(?!\1).)+)\1\s*\)""")


def last_message(*, recipient: str, template: str | None = None) -> Message:
    if "@" in recipient:
        messages = Message.objects.filter(recipient=recipient)
    else:  # a phone number, stored encrypted: found by its blind index
        messages = Message.objects.filter(recipient_digest=pii_digest(recipient, kind=IdentifierKind.PHONE))
    if template:
        messages = messages.filter(template=template)
    return messages.latest("created_at", "id")


def link_in(message: Message) -> str:
    """The first link in a message, as a path the test client can open."""
    url = URL_PATTERN.search(message.text).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


CODE_PATTERN = re.compile(r"\b(\d{6})\b")


def code_in(message: Message) -> str:
    """The 6-digit code in a message (a login code is stored encrypted; ``text`` decrypts it)."""
    return CODE_PATTERN.search(message.text).group(1)


def totp_now(device) -> str:
    """The code an authenticator app shows for ``device`` at the (frozen) current time."""
    from django_otp.oath import TOTP

    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def login_verified(client, user):
    """Log ``user`` in past the staff second factor, as the TOTP step does: a confirmed authenticator, and
    the session marked verified by it (what ``django_otp.login`` stores). Returns the device."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Autentikator", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def answer_key(attempt) -> dict[int, int]:
    """For each position of a test, the shown number (1..4) of the best option: the right one, or the most points."""
    return _key(attempt, max)


def wrong_key(attempt) -> dict[int, int]:
    """For each position of a test, the shown number of a worst option: wrong, or worth 0 points."""
    return _key(attempt, min)


def _key(attempt, pick) -> dict[int, int]:
    from assessment.rules import ABILITY_KINDS

    key = {}
    for item in attempt.items.select_related("question").prefetch_related("question__options"):
        options = {option.position: option for option in item.question.options.all()}
        scores = [
            (1 if options[position].is_correct else 0)
            if item.question.kind in ABILITY_KINDS
            else options[position].points
            for position in item.option_order
        ]
        key[item.position] = scores.index(pick(scores)) + 1
    return key


def require_service(name: str) -> None:
    """A test that needs a real server which is not configured: skipped on a laptop, a failure in CI.

    .ci/run sets PRAKERJA_REQUIRE_SERVICES=1, so a missing PostgreSQL or Redis there cannot pass as a skip.
    """
    if os.environ.get("PRAKERJA_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} is required in CI but is not configured")
    pytest.skip(f"{name} is not configured")


def stored(obj, *field_names: str) -> tuple:
    """The values of ``obj``'s row as the database holds them, fields named in Python (an encrypted field's
    token, not its plain value): what someone reading the table would see."""
    from django.db import connection

    meta = obj._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in field_names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s", [obj.pk])
        return cursor.fetchone()


class _Ids(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: Counter = Counter()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for name, value in attrs if name == "id")


def duplicated_ids(html: str) -> list[str]:
    """The ``id`` attributes that ``html`` gives to more than one element, sorted."""
    return sorted(name for name, count in _Ids(html).ids.items() if count > 1)


def manage_in(database_url: str, *args: str) -> None:
    """``manage.py`` with ``args`` on the database at ``database_url`` (a migration test's scratch database)."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "prakerja.settings_test"}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)
