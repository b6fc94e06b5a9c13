"""Playwright driving Debian's Chromium against the live test server (never a downloaded browser)."""

import os
import shutil
from contextlib import contextmanager

import pytest

from tests.browser.actions import csp_watch
from tests.helpers import require_service

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}  # the most common laptop screen

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


@contextmanager
def browser_page(browser, base_url: str, viewport: dict, **options):
    """A page in a browser context of its own (its own cookies: another person, or another device), set to
    English: the portal must still answer in Indonesian. Fails on any Content-Security-Policy violation.
    ``options`` go to Playwright's ``new_context`` (``java_script_enabled=False``)."""
    context = browser.new_context(
        base_url=base_url, viewport=viewport, locale="en-US", is_mobile=viewport["width"] < 500, **options
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    violations = csp_watch(page)
    yield page
    context.close()
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def viewport() -> dict:
    """The screen the ``page`` fixture has: a phone, unless a test parametrizes ``viewport`` (PHONE, DESKTOP)."""
    return PHONE


@pytest.fixture
def page(browser, live_server, settings, viewport):
    settings.SITE_URL = live_server.url  # links in emails point at the server the browser talks to
    with browser_page(browser, live_server.url, viewport) as page:
        yield page


@pytest.fixture
def staff_page(browser, live_server, viewport):
    """A second browser, for a reviewer or an operator working while the applicant's ``page`` stays signed in."""
    with browser_page(browser, live_server.url, viewport) as page:
        yield page
