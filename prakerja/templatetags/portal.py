from django import template
from django.utils.safestring import SafeString

from prakerja.markup import legal_text_html

register = template.Library()


@register.filter
def rupiah(amount: int) -> str:
    """1000000 -> "1.000.000": Indonesian thousands separators, whatever the page's language."""
    return f"{int(amount):,}".replace(",", ".")


@register.filter
def legal_text(body: str) -> SafeString:
    """A public legal text's body as HTML (prakerja/markup.py): headings, paragraphs, lists and links."""
    return legal_text_html(body)


@register.filter
def thousands(value: int | None) -> str:
    """164000 -> "164.000" in Indonesian ("164,000" in English): staff pages' numbers (prakerja/formats.py)."""
    from prakerja.formats import thousands as grouped

    return grouped(value)
