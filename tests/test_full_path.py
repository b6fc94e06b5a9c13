"""A newcomer's first minutes, through the Django test client: sign up, read the email, verify, log in."""

import pytest
from django.contrib.auth import SESSION_KEY

from tests.helpers import last_message, link_in


@pytest.mark.django_db
def test_sign_up_verify_email_log_in_and_see_step_two(client):
    email, password = "dewi.lestari@contoh.id", "Kartu-Prakerja-2026"

    client.post("/daftar/", {"email": email, "password1": password, "password2": password, "terms": "on"})
    verify = client.get(link_in(last_message(recipient=email, template="accounts/email_verification")), follow=True)
    assert "berhasil diverifikasi" in verify.content.decode()

    client.post("/masuk/", {"username": email, "password": password})
    assert SESSION_KEY in client.session
    dashboard = client.get("/dashboard/").content.decode()

    assert "Langkah 2 dari 8" in dashboard
    assert "Verifikasi KTP" in dashboard
