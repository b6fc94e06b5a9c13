"""Reads of the region tables, for address forms and for checking the region part of a NIK."""

import re

from prakerja.shared_cache import shared_read
from regions.historical import current_district_code
from regions.models import District, Province, Regency, code_dotted

# An undotted code's length says its level: "32" province, "3276" regency, "327601" district.
_MODEL_FOR_DIGITS_LENGTH = {2: Province, 4: Regency, 6: District}


# The lists of the address pickers are the published Kemendagri list, the same for everyone: kept in the shared
# cache (prakerja/shared_cache.py), bumped when a region is saved or regions_load runs.


def province_list() -> list[Province]:
    return shared_read("regions", "provinces", lambda: list(Province.objects.order_by("code")))


_PROVINCE_CODE = re.compile(r"[0-9]{2}")
_REGENCY_CODE = re.compile(r"[0-9]{2}\.[0-9]{2}")


def regency_list(*, province_code: str) -> list[Regency]:
    """The regencies of one province; ``province_code`` is dotted Kemendagri ("32"). A code of another shape names
    nothing: it is answered empty and never becomes a cache key (the picker's URL takes any text)."""
    if not _PROVINCE_CODE.fullmatch(province_code):
        return []
    return shared_read(
        "regions",
        f"regencies:{province_code}",
        lambda: list(Regency.objects.filter(province_id=province_code).order_by("code")),
    )


def district_list(*, regency_code: str) -> list[District]:
    """The districts of one regency; ``regency_code`` is dotted Kemendagri ("32.76"); any other shape, empty."""
    if not _REGENCY_CODE.fullmatch(regency_code):
        return []
    return shared_read(
        "regions",
        f"districts:{regency_code}",
        lambda: list(District.objects.filter(regency_id=regency_code).order_by("code")),
    )


def region_code_exists(code_digits: str) -> bool:
    """Whether an undotted code ("32", "3276", "327601") names a province, regency or district.

    One primary-key look-up: the length says which table, so a NIK's first six digits are checked
    without loading the region list.
    """
    if not code_digits.isascii() or not code_digits.isdigit():
        return False
    model = _MODEL_FOR_DIGITS_LENGTH.get(len(code_digits))
    if model is None:
        return False
    return model.objects.filter(pk=code_dotted(code_digits)).exists()


def nik_region_exists(district_digits: str) -> bool:
    """Whether a NIK's first six digits name a district today or named one in an earlier Kemendagri edition.

    NIKs keep the code they were issued with (regions/historical.py): "910241" (Napua under Permendagri
    72/2019) is as valid as "950113" (Napua today); "950141", the regency digits swapped, names nothing.
    """
    if len(district_digits) != 6 or not district_digits.isascii() or not district_digits.isdigit():
        return False
    current = current_district_code(code_dotted(district_digits))
    return District.objects.filter(pk=current).exists()
