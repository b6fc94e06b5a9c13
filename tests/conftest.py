"""Fixtures shared by the whole suite."""

import importlib
import os

import pytest
from django.core.cache import cache

from tests.factories import PASSWORD, UserFactory
from tests.helpers import login_verified


def require_service(name: str) -> None:
    """A test that needs a real server which is not configured: skipped on a laptop, a failure in CI.

    .ci/run sets PRAKERJA_REQUIRE_SERVICES=1, so a missing PostgreSQL or Redis there cannot pass as a skip.
    """
    if os.environ.get("PRAKERJA_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} is required in CI but is not configured")
    pytest.skip(f"{name} is not configured")


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
    yield


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
    return UserFactory()


@pytest.fixture
def verified_user(db):
    return UserFactory(verified=True)


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin_client (a client of its own, not ``client``), past the staff second factor as a
    superuser is in production (STAFF_OTP_REQUIRED is on in the tests, as DEBUG is off)."""
    from django.test import Client

    admin = Client()
    login_verified(admin, admin_user)
    return admin
