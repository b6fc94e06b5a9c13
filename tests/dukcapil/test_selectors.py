"""resident_sample: identities of each kind to try, reproducible, skipping NIKs the caller already uses."""

from datetime import date

import pytest

from dukcapil.models import Resident
from dukcapil.occupations import EXCLUDED_OCCUPATIONS, STUDENT
from dukcapil.selectors import resident_kind_filter, resident_sample, years_before
from dukcapil.services import registry_seed
from regions.historical import OLD_CODE_OF_REGENCY
from regions.models import District

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 29)
OLD_REGENCY_DIGITS = {old.replace(".", "") for old in OLD_CODE_OF_REGENCY.values()}


@pytest.fixture
def population(db):
    return registry_seed(residents=2000, seed=2026)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def test_ordinary_residents_are_adults_up_to_60_not_excluded_and_not_students(population):
    # when
    sample = resident_sample(count=50, kind="ordinary", rng_seed=1, today=TODAY)

    # then
    assert len(sample) == 50
    for person in sample:
        assert 18 <= age_on(date.fromisoformat(person["birth_date"]), TODAY) <= 60
        assert person["occupation"] not in EXCLUDED_OCCUPATIONS | {STUDENT}


def test_excluded_residents_have_an_occupation_in_an_excluded_group(population):
    # when
    sample = resident_sample(count=10, kind="excluded", rng_seed=1, today=TODAY)

    # then
    assert len(sample) == 10
    assert all(person["occupation"] in EXCLUDED_OCCUPATIONS for person in sample)


def test_underage_residents_are_younger_than_18(population):
    # when
    sample = resident_sample(count=20, kind="underage", rng_seed=1, today=TODAY)

    # then
    assert len(sample) == 20
    assert all(age_on(date.fromisoformat(person["birth_date"]), TODAY) < 18 for person in sample)


def test_old_code_residents_carry_a_regency_code_from_before_the_papua_split(population):
    # when
    sample = resident_sample(count=3, kind="old_code", rng_seed=1, today=TODAY)

    # then
    assert sample
    for person in sample:
        assert person["nik"][:4] in OLD_REGENCY_DIGITS
        assert person["district_code"][:2] in {"93", "94", "95", "96"}  # lives in a new province


def test_the_same_rng_seed_gives_the_same_sample_and_another_seed_another(population):
    # when
    first = resident_sample(count=25, rng_seed=7, today=TODAY)
    again = resident_sample(count=25, rng_seed=7, today=TODAY)
    other = resident_sample(count=25, rng_seed=8, today=TODAY)

    # then
    assert [p["nik"] for p in first] == [p["nik"] for p in again]
    assert {p["nik"] for p in first} != {p["nik"] for p in other}


def test_a_sample_is_spread_over_the_population_not_one_family_after_another(population):
    # when
    sample = resident_sample(count=30, rng_seed=3, today=TODAY)

    # then
    assert len({p["kk"] for p in sample}) >= 25
    assert len({p["province_code"] for p in sample}) >= 5


def test_the_exclude_callback_skips_niks_the_caller_already_uses(population):
    # given NIKs that portal accounts already hold
    used = {p["nik"] for p in resident_sample(count=40, rng_seed=11, today=TODAY)}
    batches = []

    def already_used(niks: list[str]) -> set[str]:
        batches.append(niks)
        return used & set(niks)

    # when the same draw is asked for again
    sample = resident_sample(count=40, rng_seed=11, exclude_nik=already_used, today=TODAY)

    # then it brings 40 others, having asked about candidates in batches
    assert len(sample) == 40
    assert not used & {p["nik"] for p in sample}
    assert batches and all(isinstance(batch, list) for batch in batches)


def test_asking_for_more_than_exist_returns_each_resident_of_the_kind_once(population):
    # given
    total = Resident.objects.filter(resident_kind_filter("old_code", today=TODAY)).count()

    # when
    sample = resident_sample(count=10_000, kind="old_code", rng_seed=5, today=TODAY)

    # then
    niks = [p["nik"] for p in sample]
    assert len(niks) == len(set(niks)) == total > 0


def test_each_identity_carries_what_a_sign_up_needs_and_its_region_names(population):
    # when
    person = resident_sample(count=1, rng_seed=2, today=TODAY)[0]

    # then
    district = District.objects.select_related("regency__province").get(code=person["district_code"])
    resident = Resident.objects.get(nik=person["nik"])
    assert person == {
        "nik": resident.nik,
        "kk": resident.family_id,
        "birth_date": resident.birth_date.isoformat(),
        "full_name": resident.full_name,
        "mother_name": resident.mother_name,
        "sex": resident.sex,
        "occupation": resident.occupation,
        "address": resident.address,
        "birth_place": resident.birth_place,
        "district_code": district.code,
        "regency_code": district.regency.code,
        "province_code": district.regency.province.code,
        "district": district.name,
        "regency": district.regency.name,
        "province": district.regency.province.name,
    }


def test_an_empty_registry_gives_an_empty_sample(db):
    assert resident_sample(count=5, rng_seed=1) == []


def test_an_unknown_kind_is_refused(db):
    with pytest.raises(ValueError, match="unknown kind 'famous'"):
        resident_sample(count=1, kind="famous")


def test_a_birthday_on_29_february_counts_in_common_years():
    assert years_before(date(2028, 2, 29), 18) == date(2010, 2, 28)
    assert years_before(date(2026, 11, 29), 18) == date(2008, 11, 29)
