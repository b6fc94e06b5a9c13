"""The walk from the home page to a joined wave on a phone-sized screen (390×844), with JavaScript: every page is
checked with axe-core, and with PRAKERJA_SCREENSHOTS=1 each step is photographed into docs/screenshots/ for the
README's tour. The pictures are committed and rewritten only on request, so a test run never changes the
repository:

    PRAKERJA_SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser/test_phone_walk.py
"""

import pytest

from tests.browser.walk import SCREENSHOTS, Camera, walk_to_a_wave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_to_a_joined_wave_on_a_phone_with_every_page_accessible(page, settings, private_media, tmp_path):
    settings.DEMO_INBOX_ENABLED = True
    camera = Camera()
    if camera.enabled:
        for old in SCREENSHOTS.glob("*.png"):
            old.unlink()

    walk_to_a_wave(page, javascript=True, camera=camera, tmp_path=tmp_path)

    assert not camera.enabled or len(camera.taken) == 20
