"""How the registry decides that a typed name is the name on the record.

People type names as they say them, not as the KTP prints them: "Siti  Nur'aini," for SITI NURAINI,
"M. Yusuf" for M YUSUF, "Nur Aini" for NURAINI, with a phone keyboard's curly apostrophe or a full-width
letter. Only the letters and digits are compared, case-folded, after NFKC (full-width and compatibility
forms) and with accents dropped (a typed "é" is the KTP's "E"). A name that differs in any letter does not
match: the registry is tolerant of form, not of spelling. Characters nobody sees (zero-width, right-to-left
marks, control characters) are no part of a name: the key starts from prakerja.text.text_clean, the same
cleaning the portal applies before it asks.
"""

import unicodedata

from prakerja.text import text_clean

# Apostrophes that Unicode counts as letters (modifier letters, Lm), so isalnum() alone would keep them:
# "Nurʼaini" typed with U+02BC must still be "NURAINI".
_LETTER_APOSTROPHES = str.maketrans("", "", "\u02b9\u02bb\u02bc\u02bd\u02be\u02bf\u02c8")


def name_key(name: str) -> str:
    """The letters and digits of a name, case-folded, without accents: the part the comparison sees."""
    folded = unicodedata.normalize("NFKC", text_clean(name)).casefold().translate(_LETTER_APOSTROPHES)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if ch.isalnum())


def names_match(typed: str, recorded: str) -> bool:
    typed_key = name_key(typed)
    # A name of punctuation only is no name: it must not match a record whose key is empty either.
    return bool(typed_key) and typed_key == name_key(recorded)
