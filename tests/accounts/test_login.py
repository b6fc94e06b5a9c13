from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/masuk/"


def login(client, email, password, **extra):
    return client.post(LOGIN_URL, {"username": email, "password": password}, **extra)


def test_login_with_the_email_in_any_case_opens_the_dashboard(client, password):
    user = UserFactory(email="rina@contoh.id")

    response = login(client, "  RINA@Contoh.id ", password)

    assert response.status_code == 302
    assert response.url == reverse("journey:dashboard")
    assert client.session[SESSION_KEY] == str(user.pk)


def test_an_unverified_account_may_log_in_to_reach_the_verification_step(client, user, password):
    response = login(client, user.email, password, follow=True)

    assert response.redirect_chain[-1][0] == reverse("journey:dashboard")
    assert "Kirim ulang" in response.content.decode()


def test_a_wrong_password_keeps_the_email_and_says_so_plainly(client, user):
    response = login(client, user.email, "salah-sekali")

    html = response.content.decode()
    assert SESSION_KEY not in client.session
    assert "Email atau kata sandi salah" in html
    assert f'value="{user.email}"' in html


def test_logout_ends_the_session_and_needs_a_post(client, verified_user):
    client.force_login(verified_user)

    confirm = client.get("/keluar/")
    assert confirm.status_code == 200 and "Keluar dari akun?" in confirm.content.decode()
    assert SESSION_KEY in client.session
    response = client.post("/keluar/")

    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert client.get("/dashboard/").status_code == 302


def test_five_failures_lock_that_account_from_that_address_even_with_the_right_password(client, user, password):
    for _ in range(5):
        login(client, user.email, "salah-sekali", REMOTE_ADDR="10.1.1.1")

    response = login(client, user.email, password, REMOTE_ADDR="10.1.1.1")

    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    html = response.content.decode()
    assert "Terlalu banyak percobaan masuk yang gagal" in html
    assert "15 menit" in html
    assert f'value="{user.email}"' in html


def test_a_lockout_counts_the_email_whatever_its_case(client, user, password):
    for variant in ("A", "B", "C", "D", "E"):
        login(client, user.email.upper() if variant in "ACE" else user.email, "salah-sekali", REMOTE_ADDR="10.1.1.1")

    assert login(client, user.email, password, REMOTE_ADDR="10.1.1.1").status_code == 429


def test_the_lock_does_not_stop_the_same_account_from_another_address(client, user, password):
    for _ in range(5):
        login(client, user.email, "salah-sekali", REMOTE_ADDR="10.1.1.1")

    response = login(client, user.email, password, REMOTE_ADDR="10.2.2.2")

    assert response.status_code == 302


def test_the_lock_does_not_stop_other_accounts_behind_the_same_carrier_address(client, user, password):
    neighbour = UserFactory()
    for _ in range(5):
        login(client, user.email, "salah-sekali", REMOTE_ADDR="10.1.1.1")

    assert login(client, neighbour.email, password, REMOTE_ADDR="10.1.1.1").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, user, password):
    for _ in range(5):
        login(client, user.email, "salah-sekali", REMOTE_ADDR="10.1.1.1")

    with freeze_time(timezone.now() + timedelta(minutes=16)):
        response = login(client, user.email, password, REMOTE_ADDR="10.1.1.1")

    assert response.status_code == 302


def test_a_successful_login_resets_the_failure_count(client, user, password):
    for _ in range(4):
        login(client, user.email, "salah-sekali", REMOTE_ADDR="10.1.1.1")
    login(client, user.email, password, REMOTE_ADDR="10.1.1.1")
    client.post("/keluar/")

    for _ in range(4):
        login(client, user.email, "salah-sekali", REMOTE_ADDR="10.1.1.1")

    assert login(client, user.email, password, REMOTE_ADDR="10.1.1.1").status_code == 302
