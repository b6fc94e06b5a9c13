"""Sign-up and the test with the keyboard alone (Tab, Enter, Space, the arrow keys and typing), as a person who
cannot use a pointer does: every control is reached in a sensible order, shows where the focus is, and works
from the keyboard."""

import pytest
from playwright.sync_api import expect

from assessment.models import Attempt
from tests.browser.actions import assert_accessible, log_in
from tests.factories import ApplicantFactory
from tests.helpers import answer_key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const element = document.activeElement;
  const label = element.labels && element.labels.length ? element.labels[0].innerText : "";
  const style = getComputedStyle(element);
  return {
    tag: element.tagName, type: element.type || "", field: element.name || "", value: element.value || "",
    name: (label || element.getAttribute("aria-label") || element.innerText
           || (["submit", "button"].includes(element.type) ? element.value : "") || "").trim(),
    visible: style.outlineStyle !== "none" || style.boxShadow !== "none",
  };
}"""


def tab_to(page, name: str, *, field: str | None = None) -> dict:
    """Press Tab until the focus is on the control named ``name`` (or, given ``field``, on an input of that
    name); it must show that it has the focus. Returns what has the focus."""
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["field"] == field if field else focused["name"].startswith(name):
            assert focused["visible"], f"{name!r} has the focus but does not show it"
            return focused
    raise AssertionError(f"Tab never reached {name!r}")


def test_sign_up_with_the_keyboard_alone(page):
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Langsung ke isi")).to_be_focused()  # the first stop skips the header

    tab_to(page, "Buat akun")
    page.keyboard.press("Enter")
    page.wait_for_url("**/daftar/")

    # The menu opens and closes from the keyboard (a <details>).
    tab_to(page, "Menu")
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Daftar")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Daftar")).to_be_hidden()

    tab_to(page, "Email")
    page.keyboard.type("wulan@contoh.id")
    tab_to(page, "Kata sandi")
    page.keyboard.type("Kartu-Prakerja-2026")
    tab_to(page, "Ulangi kata sandi")
    page.keyboard.type("Kartu-Prakerja-2026")
    tab_to(page, "Saya menyetujui Syarat dan Ketentuan")
    page.keyboard.press("Space")
    expect(page.get_by_label("Saya menyetujui Syarat dan Ketentuan dan Kebijakan Privasi")).to_be_checked()
    tab_to(page, "Daftar")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Cek email Anda")).to_be_visible()
    assert_accessible(page)


def test_the_test_with_the_keyboard_alone(page, question_bank):
    """Step 7 from the dashboard to the result: each question's options are one stop for Tab, chosen with
    Space and the arrow keys, and Enter moves on (the main button comes first in the form); then the check
    page and its confirmation."""
    applicant = ApplicantFactory(declared=True)
    log_in(page, applicant.email)

    tab_to(page, "Mulai Tes Sekarang")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/tes/")
    tab_to(page, "Mulai Tes Sekarang")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("question-counter")).to_have_text("Soal 1 dari 18")
    assert_accessible(page)

    key = answer_key(Attempt.objects.get(user=applicant))
    for position in range(1, 19):
        counter = f"Soal {position} dari 18"
        expect(page.get_by_test_id("question-counter")).to_have_text(counter)
        assert tab_to(page, "an option", field="choice")["value"] == "1", counter  # the group's first option
        page.keyboard.press("Space")
        for _ in range(key[position] - 1):
            page.keyboard.press("ArrowDown")  # moves the choice to the next option
        expect(page.locator(f"input[name=choice][value='{key[position]}']")).to_be_checked()
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Periksa jawaban")).to_be_visible()
    expect(page.get_by_text("Semua soal sudah dijawab.")).to_be_visible()
    assert_accessible(page)
    tab_to(page, "Ya, selesaikan tes")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/tes/hasil/")
    assert_accessible(page)
    attempt = Attempt.objects.get(user=applicant)
    assert (attempt.score, attempt.passed) == (100, True)
