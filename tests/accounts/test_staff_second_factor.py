"""Staff sign in through the portal's one login page, then a TOTP code (django-otp) when
STAFF_OTP_REQUIRED is on, as it is in the tests (DEBUG off). Time is frozen."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth import SESSION_KEY
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from prakerja.staff import staff_required
from tests.factories import PASSWORD, UserFactory
from tests.helpers import code_in, last_message, login_verified, totp_now

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

OTP_URL = "/masuk/autentikator/"
SETUP_URL = "/masuk/autentikator/pasang/"


@pytest.fixture
def staff(db):
    return UserFactory(verified=True, is_staff=True, is_superuser=True, email="petugas@contoh.id")


@pytest.fixture
def device(staff):
    return TOTPDevice.objects.create(user=staff, name="Autentikator", confirmed=True)


def password_login(client, email, next_url="/admin/", address="36.80.1.2"):
    return client.post(
        f"/masuk/?next={quote(next_url)}",
        {"username": email, "password": PASSWORD, "next": next_url},
        REMOTE_ADDR=address,
    )


def test_the_admin_login_sends_everyone_to_the_portals_login_and_checks_no_password(client, staff):
    page = client.get("/admin/login/?next=/admin/waves/wave/")
    posted = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})

    assert page.status_code == 302 and page.url == "/masuk/?next=/admin/waves/wave/"
    assert posted.status_code == 302 and posted.url == "/masuk/?next=/admin/"
    assert SESSION_KEY not in client.session


def test_a_staff_password_alone_does_not_open_the_admin(client, staff, device):
    response = password_login(client, staff.email)

    assert response.status_code == 302 and response.url == f"{OTP_URL}?next=%2Fadmin%2F"
    assert client.session[SESSION_KEY] == str(staff.pk)
    refused = client.get("/admin/")
    assert refused.url == "/admin/login/?next=/admin/"
    assert client.get(refused.url).url == f"{OTP_URL}?next=%2Fadmin%2F"
    assert client.get("/admin/waves/wave/").status_code == 302


def test_with_the_authenticator_code_the_admin_opens(client, staff, device):
    password_login(client, staff.email)

    response = client.post(OTP_URL, {"code": totp_now(device), "next": "/admin/"})

    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_code_is_accepted_once_only(client, staff, device):
    password_login(client, staff.email)
    code = totp_now(device)
    client.post(OTP_URL, {"code": code, "next": "/admin/"})
    other = Client()
    password_login(other, staff.email)

    replay = other.post(OTP_URL, {"code": code, "next": "/admin/"})

    assert replay.status_code == 200
    assert "Kode autentikator salah" in replay.content.decode()


def test_wrong_authenticator_codes_are_throttled_even_for_the_right_code(client, staff, device, frozen):
    password_login(client, staff.email)
    wrong = "000000" if totp_now(device) != "000000" else "111111"
    for _ in range(3):
        client.post(OTP_URL, {"code": wrong, "next": "/admin/"})

    throttled = client.post(OTP_URL, {"code": totp_now(device), "next": "/admin/"})

    assert throttled.status_code == 200
    assert "Terlalu banyak kode yang salah" in throttled.content.decode()
    assert client.get("/admin/").status_code == 302
    frozen.tick(timedelta(seconds=5))
    assert client.post(OTP_URL, {"code": totp_now(device), "next": "/admin/"}).url == "/admin/"


def test_staff_without_an_authenticator_set_one_up_before_the_admin_opens(client, staff, frozen):
    response = password_login(client, staff.email)
    assert client.get(response.url).url == f"{SETUP_URL}?next=%2Fadmin%2F"

    page = client.get(f"{SETUP_URL}?next=/admin/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "style=" not in html and "<script>" not in html
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    assert client.get(f"{SETUP_URL}?next=/admin/").context["secret"] == page.context["secret"]  # same on reload
    assert client.get("/admin/").status_code == 302

    wrong = client.post(SETUP_URL, {"code": "000000" if totp_now(device) != "000000" else "111111", "next": "/admin/"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.get().confirmed
    frozen.tick(timedelta(seconds=2))  # django-otp's throttle: one second after one wrong code
    done = client.post(SETUP_URL, {"code": totp_now(device), "next": "/admin/"})

    assert done.url == "/admin/"
    assert TOTPDevice.objects.get().confirmed
    assert client.get("/admin/").status_code == 200


def test_no_second_authenticator_can_be_added_with_only_the_password(client, staff, device):
    password_login(client, staff.email)

    response = client.get(f"{SETUP_URL}?next=/admin/")

    assert response.url == f"{OTP_URL}?next=%2Fadmin%2F"
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_with_the_requirement_off_staff_open_the_admin_with_the_password_only(client, staff, settings):
    settings.STAFF_OTP_REQUIRED = False

    response = password_login(client, staff.email)

    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_applicant_asking_for_the_admin_is_told_it_is_for_staff(client):
    client.force_login(UserFactory(verified=True))

    response = client.get("/admin/login/?next=/admin/", follow=True)

    assert response.redirect_chain[-1][0] == reverse("journey:dashboard")
    assert "khusus petugas" in response.content.decode()


def test_the_attack_through_the_admin_login_meets_the_same_per_account_protection(staff, device):
    """The finding: 40 wrong admin passwords from changing addresses, then the right one, was a login."""
    for n in range(40):
        Client().post(
            "/admin/login/", {"username": staff.email, "password": f"tebakan-{n}"}, REMOTE_ADDR=f"10.8.0.{n + 1}"
        )
        Client().post(
            "/masuk/?next=/admin/", {"username": staff.email, "password": f"tebakan-{n}"}, REMOTE_ADDR=f"10.8.1.{n + 1}"
        )
    attacker = Client()

    response = password_login(attacker, staff.email, address="45.1.1.1")

    assert response.url == "/masuk/kode/"
    assert SESSION_KEY not in attacker.session
    assert attacker.get("/admin/").status_code == 302
    # The real staff member: the emailed code, then the authenticator, then the admin.
    owner = Client()
    password_login(owner, staff.email, address="36.99.0.1")
    after_code = owner.post(
        "/masuk/kode/",
        {"code": code_in(last_message(recipient=staff.email, template="accounts/login_code"))},
        REMOTE_ADDR="36.99.0.1",
    )
    assert after_code.url == f"{OTP_URL}?next=%2Fadmin%2F"
    assert owner.get("/admin/").status_code == 302
    assert owner.post(OTP_URL, {"code": totp_now(device), "next": "/admin/"}).url == "/admin/"
    assert owner.get("/admin/").status_code == 200


def test_staff_views_outside_the_admin_refuse_an_unverified_session(rf, staff, device, settings):
    view = staff_required(lambda request: HttpResponse("konsol"))
    from django.contrib.auth.models import AnonymousUser

    anonymous = rf.get("/operator/")
    anonymous.user = AnonymousUser()
    unverified = rf.get("/operator/")
    unverified.user = staff
    staff.is_verified = lambda: False
    verified = rf.get("/operator/")
    verified.user = UserFactory(is_staff=True)
    verified.user.is_verified = lambda: True

    assert view(anonymous).url == "/masuk/?next=/operator/"
    assert view(unverified).url == f"{OTP_URL}?next=%2Foperator%2F"
    assert view(verified).content == b"konsol"
    settings.STAFF_OTP_REQUIRED = False
    assert view(unverified).content == b"konsol"


def test_the_test_helper_marks_the_session_verified_as_the_totp_step_does(client, staff):
    login_verified(client, staff)

    assert client.get("/admin/").status_code == 200


def test_a_superuser_resets_a_lost_authenticator_in_the_admin_without_seeing_its_key(admin_client, device):
    listing = admin_client.get("/admin/otp_totp/totpdevice/")
    detail = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")

    assert listing.status_code == detail.status_code == 200
    assert device.key not in listing.content.decode() + detail.content.decode()
    admin_client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()


def test_the_admins_password_change_is_the_portals_page(admin_client):
    assert admin_client.get("/admin/password_change/").url == "/akun/kata-sandi/"
