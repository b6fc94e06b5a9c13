"""The operator console in a browser: an operator signs in with the second factor, and the console fits a phone and
a 1366-pixel laptop screen without scrolling sideways, with no Content-Security-Policy violation (the charts are
SVG drawn on the server, the live refresh a meta tag)."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.roles import Role
from console.services import funnels_refresh
from tests.browser.actions import csp_watch
from tests.factories import PASSWORD, ApplicantFactory, SelectionRunFactory, WaveFactory, enrolled_many, staff_user
from tests.helpers import totp_now

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 768}])
def test_an_operator_reads_the_console_on_a_phone_and_a_laptop(browser, live_server, viewport):
    closed = WaveFactory(closed=True)
    enrolled_many(closed, 6, provinces=("32", "31"))
    SelectionRunFactory(wave=closed)
    wave = WaveFactory(number=2)
    ApplicantFactory.create_batch(2, phone_verified=True)
    funnels_refresh()
    operator = staff_user(Role.OPERATOR)
    device = TOTPDevice.objects.create(user=operator, name="Autentikator", confirmed=True)

    context = browser.new_context(base_url=live_server.url, viewport=viewport, is_mobile=viewport["width"] < 500)
    context.set_default_timeout(10_000)
    page = context.new_page()
    violations = csp_watch(page)
    page.goto("/operator/")  # the login, then the second factor, then the console
    page.locator("#id_username").fill(operator.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit], button[type=submit]").first.click()
    page.get_by_label("Kode autentikator").fill(totp_now(device))
    page.get_by_role("button", name="Lanjutkan").click()
    page.wait_for_url("**/operator/")

    expect(page.get_by_role("heading", name="Konsol operator")).to_be_visible()
    expect(page.get_by_role("figure", name=wave.label)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name=closed.label).first.click()
    expect(page.get_by_role("heading", name=closed.label, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Unduh hasil seleksi (CSV)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
    assert not violations, violations
