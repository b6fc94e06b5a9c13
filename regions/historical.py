"""District codes from earlier Kemendagri editions that NIKs still carry, and the district each is now.

A NIK keeps the district code it was issued with. When Papua was split in 2022 its regencies got new codes, and
Kemendagri renumbered their districts too: Napua was 91.02.41 under Permendagri 72/2019 and is 95.01.13 today,
while 95.01.41 is no district at all. So an old code cannot be turned into today's by swapping the regency
digits; it is looked up in a table built district by district from the published editions
(regions/historical_build.py, ``manage.py regions_build_historical``; sources in regions/data/README.md):
regions/data/historical_districts.csv.

A NIK is valid if its district code names a district today or named one in an edition listed in ``EDITIONS``;
the domicile and the registry use today's district. A code that names a district today is read as that
district, even where an earlier edition gave the same code to another one (Papua Barat Daya's 2022 coding of
96.04 as Sorong Selatan, 96.04 being Tambrauw since 2025): today's list wins, and the table marks such codes
"reused" so that the mock registry never issues them as old codes.
"""

import csv
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
HISTORICAL_DISTRICTS_PATH = DATA_DIR / "historical_districts.csv"

_PAPUA_2022 = "UU 14/2022 (Papua Selatan), UU 15/2022 (Papua Tengah), UU 16/2022 (Papua Pegunungan)"
_PAPUA_BARAT_DAYA_2022 = "UU 29/2022 (Papua Barat Daya)"
_RENUMBERED_2025 = "Kepmendagri 300.2.2-2138/2025"

# The regencies the 2022 laws moved: their code before the split -> (their code today, the law that moved them).
MOVED_REGENCIES: dict[str, tuple[str, str]] = {
    # Papua (91) -> Papua Selatan (93)
    "91.01": ("93.01", _PAPUA_2022),  # Merauke
    "91.16": ("93.02", _PAPUA_2022),  # Boven Digoel
    "91.17": ("93.03", _PAPUA_2022),  # Mappi
    "91.18": ("93.04", _PAPUA_2022),  # Asmat
    # Papua (91) -> Papua Tengah (94)
    "91.04": ("94.01", _PAPUA_2022),  # Nabire
    "91.07": ("94.02", _PAPUA_2022),  # Puncak Jaya
    "91.08": ("94.03", _PAPUA_2022),  # Paniai
    "91.09": ("94.04", _PAPUA_2022),  # Mimika
    "91.25": ("94.05", _PAPUA_2022),  # Puncak
    "91.26": ("94.06", _PAPUA_2022),  # Dogiyai
    "91.27": ("94.07", _PAPUA_2022),  # Intan Jaya
    "91.28": ("94.08", _PAPUA_2022),  # Deiyai
    # Papua (91) -> Papua Pegunungan (95)
    "91.02": ("95.01", _PAPUA_2022),  # Jayawijaya
    "91.12": ("95.02", _PAPUA_2022),  # Pegunungan Bintang
    "91.13": ("95.03", _PAPUA_2022),  # Yahukimo
    "91.14": ("95.04", _PAPUA_2022),  # Tolikara
    "91.21": ("95.05", _PAPUA_2022),  # Mamberamo Tengah
    "91.22": ("95.06", _PAPUA_2022),  # Yalimo
    "91.23": ("95.07", _PAPUA_2022),  # Lanny Jaya
    "91.24": ("95.08", _PAPUA_2022),  # Nduga
    # Papua Barat (92) -> Papua Barat Daya (96)
    "92.01": ("96.01", _PAPUA_BARAT_DAYA_2022),  # Sorong
    "92.04": ("96.02", _PAPUA_BARAT_DAYA_2022),  # Sorong Selatan
    "92.05": ("96.03", _PAPUA_BARAT_DAYA_2022),  # Raja Ampat
    "92.09": ("96.04", _PAPUA_BARAT_DAYA_2022),  # Tambrauw
    "92.10": ("96.05", _PAPUA_BARAT_DAYA_2022),  # Maybrat
    "92.71": ("96.71", _PAPUA_BARAT_DAYA_2022),  # Kota Sorong
}

# Papua Barat Daya as the 2022 edition codes it (96 with the regency digits it had under 92) -> the codes the
# 2025 list gave it. Districts were renumbered in all six, so all six are matched district by district.
RENUMBERED_REGENCIES_2025: dict[str, tuple[str, str]] = {
    "96.01": ("96.01", _RENUMBERED_2025),  # Sorong
    "96.04": ("96.02", _RENUMBERED_2025),  # Sorong Selatan
    "96.05": ("96.03", _RENUMBERED_2025),  # Raja Ampat
    "96.09": ("96.04", _RENUMBERED_2025),  # Tambrauw
    "96.10": ("96.05", _RENUMBERED_2025),  # Maybrat
    "96.71": ("96.71", _RENUMBERED_2025),  # Kota Sorong
}

# The other way, for the seeder's and the sample command's view of "an old-code NIK": the regency part of
# the codes issued before the 2022 splits.
OLD_CODE_OF_REGENCY: dict[str, str] = {new: old for old, (new, _law) in MOVED_REGENCIES.items()}


@dataclass(frozen=True)
class Edition:
    """One published Kemendagri list, as vendored in regions/data/editions/."""

    key: str
    title: str
    in_force_from: date  # the day the regulation was set
    file_name: str
    # Regencies whose codes or district numbers changed between this edition and today's list: old regency
    # code -> (regency code today, the law or decree). Districts of these are matched by name.
    moved_regencies: dict[str, tuple[str, str]]

    @property
    def path(self) -> Path:
        return DATA_DIR / "editions" / self.file_name


EDITIONS: tuple[Edition, ...] = (
    Edition(
        key="2019",
        title="Permendagri No. 72 Tahun 2019",
        in_force_from=date(2019, 10, 8),
        file_name="wilayah-2019.csv.gz",
        moved_regencies=MOVED_REGENCIES,
    ),
    Edition(
        key="2021",
        title="Permendagri No. 58 Tahun 2021, as revised by Kepmendagri No. 050-145 Tahun 2022 (Papua only)",
        in_force_from=date(2021, 12, 13),
        file_name="wilayah-2021-papua.csv",
        moved_regencies=MOVED_REGENCIES,
    ),
    Edition(
        key="2022",
        title="Kepmendagri No. 100.1.1-6117 Tahun 2022, Papua Barat Daya coded under 96",
        in_force_from=date(2022, 11, 9),
        file_name="wilayah-2022.csv.gz",
        moved_regencies=RENUMBERED_REGENCIES_2025,
    ),
)
EDITION_BY_KEY: dict[str, Edition] = {edition.key: edition for edition in EDITIONS}


class Status(StrEnum):
    # The code names no district today; a NIK carrying it is read as ``current_code``.
    MOVED = "moved"
    # The code names a district today, but an earlier edition gave it to the district now at ``current_code``.
    # A NIK carrying it is read as today's district with that code (there is no telling the two apart).
    REUSED = "reused"


class MatchedBy(StrEnum):
    NAME = "name"  # the only district of the new regency with the same name
    DECISION = "decision"  # regions/data/historical_decisions.csv, with its evidence


@dataclass(frozen=True)
class HistoricalDistrict:
    code: str
    editions: tuple[str, ...]  # keys of EDITIONS, oldest first
    name: str  # as the oldest of those editions writes it
    current_code: str
    current_name: str
    status: Status
    matched_by: MatchedBy

    @property
    def first_listed(self) -> date:
        """When the oldest edition that lists this code came into force."""
        return EDITION_BY_KEY[self.editions[0]].in_force_from


HISTORICAL_FIELDS = ("code", "editions", "name", "current_code", "current_name", "status", "matched_by")


@cache
def historical_districts() -> tuple[HistoricalDistrict, ...]:
    """Every row of regions/data/historical_districts.csv, in code order."""
    with HISTORICAL_DISTRICTS_PATH.open(encoding="utf-8", newline="") as f:
        return tuple(
            HistoricalDistrict(
                code=row["code"],
                editions=tuple(row["editions"].split()),
                name=row["name"],
                current_code=row["current_code"],
                current_name=row["current_name"],
                status=Status(row["status"]),
                matched_by=MatchedBy(row["matched_by"]),
            )
            for row in csv.DictReader(f)
        )


@cache
def _current_code_of_moved() -> dict[str, str]:
    return {d.code: d.current_code for d in historical_districts() if d.status == Status.MOVED}


def current_district_code(district_code: str) -> str:
    """The district's code today: the code itself, or, for a code no district has today, the code of the
    district an earlier edition gave it to. Unknown codes come back unchanged (and name no district)."""
    return _current_code_of_moved().get(district_code, district_code)


@cache
def old_districts_by_current_code() -> dict[str, tuple[HistoricalDistrict, ...]]:
    """Today's district code -> the codes earlier editions gave the same district and no district has today."""
    by_current: dict[str, list[HistoricalDistrict]] = {}
    for district in historical_districts():
        if district.status == Status.MOVED:
            by_current.setdefault(district.current_code, []).append(district)
    return {code: tuple(districts) for code, districts in by_current.items()}
