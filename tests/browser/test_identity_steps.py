"""Steps 2-4 in a real browser on a phone-sized screen: KTP check, personal data with the region picker
(JavaScript), and the KTP photo upload."""

import pytest
from playwright.sync_api import expect

from tests.browser.actions import assert_accessible, error_summary_leads_to, log_in
from tests.factories import ResidentFactory, UserFactory
from tests.uploads_catalogue import phone_photo
from verification.models import KtpPhoto, PersonalData

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_applicant_verifies_the_ktp_fills_in_data_and_uploads_the_photo(page, private_media, tmp_path):
    resident = ResidentFactory()
    user = UserFactory(verified=True)
    log_in(page, user.email)
    assert_accessible(page)

    page.get_by_role("link", name="Verifikasi KTP sekarang").click()
    page.get_by_label("NIK").fill(resident.nik)
    page.get_by_label("Nomor KK").fill("3276010102159999")  # a typo in the KK
    page.get_by_label("Tanggal Lahir").fill("1995-08-17")
    page.get_by_role("button", name="Lanjutkan").click()
    expect(page.get_by_text("Nomor KK tidak sesuai dengan data Dukcapil").first).to_be_visible()
    error_summary_leads_to(page, "id_kk", page.locator("[data-error-summary] a").first.inner_text())
    expect(page.get_by_text("1500537")).to_be_visible()
    expect(page.get_by_label("NIK")).to_have_value(resident.nik)  # nothing typed is lost
    expect(page.get_by_label("Nomor KK")).to_have_value("3276010102159999")
    expect(page.get_by_label("Tanggal Lahir")).to_have_value("1995-08-17")
    assert_accessible(page)  # with the registry's answer and the Dukcapil contacts
    page.get_by_label("Nomor KK").fill(resident.family_id)
    page.get_by_role("button", name="Lanjutkan").click()
    page.wait_for_url("**/dashboard/")

    page.get_by_role("link", name="Isi data diri").click()
    page.get_by_label("Nama lengkap").fill("siti aminah")
    page.get_by_label("Nama ibu kandung").fill("Nurhayati")
    page.get_by_label("Alamat sesuai KTP").fill("Jl. Merdeka No. 1, RT 001/RW 002")
    expect(page.get_by_role("button", name="Pilih").first).to_be_hidden()  # JavaScript fills the lists itself
    page.get_by_label("Provinsi domisili").select_option(label="Jawa Barat")
    expect(page.get_by_label("Kabupaten/kota domisili").locator("option", has_text="Kota Depok")).to_have_count(1)
    page.get_by_label("Kabupaten/kota domisili").select_option(label="Kota Depok")
    expect(page.get_by_label("Kecamatan domisili").locator("option", has_text="Pancoran Mas")).to_have_count(1)
    page.get_by_label("Kecamatan domisili").select_option(label="Pancoran Mas")
    page.get_by_label("Perempuan").check()
    page.get_by_label("Pendidikan terakhir").select_option(label="SMA/SMK/sederajat")
    page.get_by_label("Status perkawinan").select_option(label="Belum kawin")
    page.get_by_label("Jumlah tanggungan").fill("0")
    page.get_by_label("Topik pelatihan yang diminati").select_option(label="Pemasaran digital")
    page.get_by_label("Saya bersedia mengisi seluruh data yang dibutuhkan dengan sejujur-jujurnya").check()
    assert_accessible(page)
    page.get_by_role("button", name="Simpan dan lanjutkan").click()
    page.wait_for_url("**/dashboard/")
    assert PersonalData.objects.get(user=user).district_id == "32.76.01"

    page.get_by_role("link", name="Unggah foto KTP").click()
    photo = tmp_path / "IMG_20240501_100000.jpg"
    photo.write_bytes(phone_photo())
    page.get_by_label("Foto KTP").set_input_files(str(photo))
    assert_accessible(page)
    page.get_by_role("button", name="Unggah foto").click()
    page.wait_for_url("**/dashboard/")
    expect(page.get_by_test_id("step-counter")).to_have_text("Langkah 5 dari 8")
    assert_accessible(page)
    assert KtpPhoto.objects.get(user=user).from_camera
