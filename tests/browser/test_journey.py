"""The whole journey in a real browser, once on a phone-sized screen (390×844) and once on a laptop (1366×768),
with JavaScript: from the home page to a joined wave, then an operator closes the wave and runs the selection
in the console, and at the announcement the applicant reads the result. Every page is checked with axe-core.

With PRAKERJA_SCREENSHOTS=1 the phone's walk photographs each step into docs/screenshots/ for the README's
tour. The pictures are committed and rewritten only on request, so a test run never changes the repository:

    PRAKERJA_SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser/test_journey.py -k phone
"""

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.walk import SCREENSHOTS, Camera, walk_to_a_wave, walk_to_the_result

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_sign_up_to_the_selection_result_with_every_page_accessible(
    page, staff_page, viewport, settings, private_media, tmp_path
):
    settings.DEMO_INBOX_ENABLED = True
    camera = Camera() if viewport is PHONE else None
    if camera and camera.enabled:
        for old in SCREENSHOTS.glob("*.png"):
            old.unlink()

    wave = walk_to_a_wave(page, javascript=True, camera=camera, tmp_path=tmp_path)
    walk_to_the_result(page, staff_page, wave=wave, camera=camera)

    assert not (camera and camera.enabled) or len(camera.taken) == 22
