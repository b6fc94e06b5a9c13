"""seed_dukcapil: a reproducible, realistic population with well-formed NIKs and KKs."""

from collections import Counter, defaultdict
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from dukcapil import population
from dukcapil.models import Family, Resident
from dukcapil.occupations import EXCLUDED_OCCUPATIONS
from dukcapil.services import registry_seed
from regions.historical import EDITION_BY_KEY, OLD_CODE_OF_REGENCY, current_district_code, historical_districts
from regions.models import District
from regions.services import regions_read
from tests.helpers import require_service
from verification.identifiers import kk_validate, nik_validate

pytestmark = pytest.mark.django_db

AS_OF = population.DEFAULT_AS_OF
OLD_REGENCY_DIGITS = {old.replace(".", "") for old in OLD_CODE_OF_REGENCY.values()}


def dotted(digits: str) -> str:
    return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}"


def snapshot() -> tuple[list, list]:
    residents = list(
        Resident.objects.order_by("nik").values_list(
            "nik",
            "family_id",
            "relationship",
            "full_name",
            "birth_place",
            "birth_date",
            "sex",
            "mother_name",
            "occupation",
            "address",
            "district_code",
            "sample_key",
        )
    )
    families = list(Family.objects.order_by("kk").values_list("kk", "address", "district_code"))
    return residents, families


def age(born: date) -> int:
    return AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))


# --- reproducibility ---------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_population():
    # given
    registry_seed(residents=200, seed=5)
    first = snapshot()

    # when
    registry_seed(residents=200, seed=5)

    # then
    assert snapshot() == first
    assert len(first[0]) == 200


def test_another_seed_gives_another_population():
    # given
    registry_seed(residents=200, seed=5)
    first = {nik for nik, *_rest in snapshot()[0]}

    # when
    registry_seed(residents=200, seed=6)

    # then
    assert {nik for nik, *_rest in snapshot()[0]} != first


def test_the_batch_size_does_not_change_the_population():
    # given
    registry_seed(residents=200, seed=5, batch_size=7)
    small_batches = snapshot()

    # when
    registry_seed(residents=200, seed=5, batch_size=10_000)

    # then
    assert snapshot() == small_batches


def test_seeding_replaces_the_previous_population():
    # given
    registry_seed(residents=300, seed=1)

    # when
    report = registry_seed(residents=120, seed=2)

    # then
    assert Resident.objects.count() == report.residents == 120
    assert Family.objects.count() == report.families
    assert not Family.objects.filter(members__isnull=True).exists()


def test_a_failed_seed_leaves_the_previous_population(monkeypatch):
    # given
    registry_seed(residents=150, seed=1)
    before = snapshot()
    generate = population.PopulationGenerator.families

    def families_then_crash(self):
        for number, family in enumerate(generate(self)):
            if number == 30:
                raise RuntimeError("disk full")
            yield family

    monkeypatch.setattr(population.PopulationGenerator, "families", families_then_crash)

    # when
    with pytest.raises(RuntimeError):
        registry_seed(residents=500, seed=2, batch_size=10)

    # then
    assert snapshot() == before


# --- the numbers ---------------------------------------------------------------------------------------


def test_every_nik_names_a_real_district_the_birth_date_and_a_serial():
    # given
    registry_seed(residents=400, seed=3)
    districts = set(District.objects.values_list("code", flat=True))

    # then
    residents = list(Resident.objects.values_list("nik", "birth_date", "sex", "district_code"))
    assert len({nik for nik, *_rest in residents}) == len(residents)
    for nik, born, sex, district_code in residents:
        assert len(nik) == 16 and nik.isdigit()
        current = current_district_code(dotted(nik[:6]))
        assert current in districts
        assert current == district_code  # issued where the family lives, under today's or the old code
        day = born.day + (40 if sex == Resident.Sex.FEMALE else 0)
        assert nik[6:12] == f"{day:02d}{born.month:02d}{born.year % 100:02d}"
        assert nik[12:] != "0000"


def test_every_kk_names_a_real_district_an_issue_date_and_a_serial():
    # given
    registry_seed(residents=400, seed=3)
    districts = set(District.objects.values_list("code", flat=True))

    # then
    kks = list(Family.objects.values_list("kk", flat=True))
    assert len(set(kks)) == len(kks)
    for kk in kks:
        assert current_district_code(dotted(kk[:6])) in districts
        issued = date(2000 + int(kk[10:12]), int(kk[8:10]), int(kk[6:8]))  # a real date, after 2000
        assert date(2005, 1, 1) <= issued <= AS_OF
        assert kk[12:] != "0000"


def test_old_code_niks_and_kks_name_the_residents_own_district_in_the_edition_that_issued_them():
    # given a population of the moved regencies only (seed 7, as in issue #13), generated without a database
    places = [place for place in population.places_from_regions(regions_read()) if place.old_digits]
    generator = population.PopulationGenerator(residents=3000, seed=7, places=places)
    editions_of = {row.code: row.editions for row in historical_districts()}

    # when
    families = list(generator.families())

    # then every old code is a code an earlier edition gave the resident's own district
    old_niks = old_kks = 0
    for (kk, _address, district_code), members in families:
        for number in [kk] + [member[0] for member in members]:
            assert current_district_code(dotted(number[:6])) == district_code
        if kk[:4] in OLD_REGENCY_DIGITS:
            old_kks += 1
            issued = date(2000 + int(kk[10:12]), int(kk[8:10]), int(kk[6:8]))
            first_listed = min(EDITION_BY_KEY[key].in_force_from for key in editions_of[dotted(kk[:6])])
            assert issued < population.SPLIT_DATE[kk[:2]]
            if "2019" not in editions_of[dotted(kk[:6])]:  # a district a later edition created
                assert issued >= first_listed
        old_niks += sum(member[0][:4] in OLD_REGENCY_DIGITS for member in members)
    assert old_niks > 500 and old_kks > 100


def test_a_seeded_registrys_old_code_niks_pass_the_portals_checks_and_read_as_the_residents_district():
    # given issue #13's registry: seed 7, where the regency swap put a 2019 code of another district on a
    # third of the old-code NIKs
    registry_seed(residents=10_000, seed=7)
    old = list(
        Resident.objects.filter(nik__regex=r"^(" + "|".join(sorted(OLD_REGENCY_DIGITS)) + r")").values_list(
            "nik", "family_id", "birth_date", "district_code"
        )
    )

    # then
    assert len(old) > 30
    for nik, kk, born, district_code in old:
        assert nik_validate(nik, birth_date=born).district_digits == nik[:6]
        assert current_district_code(dotted(nik[:6])) == district_code
        if kk[:4] in OLD_REGENCY_DIGITS:
            kk_validate(kk)
            assert current_district_code(dotted(kk[:6])) == district_code


def test_the_pre_split_code_is_the_districts_own_not_the_regency_swapped():
    places = {place.district_code: place for place in population.places_from_regions(regions_read())}

    assert places["95.01.13"].old_digits == "910241"  # Napua; 910213 was never a district
    assert places["95.01.02"].old_digits == "910203"  # Kurulu
    assert places["95.03.23"].old_digits == "911325"  # Ubahak; 911323 was Kosarek
    assert places["96.01.18"].old_digits == "920143"  # Sorong
    assert places["93.01.21"].old_digits == "910121"  # Padua, created by Permendagri 58/2021 ...
    assert places["93.01.21"].old_from == date(2021, 12, 13)  # ... so issued only from then on
    assert places["93.01.01"].old_from is None
    assert places["32.76.01"].old_digits is None
    assert not [code for code, place in places.items() if place.old_digits and code[:2] not in {"93", "94", "95", "96"}]


def test_a_family_shares_one_kk_and_one_address_with_one_head():
    # given
    registry_seed(residents=500, seed=4)

    # then
    families = {kk: (address, district) for kk, address, district in snapshot()[1]}
    members = defaultdict(list)
    for resident in Resident.objects.all():
        members[resident.family_id].append(resident)
    assert set(members) == set(families)
    for kk, people in members.items():
        assert 1 <= len(people) <= 6
        assert {(p.address, p.district_code) for p in people} == {families[kk]}
        assert [p.relationship for p in people].count(Resident.Relationship.HEAD) == 1
    assert Counter(len(people) for people in members.values()).keys() >= {1, 2, 3, 4}


def test_children_carry_their_mothers_name_from_the_same_family():
    # given
    registry_seed(residents=500, seed=4)

    # then
    checked = 0
    for family in Family.objects.prefetch_related("members"):
        people = list(family.members.all())
        mothers = [p for p in people if p.relationship == Resident.Relationship.WIFE] or [
            p for p in people if p.relationship == Resident.Relationship.HEAD and p.sex == Resident.Sex.FEMALE
        ]
        children = [p for p in people if p.relationship == Resident.Relationship.CHILD]
        for child in children:
            if mothers:
                assert child.mother_name == mothers[0].full_name
                assert age(mothers[0].birth_date) - age(child.birth_date) >= 17
                checked += 1
    assert checked > 50


def test_at_a_realistic_size_the_population_looks_like_indonesia():
    # given
    registry_seed(residents=2000, seed=2026)
    residents = list(Resident.objects.values_list("nik", "birth_date", "occupation", "district_code", "birth_place"))
    adults = [r for r in residents if age(r[1]) >= 18]

    # then about 3% of adults are in an excluded group (PNS, TNI, Polri, perangkat desa...)
    excluded = [r for r in adults if r[2] in EXCLUDED_OCCUPATIONS]
    assert 0.015 < len(excluded) / len(adults) < 0.05
    # some NIKs from Papua carry a regency code from before the 2022 split
    assert any(nik[:4] in OLD_REGENCY_DIGITS for nik, *_rest in residents)
    # ages from 0 to 80, most adults 18-45, Java holds more than half
    ages = [age(r[1]) for r in residents]
    assert min(ages) == 0 and 70 <= max(ages) <= 81
    assert sum(18 <= age(r[1]) <= 45 for r in adults) / len(adults) > 0.5
    java = sum(r[3][:2] in {"31", "32", "33", "34", "35", "36"} for r in residents)
    assert 0.45 < java / len(residents) < 0.65
    # birth places are regency names, as a KTP prints them
    assert all(r[4] == r[4].upper() and not r[4].startswith(("KOTA ", "KABUPATEN ")) for r in residents)


# --- the command -----------------------------------------------------------------------------------------


def test_the_command_seeds_and_prints_identities_to_try():
    # given
    out = StringIO()

    # when
    call_command("seed_dukcapil", "--residents", "300", "--seed", "9", verbosity=0, stdout=out)

    # then
    text = out.getvalue()
    assert "Registry seeded: 300 residents" in text
    assert Resident.objects.count() == 300
    printed = [line.split()[1] for line in text.splitlines() if line.strip().startswith("[ordinary]")]
    assert len(printed) == 5
    assert Resident.objects.filter(nik__in=printed).count() == 5


# --- PostgreSQL: COPY ------------------------------------------------------------------------------------


@pytest.mark.services
def test_on_postgresql_copy_loads_the_same_population_as_bulk_create():
    if connection.vendor != "postgresql":
        require_service("postgresql")
    # given
    copied = registry_seed(residents=700, seed=8, batch_size=100)
    through_copy = snapshot()

    # when
    created = registry_seed(residents=700, seed=8, batch_size=100, method="bulk_create")

    # then
    assert copied.method == "copy" and created.method == "bulk_create"
    assert snapshot() == through_copy
    assert copied.families == created.families == Family.objects.count()


@pytest.mark.services
def test_on_postgresql_the_indexes_and_constraints_are_back_after_copy():
    if connection.vendor != "postgresql":
        require_service("postgresql")

    def constraints() -> dict:
        with connection.cursor() as cursor:
            return {
                table: connection.introspection.get_constraints(cursor, table)
                for table in (Resident._meta.db_table, Family._meta.db_table)
            }

    # given
    before = constraints()

    # when
    registry_seed(residents=300, seed=8)

    # then
    assert constraints() == before
    assert any(c["foreign_key"] == ("dukcapil_family", "kk") for c in before["dukcapil_resident"].values())
