"""Loading the shipped Kemendagri region list into the database.

The data file is regions/data/wilayah.json.gz (see regions/data/README.md): a JSON object mapping each
dotted code to its name, provinces ("32"), regencies ("32.76") and districts ("32.76.01") together. A few
misspelt district names in it are corrected on reading, from regions/data/name_corrections.csv.
"""

import csv
import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, models, transaction

from prakerja.shared_cache import shared_bump
from regions.models import District, Province, Regency

WILAYAH_PATH = Path(__file__).resolve().parent / "data" / "wilayah.json.gz"
NAME_CORRECTIONS_PATH = WILAYAH_PATH.parent / "name_corrections.csv"

# Django lowers this further where the backend limits bound parameters per statement (older SQLite: 999).
BATCH_SIZE = 1000


@dataclass(frozen=True)
class NameCorrection:
    code: str
    name: str  # the spelling both earlier editions have
    listed_as: str  # the misspelling the shipped list has
    source: str


def name_corrections_read() -> list[NameCorrection]:
    with NAME_CORRECTIONS_PATH.open(encoding="utf-8", newline="") as f:
        return [NameCorrection(**row) for row in csv.DictReader(f)]


def regions_read(*, path: Path | None = None, corrected: bool = True) -> dict[str, str]:
    """The shipped list, {dotted code: name}, with the name corrections applied unless ``corrected=False``.

    A correction applies only where the list still has the misspelling it corrects: a later list that spells
    the name right, or renames the district, is taken as it is (tests/regions flags the correction then).
    """
    with gzip.open(path or WILAYAH_PATH, "rt", encoding="utf-8") as f:
        names = json.load(f)
    if corrected:
        for correction in name_corrections_read():
            if names.get(correction.code) == correction.listed_as:
                names[correction.code] = correction.name
    return names


def regions_load(*, path: Path | None = None) -> tuple[int, int, int]:
    """Insert or update every province, regency and district in the shipped file, names corrected.

    Safe to run any number of times: existing rows are updated in place (a renamed district keeps its
    code), so this is also how a newer Kepmendagri list is applied. Codes missing from the file are left
    alone rather than deleted, because applicants' data may still point at them.

    Returns how many provinces, regencies and districts the file holds.
    """
    return regions_load_into(province_model=Province, regency_model=Regency, district_model=District, path=path)


def regions_load_into(
    *,
    province_model: type[models.Model],
    regency_model: type[models.Model],
    district_model: type[models.Model],
    path: Path | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> tuple[int, int, int]:
    """``regions_load`` for the given model classes, so the data migration can pass historical models."""
    names = regions_read(path=path)
    provinces = []
    regencies = []
    districts = []
    for code, name in sorted(names.items()):
        match code.count("."):
            case 0:
                provinces.append(province_model(code=code, name=name))
            case 1:
                regencies.append(
                    regency_model(
                        code=code,
                        province_id=code[:2],
                        name=name,
                        kind=Regency.kind_for_name(name),
                    )
                )
            case 2:
                districts.append(district_model(code=code, regency_id=code[:5], name=name))
            case _:
                raise ValueError(f"Unexpected region code {code!r} in {path or WILAYAH_PATH}")

    with transaction.atomic(using=using):
        # Parents first, so the foreign keys hold at every statement (PostgreSQL checks them immediately).
        for model, rows, update_fields in (
            (province_model, provinces, ["name"]),
            (regency_model, regencies, ["name", "kind"]),
            (district_model, districts, ["name"]),
        ):
            model._default_manager.using(using).bulk_create(
                rows,
                batch_size=BATCH_SIZE,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=update_fields,
            )
        shared_bump("regions")  # bulk writes send no post_save: the pickers' cached lists are dropped here
    return len(provinces), len(regencies), len(districts)


def district_names_correct_into(*, district_model: type[models.Model], using: str = DEFAULT_DB_ALIAS) -> int:
    """Apply the name corrections to districts loaded before them (the data migration passes its model).

    Only rows that still have the misspelling change, so this is safe to run twice. Returns how many did.
    """
    changed = 0
    with transaction.atomic(using=using):
        for correction in name_corrections_read():
            changed += (
                district_model._default_manager.using(using)
                .filter(code=correction.code, name=correction.listed_as)
                .update(name=correction.name)
            )
    return changed
