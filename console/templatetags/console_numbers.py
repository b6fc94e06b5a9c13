"""Numbers as the active language writes them (164.000 and 25,8 in Indonesian; 164,000 and 25.8 in English): the
separators are Django's own for the language (``get_format``), so they read as ``intcomma`` and ``floatformat``
write them. The console prints a few thousand numbers per page; these filters cost a fraction of those two,
which go through Django's general number formatting for each one."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import get_format

register = template.Library()
TENTH = Decimal("0.1")


@register.filter
def number(value) -> str:
    """An integer with the language's thousands separator."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}".replace(",", get_format("THOUSAND_SEPARATOR"))


@register.filter
def percent(value) -> str:
    """A share to one decimal, with the language's decimal separator (no sign: the template writes it)."""
    if value is None or value == "":
        return ""
    # Half up from the decimal it prints as (3.05 → 3.1), as floatformat rounds.
    rounded = Decimal(repr(float(value))).quantize(TENTH, rounding=ROUND_HALF_UP)
    return f"{rounded:.1f}".replace(".", get_format("DECIMAL_SEPARATOR"))
