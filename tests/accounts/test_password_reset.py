import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from notifications.models import Message
from tests.helpers import last_message, link_in

pytestmark = pytest.mark.django_db

RESET_URL = "/lupa-password/"


def test_reset_for_a_registered_email_sends_a_link_that_sets_a_new_password(client, verified_user):
    response = client.post(RESET_URL, {"email": verified_user.email.upper()})

    assert response.url == reverse("accounts:password_reset_done")
    link = link_in(last_message(recipient=verified_user.email, template="accounts/password_reset"))
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Sandi-Baru-Prakerja-9", "new_password2": "Sandi-Baru-Prakerja-9"},
    )
    assert done.url == reverse("accounts:password_reset_complete")
    verified_user.refresh_from_db()
    assert verified_user.check_password("Sandi-Baru-Prakerja-9")
    login = client.post("/masuk/", {"username": verified_user.email, "password": "Sandi-Baru-Prakerja-9"})
    assert login.status_code == 302
    assert client.session[SESSION_KEY] == str(verified_user.pk)


def test_reset_link_is_single_use(client, verified_user):
    client.post(RESET_URL, {"email": verified_user.email})
    link = link_in(last_message(recipient=verified_user.email, template="accounts/password_reset"))
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Sandi-Baru-Prakerja-9", "new_password2": "Sandi-Baru-Prakerja-9"},
    )

    again = client.get(link, follow=True)

    assert not again.context["validlink"]
    assert "tidak berlaku lagi" in again.content.decode()


def test_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(client, verified_user):
    known = client.post(RESET_URL, {"email": verified_user.email})
    unknown = client.post(RESET_URL, {"email": "tidak.ada@contoh.id"})

    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert not Message.objects.filter(recipient="tidak.ada@contoh.id").exists()


def test_reset_form_keeps_the_typed_email_on_error(client):
    response = client.post(RESET_URL, {"email": "bukan-email"})

    assert response.status_code == 200
    assert 'value="bukan-email"' in response.content.decode()
