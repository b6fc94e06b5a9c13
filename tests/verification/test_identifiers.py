from datetime import date

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

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


@pytest.mark.parametrize("value", ["", "327601170895000", "32760117089500011", "32760117O8950001", "３２７６０１１７０８９５０００１"])
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
        assert error.code in IdentifierErrorCode
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
