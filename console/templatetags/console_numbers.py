"""The console's numbers (prakerja/formats.py): 164.000 and 25,8 in Indonesian, 164,000 and 25.8 in English."""

from django import template

from prakerja.formats import share, thousands

register = template.Library()


@register.filter
def number(value) -> str:
    """An integer with the language's thousands separator; nothing for no value."""
    return thousands(value, empty="")


@register.filter
def percent(value) -> str:
    """A share to one decimal, with the language's decimal separator."""
    return share(value)
