"""The historical district table: every code of an earlier Kemendagri edition maps to the district it is now.

The table (regions/data/historical_districts.csv) is generated from the vendored editions; these tests rebuild
it, check it against the source lists with a plain one-by-one oracle, and pin the issue #13 examples and counts.
"""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from regions.historical import (
    EDITION_BY_KEY,
    EDITIONS,
    HISTORICAL_DISTRICTS_PATH,
    MOVED_REGENCIES,
    Edition,
    MatchedBy,
    Status,
    current_district_code,
    historical_districts,
    old_districts_by_current_code,
)
from regions.historical_build import (
    HistoricalBuildError,
    decisions_read,
    district_name_key,
    edition_read,
    historical_build,
    historical_render,
)
from regions.models import District
from regions.selectors import nik_region_exists
from regions.services import regions_read
from verification.identifiers import IdentifierError, IdentifierErrorCode, nik_validate

CURRENT = regions_read()
LISTS = {edition.key: edition_read(edition) for edition in EDITIONS}
DECISIONS = decisions_read()


def districts_of(names: dict[str, str]) -> dict[str, str]:
    return {code: name for code, name in names.items() if code.count(".") == 2}


CURRENT_DISTRICTS = districts_of(CURRENT)


def level_counts(names: dict[str, str]) -> tuple[int, int, int]:
    return tuple(sum(1 for code in names if code.count(".") == dots) for dots in (0, 1, 2))


# --- the sources and the table agree -------------------------------------------------------------------


def test_each_edition_holds_the_published_number_of_regions():
    assert level_counts(LISTS["2019"]) == (34, 514, 7230)  # Permendagri 72/2019
    assert level_counts(LISTS["2021"]) == (2, 42, 784)  # Permendagri 58/2021, Papua and Papua Barat
    assert level_counts(LISTS["2022"]) == (38, 514, 7277)  # Kepmendagri 100.1.1-6117/2022


def test_the_committed_table_is_what_the_editions_build():
    result = historical_build(current=CURRENT)

    assert historical_render(result.rows) == HISTORICAL_DISTRICTS_PATH.read_text(encoding="utf-8")


def test_the_build_counts_per_edition():
    counts = historical_build(current=CURRENT).counts

    assert (counts["2019"].in_moved_regencies, counts["2019"].moved, counts["2019"].reused) == (588, 588, 0)
    assert (counts["2021"].in_moved_regencies, counts["2021"].moved, counts["2021"].reused) == (594, 594, 0)
    assert (counts["2022"].in_moved_regencies, counts["2022"].same, counts["2022"].moved, counts["2022"].reused) == (
        132,
        7156,
        71,
        50,
    )
    rows = historical_districts()
    assert Counter(row.status for row in rows) == {Status.MOVED: 665, Status.REUSED: 50}
    assert sum(row.matched_by == MatchedBy.DECISION for row in rows) == len(DECISIONS) == 9


def test_every_code_of_every_moved_regency_reads_as_the_district_of_the_same_name_or_the_decided_one():
    # A plain oracle over the source lists, one code at a time, independent of the build's bookkeeping.
    table = {row.code: row for row in historical_districts()}
    checked = 0
    for edition in EDITIONS:
        for code, name in districts_of(LISTS[edition.key]).items():
            move = edition.moved_regencies.get(code[:5])
            if move is None:
                continue
            expected = DECISIONS[code].current_code if code in DECISIONS else None
            if expected is None:
                (expected,) = [
                    candidate
                    for candidate, current_name in CURRENT_DISTRICTS.items()
                    if candidate[:5] == move[0] and district_name_key(current_name) == district_name_key(name)
                ]
            read_as = table[code].current_code if code in table else code
            assert read_as == expected, (edition.key, code, name)
            assert (current_district_code(code) == expected) is (code not in CURRENT_DISTRICTS or code == expected)
            checked += 1
    assert checked == 588 + 594 + 132


def test_every_district_code_of_every_edition_is_a_district_today_or_maps_to_one():
    for edition in EDITIONS:
        for code in districts_of(LISTS[edition.key]):
            assert current_district_code(code) in CURRENT_DISTRICTS, (edition.key, code)


def test_each_row_names_todays_district_and_the_editions_that_list_its_code():
    for row in historical_districts():
        assert CURRENT_DISTRICTS[row.current_code] == row.current_name
        assert row.status == (Status.REUSED if row.code in CURRENT_DISTRICTS else Status.MOVED)
        assert [key for key in EDITION_BY_KEY if row.code in LISTS[key]] == list(row.editions)
        assert LISTS[row.editions[0]][row.code] == row.name


def test_no_two_codes_of_one_edition_map_to_one_district():
    # (A reused code still *reads* as today's holder of the code: 96.01.14 is Mariat today and Salawati Selatan
    # in the 2022 edition, whose Mariat was 96.01.39. The mapping itself is one to one.)
    table = {row.code: row.current_code for row in historical_districts()}
    for edition in EDITIONS:
        mapped = Counter(table.get(code, code) for code in districts_of(LISTS[edition.key]))
        assert [code for code, times in mapped.items() if times > 1] == [], edition.key


# --- issue #13's figures and examples ---------------------------------------------------------------------


def test_the_regency_swap_the_table_replaces_misread_151_and_refused_80_of_588_codes():
    old_codes = [code for code in districts_of(LISTS["2019"]) if code[:5] in MOVED_REGENCIES]
    swapped = {code: f"{MOVED_REGENCIES[code[:5]][0]}{code[5:]}" for code in old_codes}

    # As the issue counted: does the swapped code name a district of the same name?
    by_name = Counter(
        "nothing"
        if swapped[code] not in CURRENT_DISTRICTS
        else "same"
        if district_name_key(CURRENT_DISTRICTS[swapped[code]]) == district_name_key(LISTS["2019"][code])
        else "different"
        for code in old_codes
    )
    # As the table has it: is the swapped code the district's code today? Three districts kept their digits
    # under another name, which the name comparison counts as different: Ayip and Kobagma respelled
    # (Ayib, Kobakma), and Raja Ampat's Kepulauan Ayau, which the 2025 list calls Ayau (see the decisions).
    by_table = Counter(
        "nothing"
        if swapped[code] not in CURRENT_DISTRICTS
        else "same"
        if swapped[code] == current_district_code(code)
        else "different"
        for code in old_codes
    )

    assert len(old_codes) == 588
    assert by_name == {"same": 354, "different": 154, "nothing": 80}
    assert by_table == {"same": 357, "different": 151, "nothing": 80}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("nik", "district_code", "district_name"),
    [
        ("9102410101900001", "95.01.13", "Napua"),  # 91.02.41 in 2019; 95.01.41 names nothing today
        ("9201430101900001", "96.01.18", "Sorong"),  # the Sorong district of Kabupaten Sorong
        ("9102030101900001", "95.01.02", "Kurulu"),  # was read as Asologaima (95.01.03) by the regency swap
        ("9113232109830001", "95.03.21", "Kosarek"),  # the seed-7 NIK issued for Ubahak
        ("9601430101900001", "96.01.18", "Sorong"),  # the 2022 edition's code of the same district
        ("9609010101900001", "96.04.01", "Fef"),  # Tambrauw under its 2022 code 96.09
        ("9118180101900001", "93.04.18", "Ayib"),  # decision: Ayip, respelled
        ("9205050101900001", "96.03.05", "Ayau"),  # decision: Kepulauan Ayau, whose villages are 96.03.05's
    ],
)
def test_a_nik_with_an_old_code_is_valid_and_reads_as_todays_district(nik, district_code, district_name):
    parts = nik_validate(nik)

    assert parts.district_digits == nik[:6]
    assert current_district_code(f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}") == district_code
    assert District.objects.get(pk=district_code).name == district_name


@pytest.mark.django_db
def test_a_code_todays_list_gives_another_district_reads_as_that_district():
    # 96.04.01 was Teminabuan (Sorong Selatan) in the 2022 edition; since 2025 it is Tambrauw's Fef.
    assert current_district_code("96.04.01") == "96.04.01"
    assert District.objects.get(pk="96.04.01").name == "Fef"
    assert nik_region_exists("960401")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "district_digits",
    [
        "910202",  # Jayawijaya never had a district 02
        "910199",  # nor Merauke a 99
        "919901",  # no regency 91.99, then or now
        "920202",  # Manokwari, which did not move, never had a district 02
        "950141",  # the regency swap of Napua: no district
        "960999",  # Tambrauw under its 2022 code has no district 99
        "990101",
    ],
)
def test_a_code_under_an_old_province_prefix_that_no_edition_lists_is_refused(district_digits):
    nik = district_digits + "0101900001"

    with pytest.raises(IdentifierError) as raised:
        nik_validate(nik)

    assert raised.value.code == IdentifierErrorCode.NIK_REGION


def test_old_codes_by_district_list_only_codes_that_name_no_district_today():
    by_current = old_districts_by_current_code()

    assert [d.code for d in by_current["95.01.13"]] == ["91.02.41"]
    assert [d.code for d in by_current["96.01.18"]] == ["92.01.43", "96.01.43"]
    assert "96.04.01" not in {d.code for districts in by_current.values() for d in districts}
    assert all(d.code not in CURRENT_DISTRICTS for districts in by_current.values() for d in districts)


# --- the build refuses to guess -------------------------------------------------------------------------


def test_without_the_decisions_the_build_stops_on_every_district_its_name_does_not_settle():
    with pytest.raises(HistoricalBuildError) as raised:
        historical_build(current=CURRENT, decisions={}, lists=LISTS)

    unsettled = sorted({problem.split()[1] for problem in raised.value.problems})
    assert unsettled == ["91.13.36", "91.13.44", "91.13.47", "91.18.18", "91.21.01"]


def test_the_build_stops_on_a_vanished_code_a_merge_and_a_decision_nothing_uses():
    current = {"11": "Aceh", "11.01": "Kabupaten A", "11.01.01": "Satu", "12": "B", "12.01": "Kabupaten B"}
    current |= {"12.01.01": "Dua"}
    edition = Edition(
        key="test",
        title="a made-up list",
        in_force_from=EDITIONS[0].in_force_from,
        file_name="none",
        moved_regencies={"13.01": ("12.01", "a made-up law")},
    )
    listed = {
        "11": "Aceh",
        "11.01": "KAB. A",
        "11.01.01": "Satu",
        "11.01.02": "Gone",
        "13": "C",
        "13.01": "KAB. B",
        "13.01.01": "Dua",
        "13.01.02": "Dua",
    }

    with pytest.raises(HistoricalBuildError) as raised:
        historical_build(
            current=current,
            editions=[edition],
            decisions={"13.01.05": DECISIONS["91.13.36"]},
            lists={"test": listed},
        )

    text = "\n".join(raised.value.problems)
    assert "11.01.02 'Gone' names no district today" in text
    assert "13.01.01, 13.01.02 all map to 12.01.01" in text
    assert "decision for 13.01.05 matches no district" in text


def test_the_command_checks_the_committed_table_and_prints_the_counts():
    out = StringIO()

    call_command("regions_build_historical", "--check", stdout=out)

    text = out.getvalue()
    assert "2019: 34 provinces, 514 regencies, 7230 districts; 588 in moved regencies" in text
    assert "table: 715 codes, 665 moved, 50 reused" in text
    assert "decision 92.05.05 -> 96.03.05" in text
    assert "is up to date" in text
