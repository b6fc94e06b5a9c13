"""What goes wrong on the way, in a real browser on a phone, each from the state a factory builds (not walked
from sign-up): the applicant reads in Indonesian what to do, the field at fault is marked, what they typed is
still there, and the way on works. axe checks every page. (A wrong KK: test_identity_steps.py; a letter
rejected for a fixable reason and uploaded again: test_gagal_3_kali.py.)"""

import re

import pytest
from playwright.sync_api import expect

from assessment.models import Attempt
from tests.browser.actions import assert_accessible, error_summary_leads_to, log_in
from tests.factories import ApplicantFactory
from tests.helpers import answer_key
from tests.uploads_catalogue import phone_photo
from verification.models import KtpPhoto

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_bad_photo_is_refused_with_what_to_do_and_a_good_one_goes_through(page, settings, private_media, tmp_path):
    applicant = ApplicantFactory(personal_data_done=True)
    log_in(page, applicant.email)
    page.get_by_role("link", name="Unggah foto KTP").click()

    fake = tmp_path / "ktp.jpg"
    fake.write_text("bukan foto, hanya teks yang diberi nama .jpg")
    page.get_by_label("Foto KTP").set_input_files(str(fake))
    page.get_by_role("button", name="Unggah foto").click()
    message = page.locator("[data-error-summary] a").first
    expect(message).to_contain_text("bukan foto")
    error_summary_leads_to(page, "id_photo", message.inner_text())
    assert_accessible(page)

    settings.UPLOAD_MAX_BYTES = 200_000  # the live server reads the same settings
    large = tmp_path / "IMG_20240501_100000.jpg"
    large.write_bytes(phone_photo())
    assert large.stat().st_size > settings.UPLOAD_MAX_BYTES
    page.get_by_label("Foto KTP").set_input_files(str(large))
    page.get_by_role("button", name="Unggah foto").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Ukuran berkas terlalu besar: maksimal 0,2 MB")
    assert_accessible(page)
    assert not KtpPhoto.objects.filter(user=applicant).exists()

    settings.UPLOAD_MAX_BYTES = 10_000_000
    page.get_by_label("Foto KTP").set_input_files(str(large))
    page.get_by_role("button", name="Unggah foto").click()
    page.wait_for_url("**/dashboard/")
    assert KtpPhoto.objects.filter(user=applicant).exists()


def test_a_wrong_otp_code_says_how_many_tries_are_left_and_keeps_the_number(page, sms_outbox):
    applicant = ApplicantFactory(ktp_photo_done=True)
    log_in(page, applicant.email)
    page.get_by_role("link", name="Verifikasi nomor HP").click()
    page.get_by_label("Nomor HP").fill("0812 3456 7890")
    page.get_by_role("button", name="Kirim").click()
    code = page.get_by_role("textbox", name="Kode OTP")
    expect(code).to_be_visible()
    sent = re.search(r"\b\d{6}\b", sms_outbox[-1]["body"])[0]
    wrong = "000000" if sent != "000000" else "111111"

    code.fill(wrong)
    page.get_by_role("button", name="Verifikasi").click()
    error_summary_leads_to(page, "id_code", "Kode salah. Sisa 4 kali percobaan untuk kode ini.")
    expect(page.get_by_text(re.compile(r"Kode dikirim ke \+62812•+7890"))).to_be_visible()  # the number is kept
    expect(page.get_by_role("textbox", name="Kode OTP")).to_have_value(wrong)  # as typed, to correct it
    assert_accessible(page)

    page.get_by_role("textbox", name="Kode OTP").fill(sent)
    page.get_by_role("button", name="Verifikasi").click()
    page.wait_for_url("**/dashboard/")
    expect(page.get_by_test_id("step-counter")).to_have_text("Langkah 6 dari 8")


def test_an_unanswered_test_warns_once_and_lists_what_is_left_before_it_ends(page, question_bank):
    applicant = ApplicantFactory(declared=True)
    log_in(page, applicant.email)
    page.get_by_role("link", name="Mulai Tes Sekarang").click()
    page.get_by_role("button", name="Mulai Tes Sekarang").click()
    expect(page.get_by_test_id("question-counter")).to_have_text("Soal 1 dari 18")

    page.get_by_role("button", name="Berikutnya").click()  # no answer chosen: warned, still on question 1
    expect(page.get_by_text("Anda belum memilih jawaban untuk soal ini")).to_be_visible()
    expect(page.get_by_test_id("question-counter")).to_have_text("Soal 1 dari 18")
    assert_accessible(page)
    page.get_by_role("button", name="Berikutnya").click()  # a second tap means it: on, unanswered
    expect(page.get_by_test_id("question-counter")).to_have_text("Soal 2 dari 18")
    expect(page.get_by_text("Anda belum memilih jawaban untuk soal ini")).to_be_hidden()

    key = answer_key(Attempt.objects.get(user=applicant))
    page.get_by_role("button", name="Soal 18, belum dijawab").click()
    page.locator(f"input[name=choice][value='{key[18]}']").check()
    page.get_by_role("button", name="Selesai").click()
    expect(page.get_by_role("heading", name="Periksa jawaban")).to_be_visible()
    left = page.locator("[data-unanswered]")
    expect(left.get_by_role("heading", name="17 soal belum dijawab")).to_be_visible()
    expect(left.get_by_role("link")).to_have_count(17)
    assert_accessible(page)
    assert Attempt.objects.get(user=applicant).submitted_at is None  # nothing ends before the confirmation

    left.get_by_role("link", name="Soal 1", exact=True).click()  # back to answer one
    expect(page.get_by_test_id("question-counter")).to_have_text("Soal 1 dari 18")
    page.locator(f"input[name=choice][value='{key[1]}']").check()
    page.get_by_role("button", name="Soal 18, sudah dijawab").click()
    page.get_by_role("button", name="Selesai").click()
    expect(page.locator("[data-unanswered]").get_by_role("heading", name="16 soal belum dijawab")).to_be_visible()
    page.get_by_role("button", name="Ya, selesaikan tes").click()
    page.wait_for_url("**/dashboard/tes/hasil/")
    assert_accessible(page)
    assert Attempt.objects.get(user=applicant).submitted_at is not None
