from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts import services
from accounts.errors import AccountError, AccountErrorCode
from accounts.tokens import email_verification_tokens
from notifications.models import Message
from tests.factories import UserFactory
from tests.helpers import last_message, link_in

pytestmark = pytest.mark.django_db


def verification_link(user) -> str:
    return link_in(last_message(recipient=user.email, template="accounts/email_verification"))


@pytest.fixture
def new_user(client):
    client.post(
        "/daftar/",
        {
            "email": "sari@contoh.id",
            "password1": "Kartu-Prakerja-2026",
            "password2": "Kartu-Prakerja-2026",
            "terms": "on",
        },
    )
    from accounts.models import User

    return User.objects.get(email="sari@contoh.id")


def test_the_link_from_the_email_verifies_the_address_and_leads_to_login(client, new_user):
    response = client.get(verification_link(new_user))

    new_user.refresh_from_db()
    assert new_user.email_verified
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")


def test_the_link_carries_neither_the_email_nor_anything_readable_about_it(new_user):
    link = verification_link(new_user)

    assert "sari" not in link
    assert "contoh" not in link


def test_a_logged_in_user_following_the_link_lands_on_the_dashboard(client, new_user):
    client.force_login(new_user)

    response = client.get(verification_link(new_user))

    assert response.url == reverse("journey:dashboard")


def test_an_expired_link_is_refused_and_the_address_stays_unverified(client, new_user):
    link = verification_link(new_user)

    with freeze_time(timezone.now() + timedelta(days=3, minutes=1)):
        response = client.get(link)

    new_user.refresh_from_db()
    assert response.status_code == 400
    assert not new_user.email_verified
    assert "kedaluwarsa" in response.content.decode()


def test_a_link_still_works_just_before_it_expires(client, new_user):
    link = verification_link(new_user)

    with freeze_time(timezone.now() + timedelta(days=2, hours=23)):
        client.get(link)

    new_user.refresh_from_db()
    assert new_user.email_verified


def test_a_reused_link_changes_nothing_and_says_the_email_is_already_verified(client, new_user):
    link = verification_link(new_user)
    client.get(link)
    new_user.refresh_from_db()
    first_verified_at = new_user.email_verified_at

    response = client.get(link, follow=True)

    new_user.refresh_from_db()
    assert new_user.email_verified_at == first_verified_at
    assert "sudah terverifikasi" in response.content.decode()


@pytest.mark.parametrize("tamper", ["flip_last_char", "other_user", "garbage"])
def test_a_tampered_link_is_refused(client, new_user, tamper):
    token = verification_link(new_user).rstrip("/").split("/")[-1]
    if tamper == "flip_last_char":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif tamper == "other_user":
        other = UserFactory()
        _payload, rest = token.split(":", 1)
        token = email_verification_tokens.make(other).split(":", 1)[0] + ":" + rest
    else:
        token = "bukan-token"

    response = client.get(reverse("accounts:email_verify", args=[token]))

    new_user.refresh_from_db()
    assert response.status_code == 400
    assert not new_user.email_verified
    assert "tidak valid" in response.content.decode()


def test_a_token_for_an_address_that_changed_is_refused(new_user):
    token = email_verification_tokens.make(new_user)
    new_user.email = "lain@contoh.id"
    new_user.save()

    with pytest.raises(AccountError) as error:
        services.email_verify(token=token)

    assert error.value.code == AccountErrorCode.LINK_INVALID


def test_resend_waits_for_the_cooldown_then_sends_a_new_link(client, new_user):
    client.force_login(new_user)

    too_soon = client.post(reverse("accounts:email_verification_resend"), follow=True)

    assert "Tunggu" in too_soon.content.decode()
    with freeze_time(timezone.now() + timedelta(seconds=61)):
        client.post(reverse("accounts:email_verification_resend"))
        assert Message.objects.filter(user=new_user, template="accounts/email_verification").count() == 2


def test_resend_for_a_verified_account_sends_nothing(client, verified_user):
    client.force_login(verified_user)

    client.post(reverse("accounts:email_verification_resend"))

    assert not Message.objects.filter(user=verified_user).exists()


def test_resend_needs_a_login_and_a_post(client, new_user):
    assert client.post(reverse("accounts:email_verification_resend")).status_code == 302
    client.force_login(new_user)
    assert client.get(reverse("accounts:email_verification_resend")).status_code == 405


def test_both_the_old_and_the_new_link_verify_until_one_is_used(client, new_user):
    first = verification_link(new_user)
    with freeze_time(timezone.now() + timedelta(seconds=61)):
        services.email_verification_send(user=new_user)
    second = verification_link(new_user)
    assert first != second

    client.get(first)

    assert client.get(second, follow=True).status_code == 200
    new_user.refresh_from_db()
    assert new_user.email_verified
