"""NIK and KK: their form, checked before anything is sent to the registry.

A NIK is 16 digits: the district (kecamatan) code where it was issued (6), the birth date as DDMMYY with 40
added to the day for women (6), and a serial (4, never 0000). A KK number is the district code (6), the
issue date as DDMMYY (6) and a serial (4). District codes are checked against today's Kemendagri list and
the district codes of earlier editions (regions/historical.py), since NIKs keep the code they were issued
with.
"""

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from regions.selectors import nik_region_exists

_SEPARATORS = re.compile(r"[\s.\-]")
FEMALE_DAY_OFFSET = 40


class IdentifierErrorCode(StrEnum):
    NIK_FORMAT = "nik_format"
    NIK_REGION = "nik_region"
    NIK_DATE = "nik_date"
    NIK_SERIAL = "nik_serial"
    NIK_BIRTH_DATE = "nik_birth_date"
    KK_FORMAT = "kk_format"
    KK_REGION = "kk_region"
    KK_SERIAL = "kk_serial"


class IdentifierError(ValueError):
    def __init__(self, code: IdentifierErrorCode) -> None:
        super().__init__(code)
        self.code = code


class Sex(StrEnum):
    MALE = "L"  # laki-laki
    FEMALE = "P"  # perempuan


@dataclass(frozen=True)
class NikParts:
    district_digits: str
    day: int
    month: int
    year_2: int
    sex: Sex
    serial: str

    def matches(self, birth_date: date) -> bool:
        return (birth_date.day, birth_date.month, birth_date.year % 100) == (self.day, self.month, self.year_2)


def digits_only(value: str) -> str:
    """What a person typed, without the spaces, dots and dashes people put in long numbers."""
    return _SEPARATORS.sub("", value or "")


def full_number(typed: str) -> str | None:
    """The 16-digit NIK or KK number in what staff typed into a search box, or None if it is not one."""
    number = digits_only(typed)
    return number if _is_16_digits(number) else None


def _is_16_digits(value: str) -> bool:
    return len(value) == 16 and value.isascii() and value.isdigit()


def _real_date(day: int, month: int, year_2: int) -> bool:
    # The century is not in the number: the date must exist in 19YY or 20YY (29 February of "00" exists in
    # 2000, of "01" in neither).
    for century in (1900, 2000):
        try:
            date(century + year_2, month, day)
        except ValueError:
            continue
        return True
    return False


def nik_parse(nik: str) -> NikParts:
    """The parts of a well-formed NIK; raises IdentifierError for the first rule it breaks."""
    if not _is_16_digits(nik):
        raise IdentifierError(IdentifierErrorCode.NIK_FORMAT)
    encoded_day, month, year_2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = Sex.FEMALE if encoded_day > FEMALE_DAY_OFFSET else Sex.MALE
    day = encoded_day - FEMALE_DAY_OFFSET if sex == Sex.FEMALE else encoded_day
    if not _real_date(day, month, year_2):
        raise IdentifierError(IdentifierErrorCode.NIK_DATE)
    if nik[12:] == "0000":
        raise IdentifierError(IdentifierErrorCode.NIK_SERIAL)
    return NikParts(district_digits=nik[:6], day=day, month=month, year_2=year_2, sex=sex, serial=nik[12:])


def nik_validate(nik: str, *, birth_date: date | None = None) -> NikParts:
    """Every rule of a NIK's form, including its region and, when given, the birth date it must encode."""
    parts = nik_parse(nik)
    if not nik_region_exists(parts.district_digits):
        raise IdentifierError(IdentifierErrorCode.NIK_REGION)
    if birth_date is not None and not parts.matches(birth_date):
        raise IdentifierError(IdentifierErrorCode.NIK_BIRTH_DATE)
    return parts


def kk_validate(kk: str) -> None:
    if not _is_16_digits(kk):
        raise IdentifierError(IdentifierErrorCode.KK_FORMAT)
    if not nik_region_exists(kk[:6]):
        raise IdentifierError(IdentifierErrorCode.KK_REGION)
    if kk[12:] == "0000":
        raise IdentifierError(IdentifierErrorCode.KK_SERIAL)


def identifier_mask(value: str) -> str:
    """3273••••••••0001: the region and the serial, enough for a person to recognise their own number."""
    if len(value) < 8:
        return "•" * len(value)
    return value[:4] + "•" * (len(value) - 8) + value[-4:]


def name_mask(value: str) -> str:
    """Siti Aminah → S••• A•••: each word's initial, for lists where staff recognise a record, not read a name."""
    return " ".join(word[:1] + "•••" for word in (value or "").split())


def birth_date_mask(value: date | None) -> str:
    """The year only (••-••-1995): enough to tell records apart in a list, not to know a birthday."""
    return f"••-••-{value.year}" if value else ""
