"""The operator console in a browser: an operator signs in with the second factor, and the console fits a phone and
a 1366-pixel laptop screen without scrolling sideways, with no Content-Security-Policy violation (the charts are
SVG drawn on the server, the live refresh a meta tag)."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from console.services import funnels_refresh
from tests.browser.actions import assert_accessible, staff_log_in
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import ApplicantFactory, SelectionRunFactory, WaveFactory, enrolled_many, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_an_operator_reads_the_console_on_a_phone_and_a_laptop(staff_page, viewport):
    page = staff_page
    closed = WaveFactory(closed=True)
    enrolled_many(closed, 6, provinces=("32", "31"))
    SelectionRunFactory(wave=closed)
    wave = WaveFactory(number=2)
    ApplicantFactory.create_batch(2, phone_verified=True)
    funnels_refresh()
    operator = staff_user(Role.OPERATOR)

    staff_log_in(page, operator, "/operator/")  # the login, then the second factor, then the console
    expect(page.get_by_role("heading", name="Konsol operator")).to_be_visible()
    expect(page.get_by_role("figure", name=wave.label)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    page.get_by_role("link", name=closed.label).first.click()
    expect(page.get_by_role("heading", name=closed.label, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Unduh hasil seleksi (CSV)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
