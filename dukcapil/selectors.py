"""Reads of the mock registry for demo and test tooling (the sample command, factories, load tests).

The portal's request and task paths never call these: they reach the registry through its client.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from typing import Literal

from django.db.models import Q

from dukcapil.models import SAMPLE_KEY_BITS, Resident
from dukcapil.occupations import EXCLUDED_OCCUPATIONS, STUDENT
from prakerja.timeutil import wib_today
from regions.historical import OLD_CODE_OF_REGENCY

SampleKind = Literal["ordinary", "excluded", "underage", "old_code"]
SAMPLE_KINDS: tuple[str, ...] = ("ordinary", "excluded", "underage", "old_code")

ADULT_AGE = 18
ORDINARY_MAX_AGE = 60

_SAMPLE_FIELDS = (
    "nik",
    "family_id",
    "birth_date",
    "full_name",
    "mother_name",
    "sex",
    "occupation",
    "address",
    "district_code",
    "birth_place",
    "sample_key",
)
# Rows fetched per query: enough that a selective kind needs few round trips, few enough to stay cheap.
_CHUNK_MIN, _CHUNK_MAX = 50, 2000


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def resident_kind_filter(kind: str, *, today: date) -> Q:
    """Which residents are of ``kind``, with ages counted at ``today``.

    - "ordinary": 18 to 60, not in an excluded group, not a pupil or student (a plausible applicant);
    - "excluded": an occupation in a group Permenko 11/2020 excludes;
    - "underage": younger than 18;
    - "old_code": a NIK carrying a regency code from before the 2022 Papua splits.
    """
    adult_born_by = years_before(today, ADULT_AGE)  # born on or before: 18 or older
    if kind == "ordinary":
        too_old_born_by = years_before(today, ORDINARY_MAX_AGE + 1)  # born on or before: 61 or older
        return Q(birth_date__lte=adult_born_by, birth_date__gt=too_old_born_by) & ~Q(
            occupation__in=sorted(EXCLUDED_OCCUPATIONS | {STUDENT})
        )
    if kind == "excluded":
        return Q(occupation__in=sorted(EXCLUDED_OCCUPATIONS))
    if kind == "underage":
        return Q(birth_date__gt=adult_born_by)
    if kind == "old_code":
        old_code = Q()
        for old_regency in sorted(OLD_CODE_OF_REGENCY.values()):
            old_code |= Q(nik__startswith=old_regency.replace(".", ""))
        return old_code
    raise ValueError(f"unknown kind {kind!r}; one of {', '.join(SAMPLE_KINDS)}")


def resident_sample(
    *,
    count: int,
    kind: str = "ordinary",
    rng_seed: int | None = None,
    exclude_nik: Callable[[list[str]], set[str]] | None = None,
    today: date | None = None,
) -> list[dict]:
    """Up to ``count`` random residents of ``kind`` (see resident_kind_filter), as identities to try.

    The same ``rng_seed`` on the same data gives the same residents in the same order. ``exclude_nik`` is
    called with each batch of candidate NIKs and returns those to skip (e.g. NIKs that portal accounts
    already hold). Fewer than ``count`` come back only when the registry has no more residents of the kind.

    Each dict: nik, kk, birth_date (ISO), full_name, mother_name, sex ("M"/"F"), occupation, address,
    birth_place, district_code, regency_code, province_code, and the district, regency and province names.

    How: every row has a uniform random ``sample_key``; rows in (sample_key, nik) order are a random
    permutation, so walking that index from a seeded random point, and wrapping around once, is a random
    sample — a few index range scans instead of sorting the table with ORDER BY random().
    """
    if count < 0:
        raise ValueError("count must not be negative")
    matching = Resident.objects.filter(resident_kind_filter(kind, today=today or wib_today()))
    start = random.Random(rng_seed).getrandbits(SAMPLE_KEY_BITS)
    picked: list[dict] = []
    for segment in (Q(sample_key__gte=start), Q(sample_key__lt=start)):
        after: tuple[int, str] | None = None
        while len(picked) < count:
            page = matching.filter(segment)
            if after is not None:
                page = page.filter(Q(sample_key__gt=after[0]) | Q(sample_key=after[0], nik__gt=after[1]))
            chunk = min(max(2 * (count - len(picked)), _CHUNK_MIN), _CHUNK_MAX)
            rows = list(page.order_by("sample_key", "nik").values(*_SAMPLE_FIELDS)[:chunk])
            if not rows:
                break
            after = (rows[-1]["sample_key"], rows[-1]["nik"])
            if exclude_nik is not None:
                dropped = exclude_nik([row["nik"] for row in rows])
                rows = [row for row in rows if row["nik"] not in dropped]
            picked.extend(rows[: count - len(picked)])
        if len(picked) >= count:
            break
    return _identities(picked)


def _identities(rows: list[dict]) -> list[dict]:
    from regions.models import District

    names = {
        code: (district, regency, province)
        for code, district, regency, province in District.objects.filter(
            code__in={row["district_code"] for row in rows}
        ).values_list("code", "name", "regency__name", "regency__province__name")
    }
    identities = []
    for row in rows:
        district, regency, province = names.get(row["district_code"], ("", "", ""))
        identities.append(
            {
                "nik": row["nik"],
                "kk": row["family_id"],
                "birth_date": row["birth_date"].isoformat(),
                "full_name": row["full_name"],
                "mother_name": row["mother_name"],
                "sex": row["sex"],
                "occupation": row["occupation"],
                "address": row["address"],
                "birth_place": row["birth_place"],
                "district_code": row["district_code"],
                "regency_code": row["district_code"][:5],
                "province_code": row["district_code"][:2],
                "district": district,
                "regency": regency,
                "province": province,
            }
        )
    return identities
