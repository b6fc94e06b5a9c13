""" "Data saya" and its download (issue #15 item 4, UU PDP 27/2022): every field the portal holds about the
applicant, masked on the page, in full in the JSON download; only for its owner, after a recent login.
"""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.selectors import privacy_policy_text_current, terms_text_current
from journey.own_data import own_data_for
from notifications.models import Message
from tests.factories import ApplicantFactory, UserFactory, lost_wave, staff_user
from tests.helpers import login_verified
from verification.identifiers import identifier_mask

pytestmark = pytest.mark.django_db

OWN_DATA = "/dashboard/data-saya/"
DOWNLOAD = "/dashboard/data-saya/unduh/"
REQUIRED_KEYS = {"nik", "kk", "nama_lengkap", "nama_ibu_kandung", "alamat", "tanggal_lahir", "nomor_hp", "email"}


def download(client) -> dict:
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    return json.loads(response.content.decode("utf-8"))


def test_the_download_is_the_owners_full_data(everywhere):
    user, values = everywhere.user, everywhere.values

    data = download(everywhere.phone)

    assert set(data) >= REQUIRED_KEYS
    assert data["nik"] == values["NIK"]
    assert data["kk"] == values["KK"]
    assert data["nama_lengkap"] == values["full name"]
    assert data["nama_ibu_kandung"] == values["mother's name"]
    assert data["alamat"] == values["address"]
    assert data["tanggal_lahir"] == values["birth date"]
    assert data["nomor_hp"] == values["phone"]
    assert data["email"] == user.email
    assert data["data_diri"]["domisili"]["kode_kecamatan"] == "32.76.01"
    assert data["pernyataan"]["sedang_pendidikan_formal"] is False
    assert data["pernyataan"]["menyatakan_data_benar"] is True
    assert [test["hasil"] for test in data["tes"]] == ["lolos"]
    assert data["tes"][0]["nilai"] >= data["tes"][0]["nilai_batas_lulus"]
    waves = data["gelombang"]
    assert len(waves) == 4
    assert waves[0]["nomor"] == everywhere.wave.number and waves[0]["hasil"] == "menunggu pengumuman"
    assert [wave["hasil"] for wave in waves[1:]] == ["belum lolos"] * 3
    assert all(wave["alasan"] for wave in waves[1:])
    assert data["kartu"] == []
    assert len(data["pengaduan"]) == 1 and data["pengaduan"][0]["status"] == "Menunggu peninjauan"
    assert data["pengaduan"][0]["gelombang_disebut"] == []  # written straight into the table by the factory
    assert data["foto_ktp"]["dari_kamera"] in (True, False)
    assert [code["nomor"] for code in data["kode_otp"]] == [values["other phone"]]
    assert data["penggantian_email"][0]["email_baru"] == values["new email"]
    assert len(data["kode_masuk"]) == 1
    assert {message["penerima"] for message in data["pesan"]} >= {user.email, values["other phone"]}


def test_the_download_is_a_json_file_never_kept_by_a_cache(everywhere):
    response = everywhere.phone.get(DOWNLOAD)

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="data-saya-prakerja-')
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_names_are_written_as_they_are_not_escaped(db):
    resident_name = "Ni Luh Ayu Kadek Dwi Ãndari"
    user = ApplicantFactory(personal_data_done=True, resident__full_name=resident_name)
    client = Client()
    client.force_login(user)

    body = client.get(DOWNLOAD).content.decode("utf-8")

    assert resident_name in body
    assert "\\u00c3" not in body


def test_one_time_codes_stay_out_of_the_download(everywhere):
    data = download(everywhere.phone)

    otp_sms = [message for message in data["pesan"] if message["penerima"] == everywhere.values["other phone"]]
    assert otp_sms and all(message["isi"] is None for message in otp_sms)


def test_a_result_not_yet_announced_stays_out_of_page_and_download(db, frozen):
    user = ApplicantFactory(test_passed=True)
    wave = lost_wave(user, announced=False, rival_wins=False)  # selected, results out in two days
    assert Message.objects.filter(user=user, not_before__gt=timezone.now()).exists()
    client = Client()
    client.force_login(user)

    data = download(client)
    html = client.get(OWN_DATA).content.decode()

    assert data["kartu"] == []
    assert data["gelombang"][0]["nomor"] == wave.number
    assert data["gelombang"][0]["hasil"] == "menunggu pengumuman" and data["gelombang"][0]["alasan"] is None
    assert not [message for message in data["pesan"] if "lolos" in (message["subjek"] or "").lower()]
    assert "Selamat" not in html

    frozen.tick(timedelta(days=3))
    client.force_login(user)
    data = download(client)
    assert len(data["kartu"]) == 1 and data["gelombang"][0]["hasil"] == "lolos"


def test_the_page_shows_every_field_and_masks_the_identifiers(everywhere):
    values = everywhere.values

    response = everywhere.phone.get(OWN_DATA)

    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    for key in ("NIK", "KK", "mother's name", "phone"):
        assert values[key] not in html, key
    assert identifier_mask(values["NIK"]) in html
    assert identifier_mask(values["KK"]) in html
    assert values["full name"] in html
    assert values["address"] in html
    assert "21 Maret 1988" in html
    # Every section of the download has its place on the page.
    for section in ("akun", "verifikasi_ktp", "data_diri", "foto_ktp", "pernyataan", "tes", "gelombang", "kartu"):
        assert f'data-section="{section}"' in html, section
    assert 'href="/dashboard/data-saya/unduh/"' in html
    assert f'href="/verifikasi/foto-ktp/{everywhere.user.ktp_photo.pk}/image/"' in html
    assert 'href="/dashboard/hapus-akun/"' in html


def test_the_page_and_the_download_show_an_applicant_their_own_data_only(everywhere):
    other = ApplicantFactory(personal_data_done=True)
    client = Client()
    client.force_login(other)

    html = client.get(OWN_DATA).content.decode()
    data = download(client)

    assert everywhere.values["full name"] not in html
    assert data["nik"] == other.identity.nik
    assert everywhere.values["NIK"] not in json.dumps(data)


@pytest.mark.parametrize("path", [OWN_DATA, DOWNLOAD, "/dashboard/hapus-akun/"])
def test_staff_have_no_such_pages(client, path):
    login_verified(client, staff_user("Operator gelombang"))

    assert client.get(path).status_code == 404


def test_a_superuser_has_no_such_page_either(client):
    login_verified(client, UserFactory(verified=True, is_staff=True, is_superuser=True))

    assert client.get(OWN_DATA).status_code == 404


def test_an_account_that_has_only_just_signed_up_sees_its_email(client):
    user = UserFactory(email="baru.daftar@contoh.id")
    client.force_login(user)

    data = download(client)

    assert data["email"] == "baru.daftar@contoh.id"
    assert data["nik"] is None and data["nama_lengkap"] is None
    assert client.get(OWN_DATA).status_code == 200


def test_the_versions_of_the_texts_accepted_at_sign_up_cost_no_query_of_their_own(db):
    """Factories leave the accepted texts empty; an account made by signing up has both (accounts.services)."""
    texts = {"privacy_policy_text": privacy_policy_text_current(), "terms_text": terms_text_current()}
    # Read back as the authentication middleware reads them: nothing related loaded.
    signed_up, bare = (User.objects.get(pk=UserFactory(**kwargs).pk) for kwargs in (texts, {}))
    own_data_for(user=bare)  # the first JSON read may ask the database what it supports, once

    with CaptureQueriesContext(connection) as signed_up_queries:
        data = own_data_for(user=signed_up).as_json()
    with CaptureQueriesContext(connection) as bare_queries:
        own_data_for(user=bare)

    assert data["akun"]["versi_kebijakan_privasi"] == texts["privacy_policy_text"].version
    assert data["akun"]["versi_syarat_dan_ketentuan"] == texts["terms_text"].version
    assert len(signed_up_queries) == len(bare_queries)


def test_the_dashboard_and_the_menu_link_to_data_saya_and_account_deletion(client, applicant):
    html = client.get("/dashboard/").content.decode()

    assert html.count('href="/dashboard/data-saya/"') == 2  # the menu and the dashboard
    assert 'href="/dashboard/hapus-akun/"' in html


def test_staff_get_the_404_even_when_their_login_is_no_longer_recent(client, frozen, settings):
    login_verified(client, staff_user("Operator gelombang"))
    frozen.tick(settings.RECENT_LOGIN_WINDOW + timedelta(minutes=1))

    assert client.get(OWN_DATA).status_code == 404
