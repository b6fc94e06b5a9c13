"""What a person does in the browser again and again."""

from tests.factories import PASSWORD


def log_in(page, email: str) -> None:
    """Log in through /masuk/ with the factories' password and land on the dashboard."""
    page.goto("/masuk/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/dashboard/")


def csp_watch(page) -> list[str]:
    """The Content-Security-Policy violations ``page`` meets, as Chromium reports them on its console (an
    inline script or style, a foreign source): every browser test fails on one."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations
