"""District names the 2025 list misspells, corrected from the earlier editions (regions/data/name_corrections.csv)."""

import gzip
import json

import pytest

from regions.historical import EDITION_BY_KEY
from regions.historical_build import edition_read
from regions.models import District
from regions.services import district_names_correct_into, name_corrections_read, regions_load, regions_read
from tests.data_migrations import data_migration_run

pytestmark = pytest.mark.django_db

CORRECTED = {
    "32.03.06": "Bojongpicung",
    "32.03.18": "Pagelaran",
    "32.03.20": "Cibinong",
    "32.09.22": "Kapetakan",
    "16.06.13": "Lawang Wetan",
}


def test_the_migrated_database_has_the_corrected_names():
    assert dict(District.objects.filter(code__in=CORRECTED).values_list("code", "name")) == CORRECTED


def test_each_correction_is_what_both_earlier_editions_say_and_names_its_source():
    editions = [edition_read(EDITION_BY_KEY["2019"]), edition_read(EDITION_BY_KEY["2022"])]

    for correction in name_corrections_read():
        assert [edition[correction.code] for edition in editions] == [correction.name, correction.name]
        assert "Permendagri 72/2019" in correction.source and "Kepmendagri 100.1.1-6117/2022" in correction.source
    assert {c.code: c.name for c in name_corrections_read()} == CORRECTED


def test_each_misspelling_is_still_in_the_shipped_list():
    # When a newer list fixes or renames one of these, this fails: drop or review the correction then,
    # rather than let it sit unused or undo an official rename.
    raw = regions_read(corrected=False)

    for correction in name_corrections_read():
        assert raw[correction.code] == correction.listed_as


def test_loading_again_keeps_the_corrected_names_and_restores_one_that_was_lost():
    District.objects.filter(code="32.03.06").update(name="Bonjogpicung")

    regions_load()
    regions_load()

    assert District.objects.get(code="32.03.06").name == "Bojongpicung"
    assert District.objects.get(code="32.03.20").name == "Cibinong"


def test_a_correction_does_not_override_a_list_that_names_the_district_otherwise(tmp_path):
    # given a later list that renamed one district and still misspells another
    names = regions_read(corrected=False)
    names["32.03.06"] = "Bojongpicung Baru"
    path = tmp_path / "wilayah.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        json.dump(names, f)

    # when
    read = regions_read(path=path)

    # then
    assert read["32.03.06"] == "Bojongpicung Baru"
    assert read["32.03.20"] == "Cibinong"


def test_the_data_migration_corrects_a_database_loaded_before_and_is_idempotent():
    # given a database loaded with the misspellings, as 0002 did before the corrections
    for correction in name_corrections_read():
        District.objects.filter(code=correction.code).update(name=correction.listed_as)

    # when
    data_migration_run("regions", "0003_correct_district_names")

    # then
    assert dict(District.objects.filter(code__in=CORRECTED).values_list("code", "name")) == CORRECTED
    assert district_names_correct_into(district_model=District) == 0
