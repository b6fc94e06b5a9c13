"""While Redis is unreachable the rate limits fail closed, and nothing else stops serving.

The rate limits' cache alias points at a port where nothing listens: what a Redis outage looks like to the
portal. Sessions are in the database, so a signed-in applicant's pages do not depend on it.
"""

import pytest
from django.test import override_settings

from tests.factories import ApplicantFactory, UserFactory

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:9/0"  # the discard port: nothing answers there

REDIS_DOWN = override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"},
        "ratelimit": {
            "BACKEND": "prakerja.cache.RateLimitRedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    },
    RATELIMIT_USE_CACHE="ratelimit",
)


@REDIS_DOWN
def test_a_login_while_the_limits_cache_is_down_is_refused_with_the_rate_limit_message_not_an_error(client):
    UserFactory(email="ani@contoh.id", password="Kartu-Prakerja-2026")

    response = client.post("/masuk/", {"username": "ani@contoh.id", "password": "Kartu-Prakerja-2026"})

    assert response.status_code == 200
    assert "Terlalu banyak percobaan" in response.content.decode()
    assert "_auth_user_id" not in client.session


@REDIS_DOWN
def test_a_sign_up_while_the_limits_cache_is_down_keeps_what_was_typed(client):
    response = client.post(
        "/daftar/",
        {
            "email": "budi@contoh.id",
            "password1": "Kartu-Prakerja-2026",
            "password2": "Kartu-Prakerja-2026",
            "terms": "on",
        },
    )

    assert response.status_code == 200
    assert "Terlalu banyak percobaan" in response.content.decode()
    assert 'value="budi@contoh.id"' in response.content.decode()


@REDIS_DOWN
def test_a_signed_in_applicant_keeps_the_dashboard_and_the_waves_page_while_the_cache_is_down(client):
    client.force_login(ApplicantFactory(test_passed=True))

    assert client.get("/dashboard/").status_code == 200
    assert client.get("/dashboard/gelombang/").status_code == 200
