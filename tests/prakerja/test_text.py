"""prakerja.text.text_clean: what a person typed, without what nobody sees, the same whatever it is fed."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dukcapil.matching import name_key
from prakerja.text import text_clean

REMOVED = {"Cc", "Cf", "Cs", "Co", "Cn"}

# Text as hostile input brings it: any character, with the invisible and confusing ones made frequent.
INVISIBLE = "\x00\x07\x1b\x7f\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u2060"
WHITESPACE = "\t\n\r\x0b\x0c\x1c\x85\u00a0\u1680\u2000\u2009\u2028\u2029\u202f\u3000 "
COMBINING = "\u0300\u0301\u0302\u0303\u0308\u0327\u093c"
hostile_text = st.text(
    alphabet=st.one_of(
        st.characters(codec=None),
        st.sampled_from(INVISIBLE),
        st.sampled_from(WHITESPACE),
        st.sampled_from(COMBINING),
        st.sampled_from("aeiouAEIOU\u0958Ω'.,-"),
    ),
    max_size=60,
)


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("Siti Aminah", "Siti Aminah"),
        ("  Siti \t Aminah \n", "Siti Aminah"),
        ("Siti\u200bAminah", "SitiAminah"),  # a zero-width space shows as nothing, so it is nothing
        ("\u202eSiti Aminah\u202c", "Siti Aminah"),  # right-to-left override
        ("\u2067Siti\u2069 Aminah", "Siti Aminah"),  # right-to-left isolate
        ("\ufeffSiti Aminah", "Siti Aminah"),  # byte-order mark pasted from a file
        ("Nur\u00adaini", "Nuraini"),  # soft hyphen
        ("Siti\x00Aminah\x07\x1b[31m", "SitiAminah[31m"),
        ("Siti\u00a0Aminah\u3000Putri", "Siti Aminah Putri"),  # no-break and ideographic spaces
        ("Jl. Merdeka 1\r\nRT 001/RW 002", "Jl. Merdeka 1 RT 001/RW 002"),
        ("Jose\u0301", "José"),  # NFC: one character for é
        ("e\u200b\u0301", "é"),  # NFC after removal: the accent meets its letter
        ("\u200b \u200d", ""),
    ],
)
def test_text_is_cleaned_of_what_nobody_sees(typed, clean):
    assert text_clean(typed) == clean


@hypothesis_settings(max_examples=500, deadline=None)
@given(hostile_text)
def test_cleaning_twice_is_cleaning_once(value):
    assert text_clean(text_clean(value)) == text_clean(value)


@hypothesis_settings(max_examples=500, deadline=None)
@given(hostile_text)
def test_clean_text_has_no_control_or_format_character_and_only_single_inner_spaces(value):
    clean = text_clean(value)

    assert not {unicodedata.category(ch) for ch in clean} & REMOVED
    assert all(ch == " " or not ch.isspace() for ch in clean)
    assert "  " not in clean
    assert clean == clean.strip()


@hypothesis_settings(max_examples=500, deadline=None)
@given(hostile_text)
def test_clean_text_is_nfc_and_never_longer_than_the_input_in_nfc(value):
    clean = text_clean(value)

    assert unicodedata.is_normalized("NFC", clean)
    assert len(clean) <= len(unicodedata.normalize("NFC", value))


@hypothesis_settings(max_examples=500, deadline=None)
@given(hostile_text)
def test_cleaning_never_changes_what_the_registry_compares(value):
    # The portal cleans names before asking the registry; the registry's comparison key must be the same
    # for the cleaned name as for the name as typed, or cleaning would turn a match into a mismatch.
    assert name_key(text_clean(value)) == name_key(value)


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(categories=["L", "M", "N", "P", "S"]), max_size=40))
def test_visible_text_in_nfc_keeps_every_character(value):
    visible = unicodedata.normalize("NFC", value)

    assert text_clean(visible) == visible
