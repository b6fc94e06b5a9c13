"""The small markup of the public legal texts (accounts.models.PublicText), turned into HTML.

Staff write those texts in a plain textarea in the admin, so the markup is the least that a long text read on a
phone needs, and nothing a typo can turn into markup of its own: every character is escaped except

- a line starting with "## ": a section heading;
- a line starting with "- ": an item of a list (consecutive items make one list);
- ``[words](target)``: a link, where target is a path on the portal ("/dashboard/data-saya/"), an https
  address or a mailto: address; anything else stays text as written;
- any other non-empty line: a paragraph.
"""

import re

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# A target is a path on the portal (not "//host", which leaves it), an https address or a mailto: address, in
# characters that need no escaping in an attribute.
_URL_CHARACTERS = r"[A-Za-z0-9._~/?#=&%+:@-]"
LINK = re.compile(
    rf"\[(?P<words>[^\[\]\n]+)\]"
    rf"\((?P<target>/(?!/){_URL_CHARACTERS}*|https://{_URL_CHARACTERS}+|mailto:[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+)\)"
)


def _inline(text: str) -> str:
    """``text`` escaped, with its links made."""
    parts, position = [], 0
    for match in LINK.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(format_html('<a href="{}">{}</a>', match["target"], match["words"]))
        position = match.end()
    parts.append(escape(text[position:]))
    return "".join(parts)


def legal_text_html(body: str) -> SafeString:
    html: list[str] = []
    items: list[str] = []

    def close_list() -> None:
        if items:
            html.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
            items.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith("- "):
            items.append(_inline(line[2:].strip()))
            continue
        close_list()
        if line.startswith("## "):
            html.append(f'<h2 class="h5 mt-4">{_inline(line[3:].strip())}</h2>')
        elif line:
            html.append(f"<p>{_inline(line)}</p>")
    close_list()
    # Every piece above is escaped text or format_html output.
    return mark_safe("\n".join(html))  # noqa: S308
