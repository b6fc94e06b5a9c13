""""Ganti email" (security issue #11): the password first, a link to the new address, the old one told."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return UserFactory(verified=True, email="pemilik@contoh.id")


def test_an_email_changed_anywhere_ends_the_accounts_sessions(owner):
    phone = Client()
    phone.force_login(owner)
    assert phone.get("/dashboard/").status_code == 200

    User.objects.filter(pk=owner.pk).update(email="lain@contoh.id")  # e.g. by an operator in the admin

    assert phone.get("/dashboard/").status_code == 302
    assert SESSION_KEY not in phone.session
