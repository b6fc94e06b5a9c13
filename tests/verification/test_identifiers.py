from datetime import date

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from verification.identifiers import (
    IdentifierError,
    IdentifierErrorCode,
    Sex,
    digits_only,
    identifier_mask,
    kk_validate,
    nik_parse,
    nik_validate,
)

pytestmark = pytest.mark.django_db

DEPOK = "327601"  # Pancoran Mas, Kota Depok, Jawa Barat


def nik(district=DEPOK, day=17, month=8, year=1995, female=False, serial="0001") -> str:
    return f"{district}{day + (40 if female else 0):02d}{month:02d}{year % 100:02d}{serial}"


def error_of(call) -> IdentifierErrorCode:
    with pytest.raises(IdentifierError) as raised:
        call()
    return raised.value.code


def test_a_mans_nik_gives_his_birth_date_and_sex():
    parts = nik_validate(nik(), birth_date=date(1995, 8, 17))

    assert (parts.day, parts.month, parts.year_2, parts.sex) == (17, 8, 95, Sex.MALE)


def test_a_womans_nik_has_forty_added_to_the_day():
    value = nik(day=17, female=True)
    assert value[6:8] == "57"

    parts = nik_validate(value, birth_date=date(1995, 8, 17))

    assert parts.sex == Sex.FEMALE
    assert parts.day == 17


def test_a_womans_nik_without_the_forty_does_not_match_her_birth_date_as_a_woman():
    assert nik_parse(nik(day=17)).sex == Sex.MALE


@pytest.mark.parametrize("day_digits", ["00", "32", "40", "72", "99"])
def test_day_digits_outside_both_ranges_are_not_a_date(day_digits):
    value = DEPOK + day_digits + "0895" + "0001"

    assert error_of(lambda: nik_parse(value)) == IdentifierErrorCode.NIK_DATE


@pytest.mark.parametrize(
    ("year_digits", "valid"),
    [("00", True), ("04", True), ("96", True), ("01", False), ("99", False), ("23", False)],
)
def test_29_february_only_in_leap_years(year_digits, valid):
    value = DEPOK + "29" + "02" + year_digits + "0001"

    if valid:
        assert nik_parse(value).day == 29
    else:
        assert error_of(lambda: nik_parse(value)) == IdentifierErrorCode.NIK_DATE


def test_29_february_of_1900_does_not_match_a_nik_that_means_2000():
    value = DEPOK + "290200" + "0001"

    nik_validate(value, birth_date=date(2000, 2, 29))
    assert nik_parse(value).matches(date(2000, 2, 29))


def test_a_womans_29_february_is_69():
    value = nik(day=29, month=2, year=2004, female=True)

    assert nik_validate(value, birth_date=date(2004, 2, 29)).sex == Sex.FEMALE


@pytest.mark.parametrize(
    "value", ["", "327601170895000", "32760117089500011", "32760117O8950001", "３２７６０１１７０８９５０００１"]
)
def test_anything_but_16_ascii_digits_is_a_format_error(value):
    assert error_of(lambda: nik_parse(value)) == IdentifierErrorCode.NIK_FORMAT


def test_serial_0000_is_refused():
    assert error_of(lambda: nik_parse(nik(serial="0000"))) == IdentifierErrorCode.NIK_SERIAL


def test_an_unknown_region_is_refused():
    assert error_of(lambda: nik_validate(nik(district="329901"))) == IdentifierErrorCode.NIK_REGION


def test_a_region_code_from_before_the_papua_split_is_accepted():
    assert nik_validate(nik(district="910101")).district_digits == "910101"


def test_a_birth_date_the_nik_does_not_encode_is_refused():
    assert error_of(lambda: nik_validate(nik(), birth_date=date(1995, 8, 18))) == IdentifierErrorCode.NIK_BIRTH_DATE


def test_kk_rules():
    kk_validate(DEPOK + "0102150003")
    assert error_of(lambda: kk_validate("123")) == IdentifierErrorCode.KK_FORMAT
    assert error_of(lambda: kk_validate("9999990102150003")) == IdentifierErrorCode.KK_REGION
    assert error_of(lambda: kk_validate(DEPOK + "0102150000")) == IdentifierErrorCode.KK_SERIAL


def test_people_may_type_spaces_dots_and_dashes():
    assert digits_only(" 3276 0117-0895.0001 ") == "3276011708950001"


def test_masking_keeps_region_and_serial_only():
    assert identifier_mask("3276011708950001") == "3276••••••••0001"


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(max_size=24))
def test_any_text_is_either_parsed_or_refused_with_a_code(value):
    try:
        parts = nik_parse(value)
    except IdentifierError as error:
        assert error.code in IdentifierErrorCode  # noqa: PT017 - either outcome is valid; a refusal must be the typed error
    else:
        assert len(value) == 16 and value.isdigit()
        assert parts.sex in Sex


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2025, 12, 31)), st.booleans(), st.integers(1, 9999))
def test_a_nik_built_from_any_birth_date_matches_it(birth_date, female, serial):
    value = nik(day=birth_date.day, month=birth_date.month, year=birth_date.year, female=female, serial=f"{serial:04d}")

    parts = nik_validate(value, birth_date=birth_date)

    assert parts.sex == (Sex.FEMALE if female else Sex.MALE)
    assert parts.matches(birth_date)


# --- Hostile text: whatever is typed, the only outcome besides a valid number is the form's own error -----

HOSTILE_CHARACTERS = st.one_of(
    st.characters(codec=None),
    st.sampled_from("0123456789 .-\t\x00\u200b\u202e\ufeff０１２３٣"),
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet=HOSTILE_CHARACTERS, max_size=30))
def test_a_typed_number_is_either_sixteen_ascii_digits_or_none_and_finding_it_twice_changes_nothing(typed):
    from verification.identifiers import full_number

    number = full_number(typed)

    assert number is None or (len(number) == 16 and number.isascii() and number.isdigit())
    assert number is None or full_number(number) == number


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet=HOSTILE_CHARACTERS, max_size=30))
def test_any_typed_kk_is_either_valid_or_refused_with_a_code(typed):
    try:
        kk_validate(digits_only(typed))
    except IdentifierError as error:
        assert error.code in IdentifierErrorCode  # noqa: PT017 - either outcome is valid; a refusal must be the typed error


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=HOSTILE_CHARACTERS, max_size=30),
    st.text(alphabet=HOSTILE_CHARACTERS, max_size=30),
    st.text(max_size=12),
)
def test_the_ktp_form_turns_any_input_into_form_errors_never_an_exception(nik_typed, kk_typed, date_typed):
    from verification.forms import IDENTIFIER_MESSAGES, KtpVerificationForm

    form = KtpVerificationForm({"nik": nik_typed, "kk": kk_typed, "birth_date": date_typed})

    if form.is_valid():
        assert len(form.cleaned_data["nik"]) == 16 and form.cleaned_data["nik"].isdigit()
    else:
        for field in ("nik", "kk"):
            for error in form.errors.as_data().get(field, []):
                assert error.code in set(IDENTIFIER_MESSAGES) | {
                    "required",
                    "max_length",
                    "null_characters_not_allowed",
                }


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    st.dates(min_value=date(1930, 1, 1), max_value=date(2025, 12, 31)),
    st.booleans(),
    st.integers(1, 9999),
    st.sampled_from([" ", "-", ".", ""]),
)
def test_a_nik_typed_with_separators_parses_to_the_parts_it_was_built_from(birth_date, female, serial, separator):
    value = nik(day=birth_date.day, month=birth_date.month, year=birth_date.year, female=female, serial=f"{serial:04d}")
    typed = separator.join([value[:4], value[4:8], value[8:12], value[12:]])

    parts = nik_parse(digits_only(typed))

    rebuilt = f"{parts.district_digits}{parts.day + (40 if parts.sex == Sex.FEMALE else 0):02d}"
    rebuilt += f"{parts.month:02d}{parts.year_2:02d}{parts.serial}"
    assert rebuilt == value
