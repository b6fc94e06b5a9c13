"""How the registry's seeder builds NIK and KK numbers."""

from datetime import date

import pytest

from dukcapil.nik import SerialCounter, date_digits, kk_build, nik_build


def test_a_mans_nik_is_district_then_birth_date_then_serial():
    assert nik_build(district_digits="327601", birth_date=date(1990, 6, 5), female=False, serial=1) == (
        "3276010506900001"
    )


def test_a_womans_nik_carries_her_birth_day_plus_40():
    assert nik_build(district_digits="327601", birth_date=date(1990, 6, 5), female=True, serial=12) == (
        "3276014506900012"
    )
    assert date_digits(date(2001, 12, 31), female=True) == "711201"


def test_a_kk_is_district_then_issue_date_then_serial():
    assert kk_build(district_digits="910101", issued=date(2015, 3, 12), serial=3) == "9101011203150003"


@pytest.mark.parametrize("serial", [0, 10_000])
def test_a_serial_is_between_0001_and_9999(serial):
    with pytest.raises(ValueError, match="serial out of range"):
        nik_build(district_digits="327601", birth_date=date(1990, 6, 5), female=False, serial=serial)


def test_serials_count_up_per_district_and_date_and_never_repeat():
    # given
    serials = SerialCounter()
    born = date(1990, 6, 5)

    # when
    first = serials.nik(district_digits="327601", birth_date=born, female=False)
    second = serials.nik(district_digits="327601", birth_date=born, female=False)
    sister = serials.nik(district_digits="327601", birth_date=born, female=True)
    elsewhere = serials.nik(district_digits="327602", birth_date=born, female=False)
    kk = serials.kk(district_digits="327601", issued=born)

    # then
    assert (first, second) == ("3276010506900001", "3276010506900002")
    assert sister == "3276014506900001"
    assert elsewhere == "3276020506900001"
    assert kk == "3276010506900001"  # the KK series is its own: a KK may share digits with a NIK


def test_a_district_and_date_run_out_after_9999_numbers():
    # given
    serials = SerialCounter()
    for _ in range(9999):
        serials.next("327601050690")

    # then
    with pytest.raises(OverflowError):
        serials.next("327601050690")
