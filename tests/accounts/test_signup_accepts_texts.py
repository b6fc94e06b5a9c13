"""Sign-up links the Syarat dan Ketentuan and the Kebijakan Privasi it asks to accept, and the account records
the versions accepted, as a declaration records its text (issue #15, item 7)."""

import re

import pytest

from accounts.models import PrivacyPolicyText, TermsText, User
from accounts.services import privacy_policy_text_publish, terms_text_publish

pytestmark = pytest.mark.django_db

PASSWORD = "Kartu-Prakerja-2026"


def signup_data(**fields) -> dict:
    return {"email": "siti@contoh.id", "password1": PASSWORD, "password2": PASSWORD, "terms": "on", **fields}


def hidden_value(html: str, name: str) -> str:
    return re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)[1]


def current_versions() -> tuple[int, int]:
    """The current (Kebijakan Privasi, Syarat dan Ketentuan) versions: what the migrations published."""
    return (
        PrivacyPolicyText.objects.get(is_current=True).version,
        TermsText.objects.get(is_current=True).version,
    )


def test_the_checkbox_links_both_texts_in_a_new_tab_so_the_form_keeps_its_input(client):
    html = client.get("/daftar/").content.decode()

    assert "Saya menyetujui Syarat dan Ketentuan dan Kebijakan Privasi" in html  # the label stays as it was
    assert '<a href="/syarat-dan-ketentuan/" target="_blank" rel="noopener">Syarat dan Ketentuan</a>' in html
    assert '<a href="/kebijakan-privasi/" target="_blank" rel="noopener">Kebijakan Privasi</a>' in html
    privacy, terms = current_versions()
    assert hidden_value(html, "privacy_policy_version") == str(privacy)
    assert hidden_value(html, "terms_version") == str(terms)


def test_an_account_records_the_versions_its_owner_accepted(client):
    html = client.get("/daftar/").content.decode()
    shown = {name: hidden_value(html, name) for name in ("privacy_policy_version", "terms_version")}

    response = client.post("/daftar/", signup_data(**shown))

    assert response.status_code == 302
    user = User.objects.get(email="siti@contoh.id")
    assert (user.privacy_policy_text.version, user.terms_text.version) == current_versions()


def test_a_later_version_does_not_change_what_an_account_accepted(client):
    privacy, terms = accepted = current_versions()
    client.post("/daftar/", signup_data(privacy_policy_version=str(privacy), terms_version=str(terms)))

    privacy_policy_text_publish(title="Kebijakan Privasi", body="Versi berikutnya.")
    terms_text_publish(title="Syarat dan Ketentuan", body="Versi berikutnya.")

    user = User.objects.get(email="siti@contoh.id")
    assert (user.privacy_policy_text.version, user.terms_text.version) == accepted
    assert current_versions() == (privacy + 1, terms + 1)


@pytest.mark.parametrize("publish", [privacy_policy_text_publish, terms_text_publish], ids=["privacy", "terms"])
def test_a_version_published_while_the_form_was_open_is_shown_before_the_account_is_made(client, publish):
    before = current_versions()
    html = client.get("/daftar/").content.decode()
    shown = {name: hidden_value(html, name) for name in ("privacy_policy_version", "terms_version")}
    publish(title="Versi Baru", body="Isi baru.")

    first = client.post("/daftar/", signup_data(**shown))

    assert first.status_code == 200 and not User.objects.exists()
    page = first.content.decode()
    assert "baru saja diperbarui" in page
    renewed = {name: hidden_value(page, name) for name in ("privacy_policy_version", "terms_version")}
    after = current_versions()
    assert renewed == {"privacy_policy_version": str(after[0]), "terms_version": str(after[1])} and after != before

    second = client.post("/daftar/", signup_data(**renewed))

    assert second.status_code == 302
    user = User.objects.get()
    assert (user.privacy_policy_text.version, user.terms_text.version) == after


def test_a_form_that_names_no_version_accepts_the_current_ones(client):
    privacy_policy_text_publish(title="Kebijakan Privasi", body="Versi berikutnya.")

    client.post("/daftar/", signup_data())

    user = User.objects.get()
    assert (user.privacy_policy_text.version, user.terms_text.version) == current_versions()


@pytest.mark.parametrize("value", ["abc", "-1", "١", "9" * 40, "1 OR 1=1"])
def test_a_version_that_is_no_number_counts_as_not_said(client, value):
    response = client.post("/daftar/", signup_data(privacy_policy_version=value, terms_version=value))

    assert response.status_code == 302
    assert User.objects.get().privacy_policy_text.version == current_versions()[0]


def test_accounts_made_without_the_sign_up_form_accept_nothing():
    staff = User.objects.create_superuser("admin@contoh.id", PASSWORD)

    assert staff.privacy_policy_text is None and staff.terms_text is None


def test_the_admin_shows_which_versions_an_account_accepted(admin_client, client):
    client.post("/daftar/", signup_data())
    user = User.objects.get(email="siti@contoh.id")

    html = admin_client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()

    privacy, terms = current_versions()
    assert "Kebijakan Privasi yang disetujui" in html and f"v{privacy}: Kebijakan Privasi" in html
    assert f"v{terms}: Syarat dan Ketentuan" in html
