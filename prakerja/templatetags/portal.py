from django import template

register = template.Library()


@register.filter
def rupiah(amount: int) -> str:
    """1000000 -> "1.000.000": Indonesian thousands separators, whatever the page's language."""
    return f"{int(amount):,}".replace(",", ".")
