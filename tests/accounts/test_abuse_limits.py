"""Rate limits on sign-up, password reset and "Kirim ulang", with time frozen (never slept on)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django_ratelimit.core import _get_window
from freezegun import freeze_time

from accounts.models import User
from notifications.models import Message
from tests.clock import T0
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def signup(client, email, ip="10.0.0.1"):
    return client.post(
        "/daftar/",
        {"email": email, "password1": "Kartu-Prakerja-2026", "password2": "Kartu-Prakerja-2026", "terms": "on"},
        REMOTE_ADDR=ip,
    )


def test_sign_up_per_ip_limit_is_generous_for_a_carrier_address_but_finite(client):
    with freeze_time(T0):
        for n in range(60):
            assert signup(client, f"orang{n}@contoh.id").status_code == 302

        response = signup(client, "orang-ke-61@contoh.id")

    assert response.status_code == 200
    assert "Terlalu banyak percobaan" in response.content.decode()
    assert 'value="orang-ke-61@contoh.id"' in response.content.decode()
    assert User.objects.count() == 60


def test_sign_up_per_email_limit_stops_hammering_one_address_from_many_addresses(client):
    with freeze_time(T0):
        for n in range(3):
            signup(client, "sasaran@contoh.id", ip=f"10.0.0.{n + 1}")
        response = signup(client, "SASARAN@contoh.id", ip="10.0.0.99")

    assert "Terlalu banyak percobaan" in response.content.decode()


def test_sign_up_limit_resets_in_the_next_window(client):
    with freeze_time(T0):
        for n in range(4):
            signup(client, "sasaran@contoh.id", ip=f"10.0.0.{n + 1}")
    with freeze_time(T0 + timedelta(hours=1, minutes=1)):
        response = signup(client, "sasaran@contoh.id", ip="10.0.0.50")

    assert response.status_code == 302


def test_password_reset_per_email_limit_sends_at_most_three_links_an_hour(client):
    user = UserFactory(verified=True)

    with freeze_time(T0):
        responses = [client.post("/lupa-password/", {"email": user.email}, REMOTE_ADDR=f"10.0.1.{n}") for n in range(5)]

    assert [r.status_code for r in responses] == [302, 302, 302, 200, 200]
    assert Message.objects.filter(recipient=user.email, template="accounts/password_reset").count() == 3
    assert "Terlalu banyak percobaan" in responses[-1].content.decode()


def test_resend_per_account_limit_holds_even_when_the_cooldown_has_passed(client):
    user = UserFactory()
    client.force_login(user)
    # django-ratelimit staggers each key's hourly window by a hash of the key; start at this key's window.
    with freeze_time(timezone.now()):
        window_start = datetime.fromtimestamp(_get_window(str(user.pk), 3600) - 3600, tz=UTC)

    for n in range(7):
        with freeze_time(window_start + timedelta(minutes=2 * n, seconds=1)):
            client.post("/verifikasi-email/kirim-ulang/")

    assert Message.objects.filter(user=user, template="accounts/email_verification").count() == 5
