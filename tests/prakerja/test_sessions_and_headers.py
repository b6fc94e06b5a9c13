"""Sessions end when idle or too old; signed-in pages are never cached; every page carries the CSP."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time

from tests.clock import T0
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def dashboard(client):
    return client.get("/dashboard/")


def signed_in(client, password):
    user = UserFactory(verified=True)
    response = client.post("/masuk/", {"username": user.email, "password": password})
    assert response.status_code == 302
    return user


def test_a_session_idle_for_longer_than_the_limit_ends_and_says_why(client, password, settings):
    with freeze_time(T0):
        signed_in(client, password)
    with freeze_time(T0 + settings.SESSION_IDLE_TIMEOUT + timedelta(seconds=1)):
        response = client.get("/dashboard/", follow=True)

    assert response.redirect_chain[0][0].startswith("/masuk/?next=/dashboard/")
    assert "Sesi Anda berakhir karena lama tidak aktif" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_activity_keeps_a_session_alive_up_to_its_absolute_lifetime(client, password, settings):
    step = settings.SESSION_IDLE_TIMEOUT - timedelta(minutes=1)
    with freeze_time(T0):
        signed_in(client, password)
    at = T0
    # Given an applicant who clicks something every 29 minutes
    while at + step < T0 + timedelta(seconds=settings.SESSION_COOKIE_AGE):
        at += step
        with freeze_time(at):
            assert dashboard(client).status_code == 200, at - T0
    # When the absolute lifetime since the login has passed
    with freeze_time(T0 + timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)):
        response = dashboard(client)

    # Then the session has ended however active it was
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_an_active_session_is_written_at_most_once_a_minute(client, password, django_assert_num_queries):
    with freeze_time(T0):
        signed_in(client, password)
    with freeze_time(T0 + timedelta(seconds=30)):
        dashboard(client)  # warm
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def session_writes(at):
        with freeze_time(at), CaptureQueriesContext(connection) as queries:
            dashboard(client)
        return [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]

    assert session_writes(T0 + timedelta(seconds=45)) == []
    assert len(session_writes(T0 + timedelta(seconds=75))) == 1


def test_signed_in_pages_are_never_stored_by_a_browser_or_proxy(client, password):
    signed_in(client, password)

    cache_control = set(dashboard(client)["Cache-Control"].replace(" ", "").split(","))

    assert {"no-store", "private"} <= cache_control


def test_public_pages_stay_cacheable_for_visitors(client):
    response = client.get("/")

    assert "no-store" not in response.get("Cache-Control", "")


def test_every_page_carries_a_policy_with_no_inline_script_or_style(client, password):
    signed_in(client, password)

    policy = dashboard(client)["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe" not in policy


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style[\s>]|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def test_no_template_or_admin_html_has_an_inline_script_style_or_handler():
    # JSON data blocks (<script type="application/json">) are data, never run; none exist here yet.
    offenders = []
    for path in [*ROOT.joinpath("templates").rglob("*.html"), *ROOT.glob("*/admin.py")]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if INLINE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")

    assert not offenders, "\n".join(offenders)
