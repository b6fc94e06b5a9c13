"""The Content-Security-Policy in a real browser: the pages people use work under it, with nothing refused.

Every browser test fails on a violation (tests/browser/conftest.py); these visit what the journey tests do not:
the language switcher's script, the test page's progress, and the admin pages with photos and letters.
"""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from tests.browser.actions import assert_accessible, log_in
from tests.factories import ApplicantFactory, ComplaintFactory
from tests.helpers import login_verified
from verification.models import KtpPhoto

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_language_switcher_works_under_the_policy(page, live_server):
    applicant = ApplicantFactory(test_passed=True)

    log_in(page, applicant.email)
    page.get_by_label("Bahasa").select_option("en")  # submitted by static/js/portal.js, no inline handler

    expect(page.locator("html")).to_have_attribute("lang", "en")


def signed_in_as(page, live_server, user) -> None:
    """Open the browser's session as ``user`` (the login page is not what these tests are about)."""
    client = Client()
    login_verified(client, user)  # past the staff second factor
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_admin_pages_with_photos_and_letters_load_with_nothing_refused(page, live_server, private_media):
    applicant = ApplicantFactory(test_passed=True, ktp_photo__stored=True)
    photo = KtpPhoto.objects.get(user=applicant)
    complaint = ComplaintFactory(user=applicant, letter_kind="jpeg")
    superuser = get_user_model().objects.create_superuser(email="super@contoh.id", password="Rahasia-Kuat-2026")
    signed_in_as(page, live_server, superuser)

    for url in [
        "/admin/",
        "/admin/verification/ktpphoto/",
        f"/admin/verification/ktpphoto/{photo.pk}/change/",
        "/admin/waves/complaint/",
        f"/admin/waves/complaint/{complaint.pk}/change/",
        "/admin/waves/wave/add/",
    ]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert_accessible(page)

    # The letter's picture really showed (a sandboxed attachment still loads as an <img>).
    assert page.goto(f"/admin/waves/complaint/{complaint.pk}/change/").ok
    letter = page.locator("img.portal-letter")
    expect(letter).to_be_visible()
    expect(letter).not_to_have_js_property("naturalWidth", 0)  # decoded: a picture, not a broken image


def test_an_idle_session_warns_two_minutes_before_it_ends_and_typing_keeps_it_alive(page, live_server):
    # The page's clock is Playwright's: minutes pass at once, and the server's session is still young.
    page.clock.install()
    applicant = ApplicantFactory(test_passed=True)
    log_in(page, applicant.email)
    warning = page.locator("#session-warning")

    page.clock.fast_forward("27:00")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("01:30")  # 28.5 minutes without a click or a key
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Sesi Anda akan berakhir dalam 2 menit")

    with page.expect_response("**/sesi/perpanjang/") as keepalive:
        warning.get_by_role("button", name="Tetap masuk").click()
    assert keepalive.value.status == 204
    expect(warning).to_be_hidden()

    # Someone who has pressed a key since the last request is kept signed in without being asked.
    page.keyboard.press("Tab")
    with page.expect_response("**/sesi/perpanjang/"):
        page.clock.fast_forward("28:30")
    expect(warning).to_be_hidden()
