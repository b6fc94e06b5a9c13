from django import template
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

from prakerja import formats
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


@register.simple_tag
def counted(singular: str, plural: str, count: int) -> str:
    """Django's own plural message with its ``%(counter)s`` grouped by thousands: ``{% counted "%(counter)s
    result" "%(counter)s results" n %}`` reads "164.000 hasil" where ``{% blocktranslate count %}`` would
    print 164000 (it writes the number it chooses the plural by)."""
    return ngettext(singular, plural, count) % {"counter": formats.thousands(count)}


@register.filter
def thousands(value: int | None) -> str:
    """164000 -> "164.000" in Indonesian ("164,000" in English): staff pages' numbers (prakerja/formats.py)."""
    return formats.thousands(value)
