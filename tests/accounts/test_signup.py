import pytest
from django.urls import reverse

from accounts.models import User
from notifications.models import Message
from tests.factories import UserFactory
from tests.helpers import last_message

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/daftar/"


def signup_data(**overrides) -> dict:
    data = {
        "email": "Budi.Santoso@Contoh.ID",
        "password1": "Kartu-Prakerja-2026",
        "password2": "Kartu-Prakerja-2026",
        "terms": "on",
    }
    data.update(overrides)
    return data


def test_sign_up_page_shows_the_fields_and_terms_in_indonesian(client):
    response = client.get(SIGNUP_URL)

    html = response.content.decode()
    assert '<html lang="id">' in html
    for label in (
        "Email",
        "Kata sandi",
        "Ulangi kata sandi",
        "Saya menyetujui Syarat dan Ketentuan dan Kebijakan Privasi",
    ):
        assert label in html
    assert 'value="Daftar"' in html


def test_valid_sign_up_creates_an_unverified_account_and_queues_a_verification_email(client):
    response = client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 302
    assert response.url == reverse("accounts:signup_done")
    user = User.objects.get()
    assert user.email == "budi.santoso@contoh.id"
    assert user.email_verified_at is None
    assert user.check_password("Kartu-Prakerja-2026")
    message = last_message(recipient=user.email, template="accounts/email_verification")
    assert "Verifikasi sekarang" in message.body
    assert "/verifikasi-email/" in message.body
    assert message.user == user


def test_the_check_email_page_names_the_address(client):
    client.post(SIGNUP_URL, signup_data())

    response = client.get(reverse("accounts:signup_done"))

    assert "budi.santoso@contoh.id" in response.content.decode()


def test_duplicate_email_in_another_case_creates_no_second_account_and_reveals_nothing(client):
    existing = UserFactory(email="budi.santoso@contoh.id")
    fresh_response = client.post(SIGNUP_URL, signup_data(email="someone.new@contoh.id"))

    response = client.post(SIGNUP_URL, signup_data())

    assert User.objects.filter(email__iexact="budi.santoso@contoh.id").count() == 1
    # The same answer as a new address gets: the page does not tell whether the email is registered.
    assert response.status_code == fresh_response.status_code == 302
    assert response.url == fresh_response.url
    note = last_message(recipient=existing.email)
    assert note.template == "accounts/signup_existing"
    assert "/lupa-password/" in note.body


def test_repeated_duplicate_sign_ups_notify_the_owner_once_an_hour(client):
    existing = UserFactory(email="budi.santoso@contoh.id")

    for _ in range(3):
        client.post(SIGNUP_URL, signup_data())

    assert Message.objects.filter(recipient=existing.email, template="accounts/signup_existing").count() == 1


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("pendek1", "terlalu pendek"),
        ("12345678901", "seluruhnya terdiri dari angka"),
        ("password123", "terlalu umum"),
    ],
)
def test_weak_password_is_refused_with_django_validators_message_and_email_kept(client, password, expected):
    response = client.post(SIGNUP_URL, signup_data(password1=password, password2=password))

    assert response.status_code == 200
    assert not User.objects.exists()
    html = response.content.decode()
    assert expected in html.lower()
    assert 'value="Budi.Santoso@Contoh.ID"' in html or 'value="budi.santoso@contoh.id"' in html


def test_passwords_that_differ_are_refused(client):
    response = client.post(SIGNUP_URL, signup_data(password2="Kartu-Prakerja-2027"))

    assert not User.objects.exists()
    assert "Kata sandi yang diulang tidak sama." in response.content.decode()


def test_missing_terms_tick_is_refused_with_a_clear_message(client):
    data = signup_data()
    del data["terms"]

    response = client.post(SIGNUP_URL, data)

    assert not User.objects.exists()
    assert "Centang persetujuan Syarat dan Ketentuan untuk melanjutkan." in response.content.decode()


def test_invalid_email_is_refused(client):
    response = client.post(SIGNUP_URL, signup_data(email="bukan-email"))

    assert not User.objects.exists()
    assert response.context["form"].has_error("email")


def test_password_is_hashed_with_argon2_in_production_settings():
    from prakerja import settings as production_settings

    assert production_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_a_logged_in_user_is_sent_from_sign_up_to_the_dashboard(client, verified_user):
    client.force_login(verified_user)

    response = client.get(SIGNUP_URL)

    assert response.status_code == 302
    assert response.url == reverse("journey:dashboard")


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d\ufeff", "\u00ad"])
def test_an_email_with_invisible_characters_is_the_same_address_and_no_look_alike_account(client, invisible):
    # Django's EmailValidator accepts these in the domain (IDNA maps them to nothing), so without cleaning
    # "kembar@contoh.id" + a zero-width space was a second account that reads exactly like the first.
    UserFactory(email="kembar@contoh.id")

    client.post(SIGNUP_URL, signup_data(email=f"kembar@contoh.id{invisible}"))

    assert list(User.objects.values_list("email", flat=True)) == ["kembar@contoh.id"]
    assert all(invisible not in message.recipient for message in Message.objects.all())
