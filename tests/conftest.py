"""Fixtures shared by the whole suite."""

import importlib
import uuid

import psycopg
import pytest
from django.conf import settings
from django.core.cache import cache
from freezegun import freeze_time

from tests.clock import T0
from tests.factories import PASSWORD, ResidentFactory, UserFactory, question_bank_create
from tests.helpers import login_verified, require_service


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; no test inherits another's.
    cache.clear()
    yield
    cache.clear()


# What data migrations load that every test expects, from the modules those migrations call (each idempotent).
DATA_MIGRATIONS = (
    ("assessment.legal_texts", "declaration_text_v1_create"),
    ("waves.legal_texts", "agreement_text_v1_create"),
    ("waves.legal_texts", "statement_text_v1_create"),
    ("accounts.legal_texts", "public_texts_v1_create"),
    ("accounts.legal_texts", "privacy_policy_v2_publish"),
    ("accounts.roles", "roles_sync"),
)


@pytest.fixture(autouse=True)
def _migration_data(request):
    """Data that migrations load is still there in transactional tests.

    Django empties every table after a transactional test, migration data included; reloading the regions
    (idempotent, a fraction of a second) before each such test keeps the rule "regions always exist" true.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    if transactional or {"transactional_db", "live_server"} & set(request.fixturenames):
        from django.apps import apps

        from regions.services import regions_load

        request.getfixturevalue("transactional_db")
        regions_load()
        for module, function in DATA_MIGRATIONS:
            getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def sms_outbox():
    """What notifications.sms.MemoryBackend sent during the test (like django.core.mail.outbox)."""
    from notifications import sms

    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user(db):
    """An account whose email is not verified yet."""
    return UserFactory()


@pytest.fixture
def verified_user(db):
    """An account whose email is verified: at step 2 of the journey."""
    return UserFactory(verified=True)


@pytest.fixture
def applicant(client, verified_user):
    """``verified_user``, logged in on ``client``."""
    client.force_login(verified_user)
    return verified_user


@pytest.fixture
def resident(db):
    """Siti Aminah, born 17 August 1995 in Kota Depok, as the mock registry knows her (ResidentFactory)."""
    return ResidentFactory()


@pytest.fixture
def private_media(settings, tmp_path):
    """Private uploads (KTP photos, letters) go to a temporary folder for the test."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin_client (a client of its own, not ``client``), past the staff second factor as a
    superuser is in production (STAFF_OTP_REQUIRED is on in the tests, as DEBUG is off)."""
    from django.test import Client

    admin = Client()
    login_verified(admin, admin_user)
    return admin


@pytest.fixture
def frozen():
    """The clock stopped at T0 (tests/clock.py) for the whole test; ``frozen.tick(...)`` and
    ``frozen.move_to(...)`` move it."""
    with freeze_time(T0) as clock:
        yield clock


@pytest.fixture
def question_bank(db):
    """A small question bank (tests/factories/assessment.py), loaded as seed_demo loads the real one."""
    question_bank_create()


@pytest.fixture
def postgresql():
    """For a test of PostgreSQL's own behaviour: skipped on a laptop's SQLite, a failure in CI (require_service)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        require_service("PostgreSQL")


@pytest.fixture
def scratch_database(postgresql):
    """An empty PostgreSQL database beside the test database, dropped after the test (a migration's test)."""
    server = settings.DATABASES["default"]
    name = f"test_migration_{uuid.uuid4().hex[:8]}"
    url = f"postgres://{server['USER']}@{server['HOST']}:{server['PORT']}"
    with psycopg.connect(f"{url}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{url}/{name}"
    finally:
        with psycopg.connect(f"{url}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
