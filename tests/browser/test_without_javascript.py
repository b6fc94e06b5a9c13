"""The portal without JavaScript (a phone browser with scripts off, a proxy browser, a script that failed to
load): every step from sign-up through the test to a joined wave still works, the menu still opens, and the
region buttons bring the page back where the person was."""

import pytest

from tests.browser.conftest import PHONE, browser_page
from tests.browser.walk import walk_to_a_wave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server, settings):
    settings.SITE_URL = live_server.url
    settings.DEMO_INBOX_ENABLED = True
    with browser_page(browser, live_server.url, PHONE, java_script_enabled=False) as page:
        yield page


def test_sign_up_to_a_joined_wave_without_javascript(page, private_media, tmp_path):
    walk_to_a_wave(page, javascript=False, tmp_path=tmp_path)
