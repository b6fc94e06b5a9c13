"""Playwright driving Debian's Chromium against the live test server (never a downloaded browser)."""

import os
import shutil

import pytest

from tests.browser.actions import csp_watch
from tests.helpers import require_service

CHROMIUM = "/usr/bin/chromium"

# Playwright's sync API keeps an event loop running in the test's thread; Django refuses database calls
# from such a thread unless told that this is the test process's own loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        require_service("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.SITE_URL = live_server.url  # links in emails point at the server the browser talks to
    # A phone-sized screen, with the browser set to English: the portal must still answer in Indonesian.
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    violations = csp_watch(page)
    yield page
    context.close()
    assert not violations, f"Content-Security-Policy violations: {violations}"
