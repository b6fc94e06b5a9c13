""" "Ganti email" (security issue #11): the password first, a link to the new address, the old one told.

Nothing changes until the link sent to the new address is opened; the link is signed, expires, works once,
and dies with a password change, an email change or a newer request. The page answers the same whether or
not the new address has an account. Time is frozen.
"""

import base64
from datetime import timedelta
from functools import partial

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import resolve, reverse
from django.utils import translation

from accounts.errors import AccountError, AccountErrorCode
from accounts.models import EmailChange, User
from accounts.roles import Role
from accounts.services import email_change_confirm, email_change_request, password_set
from accounts.tokens import EMAIL_CHANGE_MAX_AGE
from notifications.masking import mask_email
from notifications.models import Message
from notifications.services import message_render
from tests.clock import T0
from tests.factories import PASSWORD, UserFactory, staff_user
from tests.helpers import last_message, link_in, login_verified, require_service
from tests.races import at_once

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

CHANGE_URL = "/akun/email/"
NEW = "baru@contoh.id"
LINK_TEMPLATE = "accounts/email_change_link"
REQUESTED_TEMPLATE = "accounts/email_change_requested"
CHANGED_TEMPLATE = "accounts/email_changed"


@pytest.fixture
def laptop(owner):
    laptop = Client()
    laptop.force_login(owner)
    return laptop


def request_change(client, new_email=NEW, password=PASSWORD, **extra):
    return client.post(CHANGE_URL, {"new_email": new_email, "password": password}, **extra)


def link_sent_to(email: str) -> str:
    return link_in(last_message(recipient=email, template=LINK_TEMPLATE))


def token_in(link: str) -> str:
    return resolve(link).kwargs["token"]


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def login(client, email, password=PASSWORD, address="36.80.1.2"):
    return client.post("/masuk/", {"username": email, "password": password}, REMOTE_ADDR=address)


# --- Asking ---------------------------------------------------------------------------------------------


def test_the_page_needs_a_login_and_is_linked_from_the_navbar(client, owner):
    assert client.get(CHANGE_URL).url.startswith(reverse("accounts:login"))
    client.force_login(owner)

    page = client.get(CHANGE_URL).content.decode()

    assert "Email baru" in page and "Kata sandi" in page and "Kirim tautan verifikasi" in page
    assert owner.email in page  # the address in use now
    assert f'href="{CHANGE_URL}"' in client.get("/dashboard/").content.decode()


def test_asking_sends_a_link_to_the_new_address_and_changes_nothing_yet(laptop, owner):
    response = request_change(laptop)

    assert response.status_code == 302 and response.url == reverse("journey:dashboard")
    assert any(NEW in text for text in flashed(response))
    owner.refresh_from_db()
    assert owner.email == "pemilik@contoh.id"
    link = link_sent_to(NEW)
    assert link.startswith("/akun/email/konfirmasi/")
    message = last_message(recipient=NEW, template=LINK_TEMPLATE)
    assert "Konfirmasi" in message.subject and "24 jam" in message.text
    assert "pemilik" not in message.text  # the new address is not told the old one


def test_the_old_address_is_told_which_address_was_asked_for_and_what_to_do_if_it_was_not_them(laptop, owner):
    request_change(laptop)

    notice = last_message(recipient="pemilik@contoh.id", template=REQUESTED_TEMPLATE)
    assert mask_email(NEW) in notice.text and NEW not in notice.text
    assert "belum diganti" in notice.text and "09.00 WIB" in notice.text
    assert "Jika bukan Anda" in notice.text
    assert settings.SITE_URL + reverse("accounts:password_reset") in notice.text


def test_the_link_carries_no_address(laptop):
    request_change(laptop)

    link = link_sent_to(NEW)

    # Links end up in mail logs, proxy logs and browser histories.
    assert "baru" not in link and "pemilik" not in link
    signed = token_in(link).split(":")[0]
    assert b"@" not in base64.urlsafe_b64decode(signed + "=" * (-len(signed) % 4))


@pytest.mark.parametrize("typed", ["", "bukan-kata-sandinya"])
def test_a_wrong_password_keeps_the_new_address_typed_and_changes_and_sends_nothing(laptop, owner, typed):
    response = request_change(laptop, password=typed)

    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert f'value="{NEW}"' in response.content.decode()
    assert not EmailChange.objects.exists() and not Message.objects.exists()
    owner.refresh_from_db()
    assert owner.email == "pemilik@contoh.id"


@pytest.mark.parametrize("typed", ["pemilik@contoh.id", " PEMILIK@Contoh.ID "])
def test_the_address_in_use_is_not_a_new_one(laptop, typed):
    response = request_change(laptop, new_email=typed)

    assert response.status_code == 200
    assert "sudah email akun Anda" in response.content.decode()
    assert not Message.objects.exists()


def test_the_page_answers_the_same_whether_or_not_the_new_address_has_an_account(laptop, owner):
    UserFactory(email="dipakai@contoh.id")
    phone = Client()
    phone.force_login(owner)

    taken = request_change(laptop, new_email="dipakai@contoh.id")
    free = request_change(phone, new_email="bebas@contoh.id")

    assert (taken.status_code, taken.url) == (free.status_code, free.url)
    assert [t.replace("dipakai@contoh.id", "X") for t in flashed(taken)] == [
        t.replace("bebas@contoh.id", "X") for t in flashed(free)
    ]
    # No link goes to an address that has an account; the old address hears of both requests alike.
    assert not Message.objects.filter(recipient="dipakai@contoh.id").exists()
    assert Message.objects.filter(recipient="bebas@contoh.id", template=LINK_TEMPLATE).exists()
    assert Message.objects.filter(recipient=owner.email, template=REQUESTED_TEMPLATE).count() == 2


def test_the_form_is_limited_per_account(laptop, owner):
    for _attempt in range(5):
        request_change(laptop, password="bukan-kata-sandinya")

    response = request_change(laptop)

    assert response.status_code == 200
    assert "Terlalu banyak percobaan" in response.content.decode()
    assert f'value="{NEW}"' in response.content.decode()
    assert not EmailChange.objects.exists() and not Message.objects.exists()


def test_the_pending_change_and_its_messages_are_written_together(owner, monkeypatch):
    from accounts import services

    calls = []
    real_enqueue = services.message_enqueue

    def enqueue_then_fail(**kwargs):
        calls.append(kwargs["template"])
        if len(calls) == 2:
            raise RuntimeError("the outbox is down")
        return real_enqueue(**kwargs)

    monkeypatch.setattr(services, "message_enqueue", enqueue_then_fail)

    with pytest.raises(RuntimeError):
        email_change_request(user=owner, new_email=NEW)

    assert len(calls) == 2
    assert not EmailChange.objects.exists() and not Message.objects.exists()


# --- Opening the link -----------------------------------------------------------------------------------


def test_opening_the_link_switches_the_email_verified_and_tells_the_old_address(laptop, owner, frozen):
    request_change(laptop, new_email=" Baru@Contoh.ID ")
    frozen.tick(timedelta(minutes=5))

    response = Client().get(link_sent_to(NEW))

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.email == NEW
    assert owner.email_verified_at is not None and owner.email_verified_at == T0 + timedelta(minutes=5)
    notice = last_message(recipient="pemilik@contoh.id", template=CHANGED_TEMPLATE)
    assert mask_email(NEW) in notice.text and NEW not in notice.text
    assert "sudah diganti" in notice.subject and "09.05 WIB" in notice.text
    assert "Jika bukan Anda" in notice.text and settings.PORTAL_HELP_CONTACTS["email"] in notice.text
    assert EmailChange.objects.get().confirmed_at is not None


def test_opening_the_link_logged_in_keeps_this_session_and_ends_the_others(laptop, owner):
    phone = Client()
    phone.force_login(owner)
    request_change(laptop)

    response = laptop.get(link_sent_to(NEW))

    assert response.status_code == 302 and response.url == reverse("journey:dashboard")
    assert any(NEW in text for text in flashed(response))
    assert laptop.get("/dashboard/").status_code == 200
    assert phone.get("/dashboard/").status_code == 302
    assert SESSION_KEY not in phone.session


def test_opening_the_link_logged_out_ends_every_session_and_asks_to_log_in_with_the_new_address(laptop, owner):
    request_change(laptop)
    elsewhere = Client()

    response = elsewhere.get(link_sent_to(NEW))

    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert any(NEW in text for text in flashed(response))
    assert laptop.get("/dashboard/").status_code == 302
    assert SESSION_KEY not in elsewhere.session


def test_after_the_change_the_new_address_logs_in_and_the_old_one_does_not(laptop, owner):
    request_change(laptop)
    Client().get(link_sent_to(NEW))

    old = login(Client(), "pemilik@contoh.id")
    new = login(Client(), NEW)

    assert old.status_code == 200 and "Email atau kata sandi salah" in old.content.decode()
    assert new.status_code == 302 and new.url == reverse("journey:dashboard")


def test_a_browser_the_owner_logged_in_from_stays_known_under_the_new_address(owner):
    browser = Client()
    login(browser, owner.email)
    request_change(browser)
    browser.get(link_sent_to(NEW))
    browser.post("/keluar/")
    # Then someone hammers the new address from many places: the owner's browser is not slowed.
    for n in range(settings.LOGIN_STEP_UP_AFTER):
        login(Client(), NEW, f"tebakan-{n}", address=f"10.9.0.{n + 1}")

    response = login(browser, NEW)

    assert response.status_code == 302 and response.url == reverse("journey:dashboard")
    assert not Message.objects.filter(template="accounts/login_code").exists()
    # A browser it never logged in from is asked for the emailed code, sent to the new address.
    stranger = login(Client(), NEW, address="36.99.0.1")
    assert stranger.url == "/masuk/kode/"
    assert last_message(recipient=NEW, template="accounts/login_code")


def test_failures_counted_against_the_old_address_do_not_follow_the_account(laptop, owner):
    for n in range(settings.LOGIN_STEP_UP_AFTER):
        login(Client(), owner.email, f"tebakan-{n}", address=f"10.9.0.{n + 1}")
    request_change(laptop)
    Client().get(link_sent_to(NEW))

    response = login(Client(), NEW, address="36.99.0.1")

    assert response.status_code == 302 and response.url == reverse("journey:dashboard")


def test_the_link_works_once(laptop, owner):
    request_change(laptop)
    link = link_sent_to(NEW)
    laptop.get(link)

    again = laptop.get(link)

    assert again.status_code == 302
    assert any("sudah diganti" in text for text in flashed(again))
    assert Message.objects.filter(template=CHANGED_TEMPLATE).count() == 1


def test_the_link_expires_after_a_day(laptop, owner, frozen):
    request_change(laptop)
    link = link_sent_to(NEW)

    frozen.tick(EMAIL_CHANGE_MAX_AGE + timedelta(seconds=1))
    response = laptop.get(link)

    assert response.status_code == 400
    assert "kedaluwarsa" in response.content.decode()
    owner.refresh_from_db()
    assert owner.email == "pemilik@contoh.id"


def test_the_link_still_works_at_the_end_of_its_day(laptop, owner, frozen):
    request_change(laptop)
    link = link_sent_to(NEW)

    frozen.tick(EMAIL_CHANGE_MAX_AGE)
    laptop.get(link)

    owner.refresh_from_db()
    assert owner.email == NEW


def test_a_password_change_voids_the_link(laptop, owner, frozen):
    request_change(laptop)
    link = link_sent_to(NEW)
    # The owner, told by the old address, makes a new password (here through the reset's service).
    password_set(user=owner, password="Sandi-Baru-Prakerja-9")

    response = Client().get(link)

    assert response.status_code == 400
    assert "tidak berlaku lagi" in response.content.decode()
    owner.refresh_from_db()
    assert owner.email == "pemilik@contoh.id"


def test_a_newer_request_voids_the_older_link(laptop, owner):
    request_change(laptop, new_email="pertama@contoh.id")
    first = link_sent_to("pertama@contoh.id")
    request_change(laptop, new_email="kedua@contoh.id")

    assert Client().get(first).status_code == 400
    Client().get(link_sent_to("kedua@contoh.id"))

    owner.refresh_from_db()
    assert owner.email == "kedua@contoh.id"


def test_a_double_tap_on_the_button_is_one_request_with_one_link(laptop, owner):
    request_change(laptop)
    request_change(laptop)

    assert EmailChange.objects.filter(user=owner).count() == 1
    assert Message.objects.filter(template=LINK_TEMPLATE).count() == 1
    Client().get(link_sent_to(NEW))
    owner.refresh_from_db()
    assert owner.email == NEW


def test_the_same_address_asked_for_again_a_minute_later_sends_a_new_link(laptop, owner, frozen):
    request_change(laptop)
    first = link_sent_to(NEW)
    frozen.tick(61)
    request_change(laptop)

    assert EmailChange.objects.filter(user=owner).count() == 2
    assert Client().get(first).status_code == 400  # the newer link replaced it


def test_an_email_changed_another_way_voids_a_link_made_before_it(owner):
    change = email_change_request(user=owner, new_email="pertama@contoh.id")
    token = token_in(link_sent_to("pertama@contoh.id"))
    User.objects.filter(pk=owner.pk).update(email="lain@contoh.id")  # e.g. by an operator in the admin

    with pytest.raises(AccountError) as raised:
        email_change_confirm(token=token)

    assert raised.value.code == AccountErrorCode.LINK_INVALID
    assert EmailChange.objects.get(pk=change.pk).confirmed_at is None


def test_a_tampered_link_is_refused(laptop, owner):
    request_change(laptop)
    link = link_sent_to(NEW)

    response = laptop.get(link[:-3] + "xyz/")

    assert response.status_code == 400
    owner.refresh_from_db()
    assert owner.email == "pemilik@contoh.id"


def test_an_address_taken_after_the_link_was_sent_is_refused_with_a_clear_message(laptop, owner):
    request_change(laptop, new_email="rebutan@contoh.id")
    UserFactory(email="rebutan@contoh.id")  # someone signs up with it meanwhile

    response = laptop.get(link_sent_to("rebutan@contoh.id"))

    assert response.status_code == 400
    assert "sudah dipakai akun lain" in response.content.decode()
    owner.refresh_from_db()
    assert owner.email == "pemilik@contoh.id"
    assert not Message.objects.filter(template=CHANGED_TEMPLATE).exists()


def test_an_email_changed_anywhere_ends_the_accounts_sessions(owner):
    phone = Client()
    phone.force_login(owner)
    assert phone.get("/dashboard/").status_code == 200

    User.objects.filter(pk=owner.pk).update(email="lain@contoh.id")  # e.g. by an operator in the admin

    assert phone.get("/dashboard/").status_code == 302
    assert SESSION_KEY not in phone.session


# --- Staff, and the notices' languages ------------------------------------------------------------------


def test_staff_change_their_email_on_the_same_page_after_their_second_factor(client):
    staff = staff_user(Role.OPERATOR, email="petugas@contoh.id")
    login_verified(client, staff)

    request_change(client, new_email="petugas.baru@contoh.id")
    client.get(link_sent_to("petugas.baru@contoh.id"))

    staff.refresh_from_db()
    assert staff.email == "petugas.baru@contoh.id"
    assert client.get("/admin/").status_code == 200  # still logged in, still past the second factor


def test_a_staff_session_without_the_second_factor_is_sent_to_it_first(client):
    staff = staff_user(Role.OPERATOR, email="petugas@contoh.id")
    client.force_login(staff)

    response = request_change(client, new_email="petugas.baru@contoh.id")

    assert response.status_code == 302 and response.url.startswith(reverse("accounts:staff_otp"))
    assert not EmailChange.objects.exists()


def test_the_notices_to_the_old_address_are_in_indonesian_whatever_the_language_of_the_page(laptop, owner):
    laptop.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    request_change(laptop)
    laptop.get(link_sent_to(NEW))

    assert "Jika bukan Anda" in last_message(recipient="pemilik@contoh.id", template=REQUESTED_TEMPLATE).text
    assert "Jika bukan Anda" in last_message(recipient="pemilik@contoh.id", template=CHANGED_TEMPLATE).text
    # The link goes to the person asking, in the language they asked in.
    assert "Confirm" in last_message(recipient=NEW, template=LINK_TEMPLATE).subject


@pytest.mark.parametrize("template", [LINK_TEMPLATE, REQUESTED_TEMPLATE, CHANGED_TEMPLATE])
def test_every_notice_has_an_english_translation(template):
    context = {
        "confirm_url": "http://testserver/x/",
        "valid_hours": 24,
        "new_email": "b•••@contoh.id",
        "requested_at": T0,
        "changed_at": T0,
        "password_reset_url": "http://testserver/lupa-password/",
        "help_email": "bantuan@prakerja.example",
    }
    with translation.override("id"):
        indonesian = message_render(channel="email", template=template, context=context)
    with translation.override("en"):
        english = message_render(channel="email", template=template, context=context)

    assert english.subject != indonesian.subject
    assert "Halo" in indonesian.body and "Hello" in english.body
    assert not {"Jika", "Tautan", "akun"} & set(english.body.replace(",", " ").replace(".", " ").split())


# --- Races, on PostgreSQL -------------------------------------------------------------------------------


def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        require_service("postgresql")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_accounts_confirming_one_address_at_once_leave_exactly_one_with_it():
    _needs_postgresql()
    first, second = UserFactory(verified=True), UserFactory(verified=True)
    tokens = []
    for user in (first, second):
        email_change_request(user=user, new_email="REBUTAN@contoh.id")
        tokens.append(token_in(link_in(Message.objects.filter(template=LINK_TEMPLATE).latest("id"))))

    outcomes = at_once(*(partial(email_change_confirm, token=token) for token in tokens), errors=(AccountError,))

    assert sorted(outcomes, key=str) == [AccountErrorCode.EMAIL_TAKEN, "ok"], outcomes
    assert User.objects.filter(email="rebutan@contoh.id").count() == 1
    assert Message.objects.filter(template=CHANGED_TEMPLATE).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_one_link_opened_twice_at_once_changes_the_email_once():
    _needs_postgresql()
    owner = UserFactory(verified=True)
    email_change_request(user=owner, new_email=NEW)
    token = token_in(link_sent_to(NEW))

    outcomes = at_once(*(partial(email_change_confirm, token=token) for _n in range(2)), errors=(AccountError,))

    assert sorted(outcomes, key=str) == [AccountErrorCode.LINK_USED, "ok"], outcomes
    assert User.objects.get(pk=owner.pk).email == NEW
    assert Message.objects.filter(template=CHANGED_TEMPLATE).count() == 1
