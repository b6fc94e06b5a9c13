"""What a person does in the browser again and again, and what every page is checked for."""

from pathlib import Path

from tests.factories import PASSWORD

# axe-core (Deque, MPL-2.0), the accessibility engine of browsers' own audits, from the npm package axe-core
# (docs/DEPENDENCIES.md). Kept with the tests, never served by the portal.
AXE = Path(__file__).parent / "vendor/axe-core/axe.min.js"
AXE_IMPACTS = ("serious", "critical")


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """Log in through /masuk/ (with the factories' password unless told) and land on the dashboard."""
    page.goto("/masuk/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/dashboard/")


def staff_log_in(page, user, path: str) -> None:
    """Open ``path`` as ``user``, a staff account: the portal's login, then the code of an authenticator made
    for the test (the staff's second factor), each page checked with axe; lands on ``path``."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.helpers import totp_now

    device = TOTPDevice.objects.create(user=user, name="Autentikator", confirmed=True)
    page.goto(path)
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit], button[type=submit]").first.click()
    page.get_by_label("Kode autentikator").fill(totp_now(device))
    assert_accessible(page)
    page.get_by_role("button", name="Lanjutkan").click()
    page.wait_for_url(f"**{path}")


def error_summary_leads_to(page, field_id: str, message: str) -> None:
    """The shared error summary (templates/_error_summary.html): "Ada masalah", the message as a link to the
    field at fault, and the field marked invalid."""
    from playwright.sync_api import expect

    summary = page.locator("[data-error-summary]")
    expect(summary.get_by_role("heading", name="Ada masalah")).to_be_visible()
    expect(summary.get_by_role("link", name=message)).to_have_attribute("href", f"#{field_id}")
    expect(page.locator(f"#{field_id}")).to_have_attribute("aria-invalid", "true")


def csp_watch(page) -> list[str]:
    """The Content-Security-Policy violations ``page`` meets, as Chromium reports them on its console (an
    inline script or style, a foreign source): every browser test fails on one."""
    violations: list[str] = []
    page.csp_violations = violations  # read by assert_accessible
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


def assert_accessible(page) -> None:
    """Fail on any serious or critical axe-core finding (WCAG 2.x A and AA rules and axe's best practices) on
    the page as it is now. axe is evaluated through the browser's debugging protocol, which the portal's
    Content-Security-Policy does not govern, so the page keeps its real policy."""
    csp = getattr(page, "csp_violations", [])
    before = len(csp)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        """() => axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary).slice(0, 3)})))"""
    )
    # While axe ran, Chromium reported inline styles refused on Django's admin pages that report none without
    # axe: its probes, the test's doing, not the page's. (The page has loaded by now, so nothing else is pending.)
    del csp[before:]
    serious = [violation for violation in results if violation["impact"] in AXE_IMPACTS]
    assert not serious, f"accessibility violations on {page.url}: {serious}"
