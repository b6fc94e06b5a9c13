"""Names typed loosely match the KTP's; names spelt differently do not."""

import pytest

from dukcapil.matching import name_key, names_match

KTP_NAME = "SITI NURAINI"


@pytest.mark.parametrize(
    "typed",
    [
        "SITI NURAINI",
        "siti nuraini",
        "Siti  Nur'aini,",
        "  Siti Nuraini  ",
        "Siti\tNuraini",
        "Siti Nur’aini",  # a phone keyboard's right single quotation mark
        "Siti Nur‘aini",
        "Siti Nurʼaini",  # modifier letter apostrophe
        "Siti Nur`aini",
        "Siti Nur´aini",
        "Siti Nur Aini",  # spacing inside the name
        "SITI-NURAINI",
        "Siti Nuraini.",
        "ＳＩＴＩ　ＮＵＲＡＩＮＩ",  # full-width letters and space (NFKC)
        "Sítì Nuràini",  # accents typed on a phone
    ],
)
def test_a_name_typed_with_other_case_spacing_punctuation_or_width_matches(typed):
    assert names_match(typed, KTP_NAME)


@pytest.mark.parametrize(
    "typed",
    [
        "SITI NURAENI",  # a different spelling is a different name
        "SITI",
        "NURAINI SITI",
        "SITI NURAINI A",
        "",
        "   ",
        "'.,",
    ],
)
def test_a_name_spelt_differently_or_empty_does_not_match(typed):
    assert not names_match(typed, KTP_NAME)


def test_an_abbreviation_with_a_dot_matches_the_same_letters():
    assert names_match("M. Yusuf", "M YUSUF")
    assert names_match("Moh. Rizky", "MOH RIZKY")
    assert not names_match("Muhammad Yusuf", "M. YUSUF")


def test_punctuation_alone_never_matches_even_an_empty_record():
    assert name_key("'.,") == ""
    assert not names_match("'.,", "")
