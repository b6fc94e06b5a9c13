"""Sign-up with the keyboard alone (Tab, Enter, Space and typing), as a person who cannot use a pointer does:
every control is reached in a sensible order, shows where the focus is, and works from the keyboard."""

import pytest
from playwright.sync_api import expect

from tests.browser.actions import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const element = document.activeElement;
  const label = element.labels && element.labels.length ? element.labels[0].innerText : "";
  const style = getComputedStyle(element);
  return {
    name: (label || element.getAttribute("aria-label") || element.innerText
           || (["submit", "button"].includes(element.type) ? element.value : "") || "").trim(),
    visible: style.outlineStyle !== "none" || style.boxShadow !== "none",
  };
}"""


def tab_to(page, name: str) -> None:
    """Press Tab until the focus is on the control named ``name``; it must show that it has the focus."""
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["name"].startswith(name):
            assert focused["visible"], f"{name!r} has the focus but does not show it"
            return
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
