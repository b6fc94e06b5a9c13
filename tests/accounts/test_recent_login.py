""" "After a recent login" (issue #15 item 4): "Data saya" and its download open only within RECENT_LOGIN_WINDOW of
the password being entered, at login or again on the confirm page, which then goes back where the applicant was
going. Time is frozen.
"""

from datetime import timedelta

import pytest
from django.test import Client

from prakerja.ratelimits import RATE_LIMITED_MESSAGE
from tests.clock import MINUTE
from tests.factories import PASSWORD, ApplicantFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

OWN_DATA = "/dashboard/data-saya/"
DOWNLOAD = "/dashboard/data-saya/unduh/"
CONFIRM = "/akun/konfirmasi-kata-sandi/"


@pytest.fixture
def owner(db):
    return ApplicantFactory(identity_verified=True, email="pemilik@contoh.id")


@pytest.fixture
def phone(owner):
    """The owner's phone browser, logged in through the login page with the password."""
    phone = Client()
    response = phone.post("/masuk/", {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 302
    return phone


def test_the_pages_open_right_after_the_login(phone):
    assert phone.get(OWN_DATA).status_code == 200
    assert phone.get(DOWNLOAD).status_code == 200


def test_within_the_window_the_pages_still_open(phone, frozen, settings):
    frozen.tick(settings.RECENT_LOGIN_WINDOW - MINUTE)

    assert phone.get(OWN_DATA).status_code == 200


@pytest.mark.parametrize("path", [OWN_DATA, DOWNLOAD])
def test_past_the_window_the_password_is_asked_again_keeping_the_page_asked_for(phone, frozen, settings, path):
    frozen.tick(settings.RECENT_LOGIN_WINDOW + MINUTE)

    response = phone.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{CONFIRM}?next={path.replace('/', '%2F')}"
    page = phone.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Konfirmasi kata sandi" in html
    assert f'name="next" value="{path}"' in html
    assert "Kata sandi" in html


def test_the_right_password_opens_the_page_asked_for_and_restarts_the_window(phone, frozen, settings):
    frozen.tick(settings.RECENT_LOGIN_WINDOW + MINUTE)

    response = phone.post(CONFIRM, {"password": PASSWORD, "next": OWN_DATA})

    assert response.status_code == 302 and response["Location"] == OWN_DATA
    assert phone.get(OWN_DATA).status_code == 200
    frozen.tick(settings.RECENT_LOGIN_WINDOW - MINUTE)
    assert phone.get(DOWNLOAD).status_code == 200


def test_a_wrong_password_says_so_and_opens_nothing(phone, frozen, settings):
    frozen.tick(settings.RECENT_LOGIN_WINDOW + MINUTE)

    response = phone.post(CONFIRM, {"password": "bukan-sandinya", "next": OWN_DATA})

    assert response.status_code == 200
    assert "Kata sandi salah." in response.content.decode()
    assert phone.get(OWN_DATA).status_code == 302


def test_the_confirm_page_never_sends_the_applicant_to_another_site(phone, frozen, settings):
    frozen.tick(settings.RECENT_LOGIN_WINDOW + MINUTE)

    response = phone.post(CONFIRM, {"password": PASSWORD, "next": "https://penipu.example/"})

    assert response["Location"] == "/dashboard/"


def test_guessing_the_password_on_a_session_left_open_is_limited_per_account(phone, frozen, settings):
    frozen.tick(settings.RECENT_LOGIN_WINDOW + MINUTE)
    for _ in range(5):
        phone.post(CONFIRM, {"password": "tebakan", "next": OWN_DATA})

    response = phone.post(CONFIRM, {"password": PASSWORD, "next": OWN_DATA})

    assert response.status_code == 200
    assert str(RATE_LIMITED_MESSAGE) in response.content.decode()
    assert phone.get(OWN_DATA).status_code == 302


def test_a_session_whose_login_was_recent_but_has_ended_goes_to_the_login_page(phone, frozen, settings):
    frozen.tick(settings.SESSION_IDLE_TIMEOUT + timedelta(minutes=1))

    response = phone.get(OWN_DATA)

    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_anonymous_visitors_go_to_the_login_page(client, owner):
    for path in (OWN_DATA, DOWNLOAD, CONFIRM):
        response = client.get(path)

        assert response.status_code == 302 and response["Location"].startswith("/masuk/"), path
