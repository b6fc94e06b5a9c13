"""The newcomer's walk from the home page through the test to a joined wave, as one person does it: driven with
JavaScript on a phone and on a laptop, then on to the result once an operator has closed the wave and run the
selection (test_journey.py, which also takes the README's screenshots on the phone), and without JavaScript on a
phone (test_without_javascript.py)."""

import os
import re
from pathlib import Path

from freezegun import freeze_time
from playwright.sync_api import expect

from accounts.roles import Role
from assessment.models import Attempt
from assessment.services import question_bank_load
from tests.browser.actions import assert_accessible, log_in, staff_log_in
from tests.clock import MINUTE
from tests.factories import ResidentFactory, WaveFactory, staff_user
from tests.helpers import answer_key
from tests.uploads_catalogue import phone_photo
from waves.models import Card, RunStatus, SelectionRun, Wave

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs/screenshots"
EMAIL, PASSWORD = "dewi.lestari@contoh.id", "Kartu-Prakerja-2026"
WIDE = 992  # pixels (62rem): from here the header shows the menu's links instead of the "Menu" button
RESULT_HEADING = "Selamat! Anda penerima Kartu Prakerja"


class Camera:
    """Writes a phone-sized screenshot of each step to docs/screenshots/ when PRAKERJA_SCREENSHOTS=1 (so that a
    test run never rewrites the repository's pictures unasked); otherwise does nothing."""

    def __init__(self) -> None:
        self.enabled = os.environ.get("PRAKERJA_SCREENSHOTS") == "1"
        self.taken: list[str] = []

    def __call__(self, page, name: str) -> None:
        if not self.enabled:
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        file_name = f"{len(self.taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(SCREENSHOTS / file_name), full_page=True)
        self.taken.append(file_name)


class Walk:
    def __init__(self, page, *, javascript: bool, camera) -> None:
        self.page, self.javascript, self.camera = page, javascript, camera

    def step(self, name: str) -> None:
        """Every page of the walk: no serious accessibility finding, and a picture for the tour. (axe-core needs
        the page's JavaScript: its checks run in the walk with scripts on.)"""
        if self.javascript:
            assert_accessible(self.page)
        if self.camera:
            self.camera(self.page, name)


def walk_to_a_wave(page, *, javascript: bool, camera=None, tmp_path: Path) -> Wave:
    step = Walk(page, javascript=javascript, camera=camera).step
    question_bank_load()
    wave = WaveFactory(open=True)  # Jawa Barat has places: the domicile chosen below
    resident = ResidentFactory(full_name="Dewi Lestari", mother_name="Sri Wahyuni")

    page.goto("/")
    step("beranda")
    page.get_by_role("link", name="Buat akun").first.click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    page.get_by_label("Ulangi kata sandi").fill(PASSWORD)
    page.get_by_label("Saya menyetujui Syarat dan Ketentuan dan Kebijakan Privasi").check()
    step("buat-akun")
    page.get_by_role("button", name="Daftar").click()
    expect(page.get_by_role("heading", name="Cek email Anda")).to_be_visible()
    step("cek-email")

    page.get_by_role("link", name="Buka kotak masuk demo").click()
    step("kotak-masuk-demo")
    page.locator("a[href*='/verifikasi-email/']").first.click()
    expect(page.get_by_text(re.compile(r"Email .* berhasil diverifikasi"))).to_be_visible()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    step("masuk")
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/dashboard/")
    step("dasbor")

    if page.viewport_size["width"] >= WIDE:
        expect(page.get_by_role("button", name="Keluar")).to_be_visible()  # the menu's links stand in the header
    else:
        # The menu is a <details>: it opens with a tap, script or not, and holds the way out.
        page.get_by_text("Menu", exact=True).click()
        expect(page.get_by_role("button", name="Keluar")).to_be_visible()
        step("menu")
        page.get_by_text("Menu", exact=True).click()
        expect(page.get_by_role("button", name="Keluar")).to_be_hidden()

    page.get_by_role("link", name="Verifikasi KTP sekarang").click()
    expect(page.get_by_role("link", name="Kembali ke Dasbor")).to_be_visible()
    page.get_by_label("NIK").fill(resident.nik)
    page.get_by_label("Nomor KK").fill(resident.family_id)
    page.get_by_label("Tanggal Lahir").fill("1995-08-17")
    step("verifikasi-ktp")
    page.get_by_role("button", name="Lanjutkan").click()
    page.wait_for_url("**/dashboard/")

    page.get_by_role("link", name="Isi data diri").click()
    page.get_by_label("Nama lengkap").fill("DEWI LESTARI")
    page.get_by_label("Nama ibu kandung").fill("sri wahyuni")
    page.get_by_label("Alamat sesuai KTP").fill("Jl. Merdeka No. 1, RT 001/RW 002")
    page.get_by_label("Provinsi domisili").select_option(label="Jawa Barat")
    if not javascript:
        # "Pilih" sends the form back for the next list; the page comes back at the domicile, not at its top.
        page.get_by_role("button", name="Pilih").first.click()
        expect(page).to_have_url(re.compile(r"/dashboard/data-diri/#domisili$"))
        expect(page.locator("#domisili")).to_be_in_viewport()
        expect(page.get_by_label("Nama lengkap")).to_have_value("DEWI LESTARI")  # nothing typed is lost
    regency = page.get_by_label("Kabupaten/kota domisili")
    expect(regency.locator("option", has_text="Kota Depok")).to_have_count(1)
    regency.select_option(label="Kota Depok")
    if not javascript:
        page.get_by_role("button", name="Pilih").nth(1).click()
        expect(page.locator("#domisili")).to_be_in_viewport()
    district = page.get_by_label("Kecamatan domisili")
    expect(district.locator("option", has_text="Pancoran Mas")).to_have_count(1)
    district.select_option(label="Pancoran Mas")
    page.get_by_label("Perempuan").check()
    page.get_by_label("Pendidikan terakhir").select_option(label="SMA/SMK/sederajat")
    page.get_by_label("Status perkawinan").select_option(label="Kawin")
    page.get_by_label("Jumlah tanggungan").fill("2")
    page.get_by_label("Topik pelatihan yang diminati").select_option(label="Pemasaran digital")
    page.get_by_label("Saya bersedia mengisi seluruh data yang dibutuhkan dengan sejujur-jujurnya").check()
    step("data-diri")
    page.get_by_role("button", name="Simpan dan lanjutkan").click()
    page.wait_for_url("**/dashboard/")

    page.get_by_role("link", name="Unggah foto KTP").click()
    photo = tmp_path / "IMG_20240501_100000.jpg"
    photo.write_bytes(phone_photo())
    page.get_by_label("Foto KTP").set_input_files(str(photo))
    step("foto-ktp")
    page.get_by_role("button", name="Unggah foto").click()
    page.wait_for_url("**/dashboard/")

    page.get_by_role("link", name="Verifikasi nomor HP").click()
    page.get_by_label("Nomor HP").fill("0812 3456 7890")
    page.get_by_role("button", name="Kirim").click()
    expect(page.get_by_role("textbox", name="Kode OTP")).to_be_visible()
    step("nomor-hp")
    page.get_by_role("link", name="Buka kotak masuk demo").click()
    sms = page.locator(".inbox-body", has_text="kode").first.inner_text()
    code = re.search(r"\b\d{6}\b", sms)[0]
    page.go_back()
    page.get_by_role("textbox", name="Kode OTP").fill(code)
    page.get_by_role("button", name="Verifikasi").click()
    page.wait_for_url("**/dashboard/")

    page.get_by_role("link", name="Isi pernyataan").click()
    page.get_by_label("Ya, saya terkena PHK").check()
    for radio in page.locator("input[type=radio][value=tidak]").all():
        radio.check()
    page.get_by_label("Tidak menerima bantuan lain").check()
    page.get_by_label("Saya telah membaca dan menyetujui pernyataan di atas, dan seluruh jawaban saya benar.").check()
    step("pernyataan")
    page.get_by_role("button", name="Periksa pernyataan").click()
    # Nothing is stored before the applicant has read the answers back and sent them.
    expect(page.get_by_role("heading", name="Periksa pernyataan Anda")).to_be_visible()
    if javascript:
        assert_accessible(page)
    page.get_by_role("button", name="Kirim pernyataan").click()
    page.wait_for_url("**/dashboard/")

    page.get_by_role("link", name="Mulai Tes Sekarang").click()
    step("tes")
    page.get_by_role("button", name="Mulai Tes Sekarang").click()
    expect(page.get_by_test_id("question-counter")).to_have_text("Soal 1 dari 18")
    step("soal")
    key = answer_key(Attempt.objects.get())
    for position in range(1, 19):
        page.locator(f"input[name=choice][value='{key[position]}']").check()
        page.get_by_role("button", name="Selesai" if position == 18 else "Berikutnya").click()
    # "Selesai" asks to check the answers first; the test ends only when confirmed.
    expect(page.get_by_role("heading", name="Periksa jawaban")).to_be_visible()
    if javascript:
        assert_accessible(page)
    page.get_by_role("button", name="Ya, selesaikan tes").click()
    expect(page.get_by_text("100", exact=False).first).to_be_visible()
    step("hasil-tes")

    page.goto("/dashboard/")
    page.get_by_role("link", name="Lihat gelombang").click()
    step("gelombang")
    page.get_by_role("link", name="Gabung").click()
    step("gabung")
    page.get_by_role("button", name="Ya, Gabung").click()
    step("persetujuan")
    page.get_by_role("button", name="Saya Menyetujui").click()
    expect(page.get_by_text("Tahap pendaftaran selesai").first).to_be_visible()
    step("selesai")
    page.goto("/dashboard/")
    expect(page.get_by_text(f"Gelombang {wave.number}").first).to_be_visible()
    step("menunggu-seleksi")
    return wave


def walk_to_the_result(page, desk, *, wave: Wave, camera=None) -> None:
    """The wave's end, from where ``walk_to_a_wave`` stops: an operator, in a browser of their own (``desk``),
    closes the wave and runs the selection from the console through their confirmation pages (the selection
    runs in its Celery task, eager in the tests); the result stays hidden until the announcement, when the
    applicant, back on the portal, reads it on the dashboard and in "Riwayat Gelombang"."""
    step = Walk(page, javascript=True, camera=camera).step
    console = f"/operator/gelombang/{wave.number}/"
    staff_log_in(desk, staff_user(Role.OPERATOR), console)
    for action, done in (("Tutup sekarang", f"{wave.label} ditutup."), ("Jalankan seleksi", f"Seleksi {wave.label}")):
        desk.goto(console)
        assert_accessible(desk)
        desk.get_by_role("link", name=f"{action}…").click()
        expect(desk.get_by_test_id("consequence")).to_be_visible()  # what it will do, before it is done
        assert_accessible(desk)
        desk.get_by_role("button", name=f"Ya, {action.lower()}").click()
        expect(desk.get_by_text(done)).to_be_visible()
        assert_accessible(desk)
    desk.goto(console)
    expect(desk.get_by_role("link", name="Unduh hasil seleksi (CSV)")).to_be_visible()
    assert_accessible(desk)
    run = SelectionRun.objects.get(wave=wave)
    assert run.status == RunStatus.SUCCEEDED and run.counts["selected"] == 1

    page.reload()  # selected, but nobody knows before the announcement
    expect(page.get_by_text(f"Gelombang {wave.number}").first).to_be_visible()
    expect(page.get_by_role("heading", name=RESULT_HEADING)).to_have_count(0)

    wave.refresh_from_db()
    with freeze_time(wave.announce_at + MINUTE, tick=True, real_asyncio=True):
        page.goto("/dashboard/")
        expect(page).to_have_url(re.compile(r"/masuk/"))  # days later: the session has ended, sign in again
        log_in(page, EMAIL, PASSWORD)
        expect(page.get_by_role("heading", name=RESULT_HEADING)).to_be_visible()
        expect(page.get_by_test_id("card-number")).to_have_text(Card.objects.get().number)
        step("hasil-seleksi")
        page.get_by_role("link", name="Riwayat Gelombang").click()
        expect(page.get_by_role("heading", name="Riwayat Gelombang")).to_be_visible()
        step("riwayat-gelombang")
