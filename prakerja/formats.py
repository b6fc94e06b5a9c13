"""Numbers as staff read them: grouped in the active language's way ("164.000" in Indonesian, "164,000" in
English), whatever USE_THOUSAND_SEPARATOR says (it stays off, so years and ids in templates are never grouped).

The separators are Django's own for the language (``get_format``), so the figures read as ``intcomma`` and
``floatformat`` write them; formatting here is a string replace, because the operator console prints a few
thousand numbers per page and Django's general number formatting costs a large share of its time. One place for
the admin (``|thousands``, prakerja/templatetags/portal.py) and the console (console/templatetags)."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import get_format

TENTH = Decimal("0.1")


def thousands(value: int | None, *, empty: str = "—") -> str:
    """``value`` grouped by thousands; ``empty`` for None."""
    if value is None or value == "":
        return empty
    return f"{int(value):,}".replace(",", get_format("THOUSAND_SEPARATOR"))


def share(value: float | None, *, empty: str = "") -> str:
    """A share to one decimal with the language's decimal separator (no sign: the template writes it), rounded
    half up from the decimal it prints as (3.05 → 3.1), as ``floatformat`` rounds."""
    if value is None or value == "":
        return empty
    rounded = Decimal(repr(float(value))).quantize(TENTH, rounding=ROUND_HALF_UP)
    return f"{rounded:.1f}".replace(".", get_format("DECIMAL_SEPARATOR"))
