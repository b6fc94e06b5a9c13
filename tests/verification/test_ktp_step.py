"""Step 2, "Verifikasi KTP", through HTTP: every rule and every way it can fail."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from freezegun import freeze_time

from prakerja.crypto import IdentifierKind, pii_digest
from tests.factories import ResidentFactory, UserFactory, ktp_data
from verification.forms import KtpVerificationForm
from verification.models import IdentityVerification

pytestmark = pytest.mark.django_db

URL = "/dashboard/verifikasi-ktp/"


def test_the_step_page_has_the_three_labelled_fields_and_lanjutkan(client, applicant):
    html = client.get(URL).content.decode()

    for field, label in (("nik", "NIK"), ("kk", "Nomor KK"), ("birth_date", "Tanggal Lahir")):
        assert re.search(rf'<label[^>]*for="id_{field}"[^>]*>\s*{label}\s*</label>', html), label
    assert 'value="Lanjutkan"' in html
    assert "Langkah 2 dari 8" in html


def test_matching_data_verifies_the_nik_and_moves_the_journey_on(client, applicant, resident):
    response = client.post(URL, ktp_data(resident))

    assert response.status_code == 302
    identity = IdentityVerification.objects.get(user=applicant)
    assert identity.nik == resident.nik
    assert identity.kk == resident.family_id
    assert identity.sex == "P"
    assert identity.registry_excluded_occupation is False
    dashboard = client.get("/dashboard/").content.decode()
    assert 'data-step="ktp" data-state="done"' in dashboard
    assert 'data-step="personal_data" data-state="current"' in dashboard


def test_the_nik_and_kk_are_stored_encrypted_with_a_blind_index(client, applicant, resident):
    client.post(URL, ktp_data(resident))

    row = IdentityVerification.objects.values().get(user=applicant)
    assert resident.nik not in str(row)
    assert resident.family_id not in str(row)
    assert row["nik_digest"] == pii_digest(resident.nik, kind=IdentifierKind.NIK)


def test_typed_spaces_and_dashes_are_fine(client, applicant, resident):
    nik = f"{resident.nik[:4]} {resident.nik[4:8]}-{resident.nik[8:12]} {resident.nik[12:]}"

    client.post(URL, ktp_data(resident, nik=nik))

    assert IdentityVerification.objects.filter(user=applicant).exists()


def test_an_excluded_occupation_on_the_ktp_is_recorded_with_the_verification(client, applicant):
    police = ResidentFactory(full_name="Budi Santoso", female=False, occupation="KEPOLISIAN RI (POLRI)")

    client.post(URL, ktp_data(police))

    assert IdentityVerification.objects.get(user=applicant).registry_excluded_occupation is True


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"nik": "12345"}, "nik", "NIK harus 16 digit angka"),
        ({"nik": "3299011708950001"}, "nik", "bukan kode wilayah yang dikenal"),
        ({"nik": "3276013208950001"}, "nik", "tidak membentuk tanggal yang benar"),
        ({"nik": "3276015708950000"}, "nik", "tidak mungkin 0000"),
        ({"birth_date": "1995-08-18"}, "birth_date", "Tanggal lahir tidak cocok dengan NIK"),
        ({"kk": "32760101021500"}, "kk", "Nomor KK harus 16 digit angka"),
        ({"kk": "9999990102150003"}, "kk", "bukan kode wilayah"),
        ({"birth_date": "2999-01-01"}, "birth_date", "masa depan"),
    ],
)
def test_a_format_problem_names_the_field_and_keeps_the_input(client, applicant, resident, change, field, message):
    data = ktp_data(resident, **change)

    response = client.post(URL, data)

    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    html = response.content.decode()
    assert f'value="{data["nik"]}"' in html and f'value="{data["kk"]}"' in html
    assert not IdentityVerification.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kk": "3276010102159999"}, "Nomor KK tidak sesuai dengan data Dukcapil"),
        ({"nik": "3276015708950002", "birth_date": "1995-08-17"}, "NIK tidak ditemukan di data Dukcapil"),
    ],
)
def test_a_registry_mismatch_says_which_and_shows_the_dukcapil_contacts(client, applicant, resident, change, message):
    response = client.post(URL, ktp_data(resident, **change))

    html = response.content.decode()
    assert message in html
    for contact in ("1500537", "08118005373", "callcenter@dukcapil.kemendagri.go.id"):
        assert contact in html
    assert not IdentityVerification.objects.exists()


def test_a_birth_date_the_registry_does_not_hold_is_a_registry_mismatch(client, applicant):
    # A NIK that encodes 17-08-95 but a registry record born in 2095 cannot exist; instead: the same
    # NIK digits, registered with another year (the century is not in the NIK).
    resident = ResidentFactory(birth_date=date(1995, 8, 17))
    resident.birth_date = date(1995, 8, 17).replace(year=1895)
    resident.save()

    response = client.post(URL, ktp_data(resident, birth_date="1995-08-17"))

    assert "Tanggal lahir tidak sesuai dengan data Dukcapil" in response.content.decode()


def test_a_nik_held_by_another_account_is_named_only_after_the_registry_confirms_it_and_never_its_owner(
    client, applicant, resident
):
    other = UserFactory(email="sari.wulandari@gmail.com", verified=True)
    client.force_login(other)
    client.post(URL, ktp_data(resident))
    client.force_login(applicant)

    response = client.post(URL, ktp_data(resident))

    html = response.content.decode()
    assert "NIK ini sudah terdaftar pada akun lain" in html
    assert "sari.wulandari" not in html and "@gmail.com" not in html and "s•••" not in html
    assert reverse("accounts:password_reset") in html
    assert settings.PORTAL_HELP_CONTACTS["email"] in html
    assert IdentityVerification.objects.get().user == other


def test_someone_elses_nik_with_a_made_up_kk_learns_nothing_about_its_account(client, applicant, resident):
    # Given the NIK's owner has an account (the birth date can be read from the NIK's digits)
    owner = UserFactory(verified=True)
    client.force_login(owner)
    client.post(URL, ktp_data(resident))
    client.force_login(applicant)

    # When someone else types the NIK with a KK of their own making
    response = client.post(URL, ktp_data(resident, kk="3276010101150099"))

    # Then the page says only what the registry says, exactly as for a NIK nobody has registered
    html = response.content.decode()
    assert "Nomor KK tidak sesuai" in html
    assert "terdaftar pada akun lain" not in html and reverse("accounts:password_reset") not in html


def test_registry_down_keeps_everything_typed_and_says_to_try_later(client, applicant, resident, settings):
    settings.DUKCAPIL_MOCK_FAILURE_RATE = 1.0

    response = client.post(URL, ktp_data(resident))

    assert response.status_code == 503
    html = response.content.decode()
    assert "sedang tidak dapat dihubungi" in html
    assert f'value="{resident.nik}"' in html
    assert f'value="{resident.family_id}"' in html
    assert 'value="1995-08-17"' in html
    assert not IdentityVerification.objects.exists()


def test_attempts_are_limited_per_account_so_the_form_cannot_enumerate_niks(client, applicant, resident):
    # Ten other serials of the same district and birth date: never the resident's own, which the factories'
    # sequence can reach (then one "wrong" attempt would verify, as it did in some orders of the suite).
    serials = [f"{serial:04d}" for serial in range(100, 120) if f"{serial:04d}" != resident.nik[12:]][:10]
    for serial in serials:
        client.post(URL, ktp_data(resident, nik=resident.nik[:12] + serial))

    response = client.post(URL, ktp_data(resident))

    assert "Terlalu banyak percobaan" in response.content.decode()
    assert not IdentityVerification.objects.exists()


def test_the_step_is_not_redone_once_finished(client, applicant, resident):
    client.post(URL, ktp_data(resident))

    response = client.get(URL, follow=True)

    assert response.redirect_chain[-1][0] == reverse("journey:dashboard")
    assert "sudah selesai" in response.content.decode()


def test_the_step_is_locked_before_the_email_is_verified(client, user, resident):
    client.force_login(user)

    response = client.post(URL, ktp_data(resident), follow=True)

    assert "Selesaikan dulu langkah 1" in response.content.decode()
    assert not IdentityVerification.objects.exists()


def test_no_nik_or_kk_reaches_the_logs_even_when_things_fail(client, applicant, resident, settings, caplog):
    caplog.set_level("DEBUG")

    client.post(URL, ktp_data(resident, kk="3276010102159999"))
    settings.DUKCAPIL_MOCK_FAILURE_RATE = 1.0
    client.post(URL, ktp_data(resident))

    assert caplog.records, "the failures above are expected to log something"
    assert resident.nik not in caplog.text
    assert resident.family_id not in caplog.text
    assert "3276010102159999" not in caplog.text


@pytest.mark.parametrize("display_zone", ["Asia/Jakarta", "UTC"])
def test_a_birth_date_is_in_the_future_only_after_todays_wib_date(settings, display_zone):
    settings.TIME_ZONE = display_zone

    # 05:00 WIB on 1 December is still 30 November in UTC.
    with freeze_time(datetime(2026, 12, 1, 5, 0, tzinfo=ZoneInfo("Asia/Jakarta"))):
        today = KtpVerificationForm(data={"nik": "", "kk": "", "birth_date": "2026-12-01"})
        tomorrow = KtpVerificationForm(data={"nik": "", "kk": "", "birth_date": "2026-12-02"})
        errors = today.errors, tomorrow.errors  # validated now, under the frozen clock

    assert "birth_date" not in errors[0]
    assert [error.code for error in errors[1].as_data()["birth_date"]] == ["future"]
