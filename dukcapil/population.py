"""A reproducible, realistic-looking Indonesian population for the mock registry, generated as a stream.

No database access: ``PopulationGenerator(...).families()`` yields one family (a Kartu Keluarga row)
with its members at a time, district after district, so the caller writes them in batches and memory stays
flat in the number of residents. The same arguments always give the same rows: every random choice comes
from one ``random.Random(seed)``, consumed in the same order whatever the caller's batch size.

What makes it look real:
- residents spread over the provinces roughly as the 2020 census counted them (Java heavy), in neighbourhoods
  of 25 spread over each province's districts, with the real Kemendagri district codes;
- families of 1-6 sharing a KK and an address: a head, usually a spouse, children whose mother's name is the
  mother's name in the family; adults' mothers are generated;
- ages 0-80 following from the parents' ages, so most adults are 18-45;
- occupations by age and sex from the KTP list, about 3% of adults in a group Permenko 11/2020 excludes;
- names built from Faker's id_ID lists (combined here, not by calling Faker a million times);
- families of regencies moved by the 2022 Papua splits often still carry their district's pre-split code in
  their NIKs and KK, as real ones do: the code an earlier Kemendagri edition gave that very district
  (regions/historical.py), never the regency digits swapped.

Simplification: a NIK always carries the code of the family's district (or its pre-split code); real people
who moved keep the NIK of the district that issued it.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

from faker.providers.address.id_ID import Provider as FakerAddress
from faker.providers.person.id_ID import Provider as FakerPerson

from dukcapil import occupations as occ
from dukcapil.models import SAMPLE_KEY_BITS, Resident
from dukcapil.nik import SerialCounter
from regions.historical import EDITION_BY_KEY, EDITIONS, HistoricalDistrict, old_districts_by_current_code

# The data is "as of" this date unless the caller says otherwise: fixed, so that the same residents and seed
# give the same NIKs next year too (ages then read one year older, which the population can afford).
DEFAULT_AS_OF = date(2026, 1, 1)

# Population by province in thousands (BPS, Sensus Penduduk 2020); the Papua provinces created in 2022 are
# apportioned from Papua's and Papua Barat's 2020 figures by their regencies.
PROVINCE_POPULATION = {
    "11": 5274,
    "12": 14799,
    "13": 5534,
    "14": 6394,
    "15": 3548,
    "16": 8467,
    "17": 2010,
    "18": 9008,
    "19": 1455,
    "21": 2064,
    "31": 10562,
    "32": 48274,
    "33": 36516,
    "34": 3669,
    "35": 40666,
    "36": 11905,
    "51": 4317,
    "52": 5320,
    "53": 5326,
    "61": 5414,
    "62": 2670,
    "63": 4074,
    "64": 3766,
    "65": 702,
    "71": 2622,
    "72": 2986,
    "73": 9074,
    "74": 2625,
    "75": 1171,
    "76": 1419,
    "81": 1849,
    "82": 1283,
    "91": 1030,
    "92": 560,
    "93": 520,
    "94": 1450,
    "95": 1410,
    "96": 620,
}
UNKNOWN_PROVINCE_POPULATION = 1000  # a province added to the list after this table

# When the old codes stopped being issued: the laws creating the new provinces (by the old province code).
SPLIT_DATE = {"91": date(2022, 7, 25), "92": date(2022, 12, 8)}
# Share of families in a moved regency whose documents were issued before the split.
OLD_CODE_FAMILY_SHARE = 0.7

# KK numbers of the current form: SIAK, from 2005 on.
KK_FIRST_ISSUE = date(2005, 1, 1)

# Residents are placed in lumps of this many (see PopulationGenerator.quotas).
LUMP = 25

FAMILY_SIZES = ((1, 12), (2, 18), (3, 22), (4, 24), (5, 15), (6, 9))
SINGLE_PARENT_SHARE = 0.12

FAMILY_FIELDS = ("kk", "address", "district_code")
RESIDENT_FIELDS = (
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
FamilyRow = tuple[str, str, str]
ResidentRow = tuple[str, str, str, str, str, date, str, str, str, str, str, int]

MALE, FEMALE = Resident.Sex.MALE.value, Resident.Sex.FEMALE.value
HEAD, WIFE, CHILD = (
    Resident.Relationship.HEAD.value,
    Resident.Relationship.WIFE.value,
    Resident.Relationship.CHILD.value,
)

_ADMINISTRATIVE_PREFIXES = ("Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota ")


@dataclass(frozen=True)
class Place:
    """A district residents live in."""

    district_code: str  # dotted, today's
    digits: str  # undotted, today's: the start of NIKs issued now
    old_digits: str | None  # undotted pre-split code of this district, for a district of a moved regency
    split_date: date | None  # documents issued before it carry ``old_digits``
    # When ``old_digits`` was first listed, for a district an edition after the oldest one created
    # (Padua, 91.01.21, came with Permendagri 58/2021); None where the oldest edition already has it.
    old_from: date | None
    birth_place: str  # the regency's name as a KTP prints a birth place: "DEPOK", "BOGOR"
    weight: float  # share of the population


def birth_place_name(regency_name: str) -> str:
    for prefix in _ADMINISTRATIVE_PREFIXES:
        if regency_name.startswith(prefix):
            return regency_name[len(prefix) :].upper()
    return regency_name.upper()


def pre_split_district(district_code: str) -> HistoricalDistrict | None:
    """The code a pre-split edition gave this district, if it had one that no district has today.

    Should a district have had two (renumbered between 2019 and 2021), the one in force at the split wins.
    """
    candidates = [old for old in old_districts_by_current_code().get(district_code, ()) if old.code[:2] in SPLIT_DATE]
    return max(candidates, key=lambda old: EDITION_BY_KEY[old.editions[-1]].in_force_from, default=None)


def places_from_regions(names: dict[str, str]) -> list[Place]:
    """The districts of a Kemendagri list ({dotted code: name}, as regions.services.regions_read gives)."""
    districts = sorted(code for code in names if code.count(".") == 2)
    per_province: dict[str, int] = {}
    for code in districts:
        per_province[code[:2]] = per_province.get(code[:2], 0) + 1
    places = []
    for code in districts:
        regency = code[:5]
        province = code[:2]
        old = pre_split_district(code)
        places.append(
            Place(
                district_code=code,
                digits=code.replace(".", ""),
                old_digits=old.code.replace(".", "") if old else None,
                split_date=SPLIT_DATE[old.code[:2]] if old else None,
                old_from=old.first_listed if old and old.editions[0] != EDITIONS[0].key else None,
                birth_place=birth_place_name(names[regency]),
                weight=PROVINCE_POPULATION.get(province, UNKNOWN_PROVINCE_POPULATION) / per_province[province],
            )
        )
    return places


class _Picker:
    """A weighted choice with one random number and a bisection (random.choices re-does setup every call)."""

    def __init__(self, weighted: Sequence[tuple[object, float]]) -> None:
        self.items = [item for item, _weight in weighted]
        self.cumulative = list(accumulate(weight for _item, weight in weighted))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random):
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


# Occupation weights (percent) by age band and sex. Excluded groups: ASN, TNI and Polri only until 58 (their
# retirement age), elected and village offices at any adult age; together about 3% of adults.
_EXCLUDED_WORKING_MALE = {
    "PEGAWAI NEGERI SIPIL (PNS)": 2.3,
    "TENTARA NASIONAL INDONESIA (TNI)": 0.6,
    "KEPOLISIAN RI (POLRI)": 0.6,
    "PERANGKAT DESA": 0.5,
    "KEPALA DESA": 0.06,
    "ANGGOTA DPRD KABUPATEN/KOTA": 0.03,
    "ANGGOTA DPRD PROVINSI": 0.005,
    "ANGGOTA DPR-RI": 0.001,
    "ANGGOTA DPD": 0.0005,
    "BUPATI": 0.0008,
    "WAKIL BUPATI": 0.0008,
    "WALIKOTA": 0.0002,
    "GUBERNUR": 0.0001,
    "DIREKSI/KOMISARIS BUMN/BUMD": 0.005,
}
_EXCLUDED_WORKING_FEMALE = {
    "PEGAWAI NEGERI SIPIL (PNS)": 2.8,
    "TENTARA NASIONAL INDONESIA (TNI)": 0.1,
    "KEPOLISIAN RI (POLRI)": 0.15,
    "PERANGKAT DESA": 0.3,
    "KEPALA DESA": 0.02,
    "ANGGOTA DPRD KABUPATEN/KOTA": 0.01,
    "ANGGOTA DPRD PROVINSI": 0.002,
    "DIREKSI/KOMISARIS BUMN/BUMD": 0.002,
}
_WORKING_MALE = {
    "WIRASWASTA": 18,
    "KARYAWAN SWASTA": 17,
    "PETANI/PEKEBUN": 14,
    "BURUH HARIAN LEPAS": 9,
    occ.NOT_WORKING: 5,
    "PEDAGANG": 5,
    "SOPIR": 3,
    "BURUH TANI/PERKEBUNAN": 3,
    "NELAYAN/PERIKANAN": 2.5,
    "PERDAGANGAN": 2,
    "TUKANG BATU": 1.5,
    "GURU": 1.5,
    "TUKANG KAYU": 1,
    "MEKANIK": 1,
    "TRANSPORTASI": 1,
    "KONSTRUKSI": 1,
    "KARYAWAN HONORER": 1,
    "LAINNYA": 1,
    occ.STUDENT: 1,
    "KARYAWAN BUMN": 0.8,
    "PETERNAK": 0.8,
    "INDUSTRI": 0.5,
    occ.HOMEMAKER: 0.5,
    "KARYAWAN BUMD": 0.3,
    "PERAWAT": 0.3,
    "USTADZ/MUBALIGH": 0.3,
    "PELAUT": 0.3,
    "TUKANG LAS/PANDAI BESI": 0.3,
    "TUKANG LISTRIK": 0.3,
    "BURUH NELAYAN/PERIKANAN": 0.3,
    "DOSEN": 0.2,
    "DOKTER": 0.2,
    "JURU MASAK": 0.2,
    "IMAM MASJID": 0.1,
    "PENDETA": 0.1,
    "WARTAWAN": 0.1,
    "TUKANG CUKUR": 0.1,
    "SENIMAN": 0.1,
    "PENGACARA": 0.05,
    "AKUNTAN": 0.05,
    "KONSULTAN": 0.05,
    "ARSITEK": 0.03,
    "PILOT": 0.01,
    "PASTOR": 0.01,
    **_EXCLUDED_WORKING_MALE,
}
_WORKING_FEMALE = {
    occ.HOMEMAKER: 36,
    "KARYAWAN SWASTA": 14,
    "WIRASWASTA": 12,
    "PETANI/PEKEBUN": 7,
    "PEDAGANG": 6,
    occ.NOT_WORKING: 5,
    "BURUH HARIAN LEPAS": 3,
    "GURU": 3,
    "BURUH TANI/PERKEBUNAN": 2,
    "KARYAWAN HONORER": 1.5,
    "PERAWAT": 1,
    "PEMBANTU RUMAH TANGGA": 1,
    "PERDAGANGAN": 1,
    "LAINNYA": 1,
    occ.STUDENT: 1,
    "BIDAN": 0.8,
    "TUKANG JAHIT": 0.8,
    "KARYAWAN BUMN": 0.5,
    "PENATA RIAS": 0.3,
    "JURU MASAK": 0.3,
    "PENATA RAMBUT": 0.2,
    "DOSEN": 0.2,
    "DOKTER": 0.2,
    "APOTEKER": 0.1,
    "INDUSTRI": 0.3,
    "PSIKIATER/PSIKOLOG": 0.03,
    "BIARAWATI": 0.02,
    "NOTARIS": 0.02,
    **_EXCLUDED_WORKING_FEMALE,
}
_YOUNG_MALE = {
    occ.STUDENT: 45,
    occ.NOT_WORKING: 20,
    "KARYAWAN SWASTA": 12,
    "BURUH HARIAN LEPAS": 7,
    "WIRASWASTA": 5,
    "PETANI/PEKEBUN": 4,
    "PEDAGANG": 2,
    "SOPIR": 1,
    "NELAYAN/PERIKANAN": 1,
    "TENTARA NASIONAL INDONESIA (TNI)": 0.6,
    "KEPOLISIAN RI (POLRI)": 0.6,
    "PEGAWAI NEGERI SIPIL (PNS)": 0.1,
}
_YOUNG_FEMALE = {
    occ.STUDENT: 45,
    occ.NOT_WORKING: 18,
    occ.HOMEMAKER: 10,
    "KARYAWAN SWASTA": 12,
    "BURUH HARIAN LEPAS": 3,
    "WIRASWASTA": 4,
    "PEDAGANG": 3,
    "PETANI/PEKEBUN": 2,
    "KEPOLISIAN RI (POLRI)": 0.15,
    "TENTARA NASIONAL INDONESIA (TNI)": 0.05,
    "PEGAWAI NEGERI SIPIL (PNS)": 0.1,
}
_EXCLUDED_ELDERLY = {
    "KEPALA DESA": 0.1,
    "PERANGKAT DESA": 0.2,
    "ANGGOTA DPRD KABUPATEN/KOTA": 0.05,
    "ANGGOTA DPRD PROVINSI": 0.01,
    "ANGGOTA DPR-RI": 0.002,
    "BUPATI": 0.001,
}
_ELDERLY_MALE = {
    occ.RETIRED: 15,
    "PETANI/PEKEBUN": 25,
    occ.NOT_WORKING: 22,
    "WIRASWASTA": 14,
    "PEDAGANG": 6,
    "BURUH HARIAN LEPAS": 5,
    "BURUH TANI/PERKEBUNAN": 4,
    "NELAYAN/PERIKANAN": 2,
    occ.HOMEMAKER: 2,
    "USTADZ/MUBALIGH": 0.5,
    "LAINNYA": 1,
    **_EXCLUDED_ELDERLY,
}
_ELDERLY_FEMALE = {
    occ.HOMEMAKER: 40,
    occ.NOT_WORKING: 22,
    "PETANI/PEKEBUN": 12,
    occ.RETIRED: 10,
    "PEDAGANG": 7,
    "WIRASWASTA": 6,
    "BURUH TANI/PERKEBUNAN": 2,
    "LAINNYA": 1,
    "KEPALA DESA": 0.02,
    "PERANGKAT DESA": 0.05,
    "ANGGOTA DPRD KABUPATEN/KOTA": 0.01,
}
_SCHOOL_AGE = {occ.STUDENT: 94, occ.NOT_WORKING: 6}

# Name shapes: how many Indonesians write their names. (shape, weight)
_NAME_SHAPES = (("f", 15), ("fl", 45), ("ff", 15), ("pf", 10), ("pfl", 8), ("ffl", 7))
_MALE_PREFIXES = ("MUHAMMAD", "MUHAMAD", "MOHAMMAD", "MOH.", "M.", "AHMAD", "ABDUL", "I WAYAN", "I MADE")
_FEMALE_PREFIXES = ("SITI", "NUR", "SRI", "DEWI", "NI MADE", "NI LUH", "ST.")
# Streets found in every Indonesian town, next to Faker's (mostly Bandung) list.
_NATIONAL_STREETS = (
    "Merdeka",
    "Sudirman",
    "Jend. Sudirman",
    "Diponegoro",
    "Gatot Subroto",
    "Ahmad Yani",
    "Pahlawan",
    "Kartini",
    "Pemuda",
    "Veteran",
    "Cut Nyak Dien",
    "Imam Bonjol",
    "Hasanuddin",
    "Pattimura",
    "Gajah Mada",
    "Hayam Wuruk",
    "Raya",
    "Masjid",
    "Pasar",
    "Sekolah",
    "Kenanga",
    "Melati",
    "Mawar",
    "Flamboyan",
)


def _upper(names: Sequence[str]) -> tuple[str, ...]:
    return tuple(name.upper() for name in names)


class PopulationGenerator:
    def __init__(self, *, residents: int, seed: int, places: Sequence[Place], as_of: date = DEFAULT_AS_OF):
        if residents < 0:
            raise ValueError("residents must not be negative")
        if not places:
            raise ValueError("no districts to place residents in")
        self.residents = residents
        self.rng = random.Random(seed)
        self.places = list(places)
        self.as_of = as_of
        self._as_of_ordinal = as_of.toordinal()

        self.male_first = _upper(FakerPerson.first_names_male)
        self.female_first = _upper(FakerPerson.first_names_female)
        self.male_last = _upper(FakerPerson.last_names_male)
        self.female_last = _upper(FakerPerson.last_names_female)
        self.streets = _upper(sorted(set(FakerAddress.streets) | set(_NATIONAL_STREETS)))
        self.name_shape = _Picker(_NAME_SHAPES)
        self.family_size = _Picker(FAMILY_SIZES)
        self.birth_place_anywhere = _Picker([(p.birth_place, p.weight) for p in self.places])
        self.occupation = {
            (MALE, "school"): _Picker(list(_SCHOOL_AGE.items())),
            (FEMALE, "school"): _Picker(list(_SCHOOL_AGE.items())),
            (MALE, "young"): _Picker(list(_YOUNG_MALE.items())),
            (FEMALE, "young"): _Picker(list(_YOUNG_FEMALE.items())),
            (MALE, "working"): _Picker(list(_WORKING_MALE.items())),
            (FEMALE, "working"): _Picker(list(_WORKING_FEMALE.items())),
            (MALE, "elderly"): _Picker(list(_ELDERLY_MALE.items())),
            (FEMALE, "elderly"): _Picker(list(_ELDERLY_FEMALE.items())),
        }
        unknown = {name for picker in self.occupation.values() for name in picker.items} - set(occ.OCCUPATION_BY_NAME)
        if unknown:
            raise ValueError(f"occupations not in the KTP list: {sorted(unknown)}")

    # --- where people live ---------------------------------------------------------------------------

    def quotas(self) -> list[int]:
        """Residents per place, in the order of ``places``; they add up to ``residents`` exactly.

        Places receive residents in lumps of ``LUMP``, by systematic sampling over the places in a seeded
        random order: each place gets its expected number of lumps rounded down or up. Lumps, so that a small
        population is a few neighbourhoods of whole families rather than one person in each of 7,000
        districts; a random order, so that which places those are depends on the seed.
        """
        rng = self.rng
        total_weight = sum(p.weight for p in self.places)
        lumps = self.residents // LUMP
        order = list(range(len(self.places)))
        rng.shuffle(order)
        quotas = [0] * len(self.places)
        cumulative = rng.random()
        previous = 0
        for index in order:
            cumulative += lumps * self.places[index].weight / total_weight
            quotas[index] = (int(cumulative) - previous) * LUMP
            previous = int(cumulative)
        # Floating-point sums may miss by a lump; the remainder of the division joins a place drawn by weight.
        quotas[order[-1]] += lumps * LUMP - sum(quotas)
        quotas[bisect(list(accumulate(p.weight for p in self.places)), rng.random() * total_weight)] += (
            self.residents - lumps * LUMP
        )
        return quotas

    # --- the stream ---------------------------------------------------------------------------------

    def families(self) -> Iterator[tuple[FamilyRow, list[ResidentRow]]]:
        for place, quota in zip(self.places, self.quotas(), strict=True):
            if not quota:
                continue
            serials = SerialCounter()  # numbers are unique within a district; drop it after the district
            left = quota
            while left:
                size = min(self.family_size(self.rng), left)
                left -= size
                yield self._family(place, size, serials)

    # --- one family ---------------------------------------------------------------------------------

    def _family(self, place: Place, size: int, serials: SerialCounter) -> tuple[FamilyRow, list[ResidentRow]]:
        rng = self.rng
        old_code = place.old_digits is not None and rng.random() < OLD_CODE_FAMILY_SHARE
        address = self._address()

        # (sex, age, relationship, full_name, mother_name) for each member, head first.
        people: list[tuple[str, int, str, str, str | None]] = []
        mother_name: str | None = None
        mother_age = 0
        if size == 1:
            sex = MALE if rng.random() < 0.55 else FEMALE
            age = self._between(18, 35) if rng.random() < 0.75 else self._between(55, 80)
            people.append((sex, age, HEAD, self._name(sex), None))
        elif rng.random() < SINGLE_PARENT_SHARE:
            sex = FEMALE if rng.random() < 0.75 else MALE
            age = self._head_age()
            head_name = self._name(sex)
            people.append((sex, age, HEAD, head_name, None))
            if sex == FEMALE:
                mother_name, mother_age = head_name, age
            else:
                # The children's mother is not on this KK (divorced or deceased); her name is on theirs.
                mother_name, mother_age = self._name(FEMALE), max(18, age - self._between(0, 6))
        else:
            age = self._head_age()
            head_name = self._name(MALE)
            wife_age = min(80, max(18, age - self._between(-3, 8)))
            wife_name = self._name(FEMALE)
            people.append((MALE, age, HEAD, head_name, None))
            people.append((FEMALE, wife_age, WIFE, wife_name, None))
            mother_name, mother_age = wife_name, wife_age
        # Children of a head with a family name often carry it (Batak marga and the like).
        family_name = people[0][3].rsplit(" ", 1)[-1] if people[0][0] == MALE and " " in people[0][3] else None
        for _ in range(size - len(people)):
            sex = MALE if rng.random() < 0.51 else FEMALE
            age = self._between(max(0, mother_age - 42), max(0, mother_age - 18))
            name = self._name(sex)
            if family_name and " " in name and rng.random() < 0.3:
                name = name.rsplit(" ", 1)[0] + " " + family_name
            people.append((sex, age, CHILD, name, mother_name))

        # Birth dates, then the KK (issued after its youngest member was born), then the NIKs.
        as_of = self._as_of_ordinal
        births = [as_of - age * 365 - age // 4 - int(rng.random() * 365) for _sex, age, *_rest in people]
        head_adult = births[0] + 17 * 365 + 4
        issued_from = max(KK_FIRST_ISSUE.toordinal(), head_adult, max(births))
        split = place.split_date.toordinal() if place.split_date else 0
        # An old code is issued only while it was in force: before the split, and not before the edition that
        # created the district.
        old_issue_from = max(issued_from, place.old_from.toordinal()) if place.old_from else issued_from
        old_kk = old_code and old_issue_from < split
        if old_kk:
            issued = date.fromordinal(self._between(old_issue_from, split - 1))
            kk = serials.kk(district_digits=place.old_digits, issued=issued)
        else:
            issued = date.fromordinal(self._between(issued_from, max(issued_from, as_of)))
            kk = serials.kk(district_digits=place.digits, issued=issued)
        # Members born before the split keep an old-code NIK even on a newer KK, as people do; for a district
        # created by a later edition only with an old-code KK, whose date says the code existed.
        old_niks = old_code and (old_kk or place.old_from is None)

        members: list[ResidentRow] = []
        for (sex, age, relationship, name, mother), born in zip(people, births, strict=True):
            birth_date = date.fromordinal(born)
            female = sex == FEMALE
            digits = place.old_digits if old_niks and born < split else place.digits
            nik = serials.nik(district_digits=digits, birth_date=birth_date, female=female)
            birth_place = (
                place.birth_place if rng.random() < (0.9 if age < 18 else 0.7) else (self.birth_place_anywhere(rng))
            )
            members.append(
                (
                    nik,
                    kk,
                    relationship,
                    name,
                    birth_place,
                    birth_date,
                    sex,
                    mother or self._name(FEMALE),
                    self._occupation(sex, age),
                    address,
                    place.district_code,
                    rng.getrandbits(SAMPLE_KEY_BITS),
                )
            )
        return (kk, address, place.district_code), members

    # random.Random's randint and choice are Python-level call chains; these are one C call and arithmetic,
    # which matters at a dozen draws per resident.
    def _between(self, low: int, high: int) -> int:
        return low + int(self.rng.random() * (high - low + 1))

    def _pick(self, items: Sequence[str]) -> str:
        return items[int(self.rng.random() * len(items))]

    def _head_age(self) -> int:
        # Heads of families: most 25-50, a long tail to 80.
        rng = self.rng
        band = rng.random()
        if band < 0.2:
            return self._between(20, 29)
        if band < 0.48:
            return self._between(30, 39)
        if band < 0.72:
            return self._between(40, 49)
        if band < 0.88:
            return self._between(50, 59)
        return self._between(60, 80)

    def _occupation(self, sex: str, age: int) -> str:
        if age < 5:
            return occ.NOT_WORKING
        if age < 18:
            band = "school"
        elif age < 23:
            band = "young"
        elif age < 58:
            band = "working"
        else:
            band = "elderly"
        return self.occupation[sex, band](self.rng)

    def _name(self, sex: str) -> str:
        rng = self.rng
        if sex == MALE:
            first, last, prefixes = self.male_first, self.male_last, _MALE_PREFIXES
        else:
            first, last, prefixes = self.female_first, self.female_last, _FEMALE_PREFIXES
        shape = self.name_shape(rng)
        if shape == "f":
            return self._pick(first)
        if shape == "fl":
            return f"{self._pick(first)} {self._pick(last)}"
        if shape == "ff":
            return f"{self._pick(first)} {self._pick(first)}"
        if shape == "pf":
            return f"{self._pick(prefixes)} {self._pick(first)}"
        if shape == "pfl":
            return f"{self._pick(prefixes)} {self._pick(first)} {self._pick(last)}"
        return f"{self._pick(first)} {self._pick(first)} {self._pick(last)}"

    def _address(self) -> str:
        rng = self.rng
        prefix = "JL." if rng.random() < 0.75 else "GG."
        return (
            f"{prefix} {self._pick(self.streets)} NO. {self._between(1, 150)}, "
            f"RT {self._between(1, 15):03d}/RW {self._between(1, 12):03d}"
        )
