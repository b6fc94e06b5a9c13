"""A password change (or reset) ends every other session of the account and tells the owner by email."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from notifications.models import Message
from tests.factories import PASSWORD
from tests.helpers import last_message, link_in

pytestmark = pytest.mark.django_db

CHANGE_URL = "/akun/kata-sandi/"
NEW_PASSWORD = "Sandi-Baru-Prakerja-9"


def change(client, current=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(CHANGE_URL, {"old_password": current, "new_password1": new, "new_password2": again or new})


def test_a_password_change_keeps_this_session_and_ends_the_others(verified_user):
    laptop, phone = Client(), Client()
    laptop.force_login(verified_user)
    phone.force_login(verified_user)
    assert phone.get("/dashboard/").status_code == 200

    response = change(laptop)

    assert response.status_code == 302 and response.url == reverse("journey:dashboard")
    assert laptop.get("/dashboard/").status_code == 200
    assert phone.get("/dashboard/").status_code == 302
    assert SESSION_KEY not in phone.session
    verified_user.refresh_from_db()
    assert verified_user.check_password(NEW_PASSWORD)


def test_the_owner_is_told_by_email_with_what_to_do_if_it_was_not_them(client, verified_user):
    client.force_login(verified_user)

    change(client)

    message = last_message(recipient=verified_user.email, template="accounts/password_changed")
    assert "diganti" in message.subject
    assert "Jika bukan Anda" in message.text
    assert reverse("accounts:password_reset") in message.text
    assert "WIB" in message.text


def test_a_wrong_current_password_changes_nothing_and_says_so(client, verified_user):
    client.force_login(verified_user)

    response = change(client, current="bukan-sandinya")

    assert response.status_code == 200
    assert "Kata sandi saat ini salah" in response.content.decode()
    verified_user.refresh_from_db()
    assert verified_user.check_password(PASSWORD)
    assert not Message.objects.filter(template="accounts/password_changed").exists()


def test_a_weak_or_mismatched_new_password_is_refused_in_indonesian(client, verified_user):
    client.force_login(verified_user)

    mismatched = change(client, again="Sandi-Lain-Prakerja-9").content.decode()
    weak = change(client, new="12345678").content.decode()

    assert "Kata sandi yang diulang tidak sama." in mismatched
    assert "Kata sandi saat ini" in weak and "Kata sandi baru" in weak
    verified_user.refresh_from_db()
    assert verified_user.check_password(PASSWORD)


def test_the_page_needs_a_login_and_is_linked_from_the_navbar(client, verified_user):
    assert client.get(CHANGE_URL).url.startswith(reverse("accounts:login"))
    client.force_login(verified_user)

    assert f'href="{CHANGE_URL}"' in client.get("/dashboard/").content.decode()


def test_a_password_reset_ends_every_session_and_tells_the_owner(verified_user):
    phone, browser = Client(), Client()
    phone.force_login(verified_user)
    browser.post("/lupa-password/", {"email": verified_user.email})
    link = link_in(last_message(recipient=verified_user.email, template="accounts/password_reset"))
    form_page = browser.get(link, follow=True)

    done = browser.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.url == reverse("accounts:password_reset_complete")
    assert phone.get("/dashboard/").status_code == 302
    assert SESSION_KEY not in phone.session
    assert Message.objects.filter(recipient=verified_user.email, template="accounts/password_changed").exists()
