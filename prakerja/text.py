"""What a person types about themselves (a name, an address), made plain before it is compared or stored.

Text copied from a chat app or a web page brings characters nobody sees: zero-width spaces and joiners,
byte-order marks, soft hyphens, right-to-left overrides that make "Siti" display as "itiS", terminal escapes.
Stored, they make two equal-looking names differ and a name display as something else. ``text_clean``
keeps what is visible:

1. every kind of whitespace (tab, new line, no-break space, ideographic space, line separator) becomes one
   space, so "Siti<TAB>Aminah" stays two words;
2. control (Cc), format (Cf), surrogate (Cs), private-use (Co) and unassigned (Cn) characters are removed;
3. the rest is put in Unicode NFC, so "é" typed as e + combining accent is stored as one character (done after
   the removal, which can bring a letter and its accent together);
4. runs of spaces become one, and none is left at either end.

Addresses are cleaned the same way, on one line: the KTP prints the address on one line and every place that
shows it (the statement letter, the admin) does too; the form's text area only gives room to type.
"""

import unicodedata

_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def _visible_char(ch: str) -> str:
    if ch.isspace():
        return " "
    if unicodedata.category(ch) in _REMOVED_CATEGORIES:
        return ""
    return ch


def text_clean(value: str) -> str:
    """``value`` in NFC, without invisible and control characters, its whitespace collapsed to single spaces."""
    visible = "".join(_visible_char(ch) for ch in value)
    return " ".join(unicodedata.normalize("NFC", visible).split())
