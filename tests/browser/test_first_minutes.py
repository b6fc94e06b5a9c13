"""A newcomer's first minutes in a real browser on a phone-sized screen."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.actions import assert_accessible
from tests.helpers import last_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_read_the_email_in_the_demo_inbox_verify_log_in_and_see_the_next_step(page, settings):
    settings.DEMO_INBOX_ENABLED = True
    email, password = "wulan@contoh.id", "Kartu-Prakerja-2026"

    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Buat akun").first.click()
    assert_accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi", exact=True).fill(password)
    page.get_by_label("Ulangi kata sandi").fill(password)
    page.get_by_role("button", name="Daftar").click()
    # The terms were not ticked: a clear message, in the error summary (which takes the focus, its link leading to
    # the checkbox) and at the field, and the email is still there.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(
        summary.get_by_role("link", name="Centang persetujuan Syarat dan Ketentuan untuk melanjutkan.")
    ).to_have_attribute("href", "#id_terms")
    expect(page.locator("#div_id_terms").get_by_text("Centang persetujuan Syarat dan Ketentuan")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(email)
    assert_accessible(page)  # with the error shown
    page.get_by_label("Kata sandi", exact=True).fill(password)
    page.get_by_label("Ulangi kata sandi").fill(password)
    page.get_by_label("Saya menyetujui Syarat dan Ketentuan dan Kebijakan Privasi").check()
    page.get_by_role("button", name="Daftar").click()
    expect(page.get_by_role("heading", name="Cek email Anda")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Buka kotak masuk demo").click()
    assert last_message(recipient=email).status == "sent"
    assert_accessible(page)
    page.locator("a[href*='/verifikasi-email/']").first.click()
    expect(page.get_by_text(re.compile(r"Email .* berhasil diverifikasi"))).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()

    page.wait_for_url("**/dashboard/")
    expect(page.get_by_test_id("step-counter")).to_have_text("Langkah 2 dari 8", ignore_case=True)
    expect(page.locator('[data-step="ktp"]')).to_have_attribute("data-state", "current")
    assert_accessible(page)


def test_the_language_switcher_turns_the_portal_english_and_back(page):
    page.goto("/daftar/")
    page.get_by_label("Bahasa").select_option("en")
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    assert_accessible(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_label("Language").select_option("id")
    expect(page.get_by_role("heading", name="Buat akun")).to_be_visible()
