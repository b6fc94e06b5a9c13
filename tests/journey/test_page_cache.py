"""The dashboard kept in the cache per state of the applicant's rows (journey/page_cache.py, issue #18).

A cached page must never be older than the rows it shows, nor anyone else's: each test changes what the page is
read from in a way no model signal sees (a bulk UPDATE, raw SQL, a deletion, the clock) and asks again.
PostgreSQL's: the fingerprint reads each row's ``ctid`` and ``xmin``; elsewhere the page is rendered every time.
"""

import re
import zlib
from datetime import timedelta

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from journey.page_cache import CSRF_PLACEHOLDER, FINGERPRINT_STATEMENT, fingerprint_tables
from tests.factories import PASSWORD, ApplicantFactory
from tests.journey.test_page_queries import APPLICANTS, budget
from tests.security import personas
from waves.models import Wave, WaveStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgresql", "quiet")]

TABLE = re.compile(r'(?:FROM|JOIN)\s+"([a-z0-9_]+)"')
# Read on every signed-in request, before the page: the session (without Redis) and the user.
MIDDLEWARE_TABLES = {"django_session", "accounts_user"}


def dashboard(client: Client) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in queries.captured_queries]


def tables_read(sql: list[str]) -> set[str]:
    """The tables the page's own statements read (not the fingerprint's, which names them all)."""
    own = [statement for statement in sql if FINGERPRINT_STATEMENT not in statement]
    return {table for statement in own for table in TABLE.findall(statement)}


def expired_test(client) -> personas.World:
    """Past the test's deadline without finishing it: the outcome is counted from the answers."""
    from assessment.models import Attempt

    world = personas.testing(client)
    now = timezone.now()
    Attempt.objects.filter(user=world.user).update(
        started_at=now - timedelta(hours=1), deadline=now - timedelta(minutes=1)
    )
    return world


@pytest.mark.parametrize("persona", [*APPLICANTS, expired_test], ids=lambda persona: persona.__name__)
def test_every_table_the_dashboard_reads_is_in_the_fingerprint(persona):
    client = Client()
    persona(client)

    _html, sql = dashboard(client)

    assert tables_read(sql) - MIDDLEWARE_TABLES <= fingerprint_tables(), "\n".join(sql)
    assert len(sql) <= budget(), "\n".join(sql)  # rendered, the fingerprint included


def test_a_reload_reads_nothing_but_the_fingerprint_and_serves_this_requests_csrf_token():
    client = Client(enforce_csrf_checks=True)
    personas.complained(client)
    first, _sql = dashboard(client)

    again, sql = dashboard(client)

    assert tables_read(sql) <= MIDDLEWARE_TABLES, "\n".join(sql)
    assert len(sql) <= 3  # the session without Redis, the user, the fingerprint
    assert CSRF_PLACEHOLDER not in again
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', again)[1]
    assert re.sub(r'value="[^"]{64}"', "", again) == re.sub(r'value="[^"]{64}"', "", first)
    assert client.post("/keluar/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_a_second_session_gets_a_token_valid_for_its_own_csrf_cookie():
    user = ApplicantFactory(selected=True)
    phone, laptop = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    phone.force_login(user)
    laptop.force_login(user)
    dashboard(phone)

    page, sql = dashboard(laptop)

    assert tables_read(sql) <= MIDDLEWARE_TABLES  # the phone's page, from the cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    assert laptop.post("/keluar/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_two_applicants_in_the_same_state_each_get_their_own_page():
    pages = {}
    for _ in range(2):
        user = ApplicantFactory(selected=True)
        client = Client()
        client.force_login(user)
        dashboard(client)
        pages[user] = dashboard(client)[0]

    (first, first_page), (second, second_page) = pages.items()
    assert first.email in first_page and second.email not in first_page
    assert second.email in second_page and first.email not in second_page
    assert first.cards.get().number in first_page and second.cards.get().number in second_page


def test_a_bulk_update_that_no_signal_sees_is_shown_at_once():
    client = Client()
    world = personas.enrolled(client)
    assert "Menunggu gelombang ditutup" in dashboard(client)[0]
    wave = world.objects.wave

    Wave.objects.filter(pk=wave.pk).update(status=WaveStatus.CLOSED, closes_at=timezone.now() - timedelta(hours=1))

    page = dashboard(client)[0]
    assert "Sedang diproses" in page and "Menunggu gelombang ditutup" not in page


def test_raw_sql_and_a_deleted_row_are_shown_at_once():
    from verification.models import KtpPhoto

    client = Client()
    world = personas.photographed(client)
    before = dashboard(client)[0]
    assert 'data-step="ktp_photo" data-state="done"' in before

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {KtpPhoto._meta.db_table} WHERE user_id = %s", [world.user.pk])

    assert 'data-step="ktp_photo" data-state="current"' in dashboard(client)[0]


def test_a_moment_passing_changes_the_page_without_any_write(frozen):
    client = Client()
    world = personas.enrolled(client)
    wave = world.objects.wave
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() + timedelta(minutes=1))
    assert "Menunggu gelombang ditutup" in dashboard(client)[0]
    assert "Menunggu gelombang ditutup" in dashboard(client)[0]

    frozen.tick(timedelta(minutes=2))

    page = dashboard(client)[0]
    assert "Sedang diproses" in page and "Menunggu gelombang ditutup" not in page


def test_a_page_with_a_message_to_show_is_not_kept():
    client = Client()
    world = personas.passed(client)
    dashboard(client)
    request = RequestFactory().get("/")
    request.session = client.session
    storage = FallbackStorage(request)
    storage.add(constants.SUCCESS, "Pesan sekali tampil")
    response = HttpResponse()
    storage.update(response)  # into the messages cookie, as a redirect after a form would
    client.cookies.update(response.cookies)

    shown = dashboard(client)[0]
    after = dashboard(client)[0]

    assert "Pesan sekali tampil" in shown and "Pesan sekali tampil" not in after
    assert world.user.email in after


def test_a_second_change_in_the_same_transaction_is_shown():
    """Both versions of the card's row carry the same ``xmin``; the row's place (``ctid``) tells them apart."""
    from waves.models import Card

    user = ApplicantFactory(selected=True)
    client = Client()
    client.force_login(user)
    with transaction.atomic():
        Card.objects.filter(user=user).update(balance=1_000_000)
        first = dashboard(client)[0]
        Card.objects.filter(user=user).update(balance=2_000_000)
        second = dashboard(client)[0]

    assert "Rp1.000.000" in first and "Rp2.000.000" in second


def test_the_kept_page_is_encrypted_and_goes_with_the_account(django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from journey.services import account_delete
    from prakerja.crypto import pii_decrypt_bytes

    client = Client()
    world = personas.enrolled(client)
    dashboard(client)
    key = f"page:dashboard:{world.user.pk}:id"

    _version, kept = cache.get(key)
    assert world.user.email.encode() not in kept
    assert world.user.email in zlib.decompress(pii_decrypt_bytes(kept)).decode()

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=world.user, password=PASSWORD)

    assert cache.get(key) is None


def test_the_dashboard_is_rendered_while_the_cache_is_unreachable(settings):
    """Redis goes down under a signed-in applicant (docs/DEPLOY.md): the page is rendered, not an error."""
    settings.SESSION_ENGINE = "prakerja.sessions"  # as in production
    client = Client()
    world = personas.enrolled(client)
    dashboard(client)  # kept while the cache answered
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers there
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }

    for _ in range(2):
        page = dashboard(client)[0]
        assert world.user.email in page and "Menunggu gelombang ditutup" in page
