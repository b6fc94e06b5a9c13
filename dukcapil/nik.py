"""How the registry builds NIK and KK numbers (the seeder's side; the portal checks them on its own).

NIK: the district (kecamatan) code where it was issued, undotted (6 digits), the birth date as DDMMYY with 40
added to the day for women (6), and a serial among people of that district and date (4, 0001..9999).
KK: the district code (6), the issue date as DDMMYY (6), and a serial (4, 0001..9999).

A NIK keeps the code it was issued with: residents of a regency moved by a split may still carry the code
an earlier Kemendagri edition gave their district (regions/historical.py).
"""

from datetime import date

FEMALE_DAY_OFFSET = 40
SERIAL_MAX = 9999


def date_digits(day: date, *, female: bool = False) -> str:
    """DDMMYY, with 40 added to the day for a woman's NIK."""
    return f"{day.day + (FEMALE_DAY_OFFSET if female else 0):02d}{day.month:02d}{day.year % 100:02d}"


def number_build(*, district_digits: str, date_part: str, serial: int) -> str:
    if len(district_digits) != 6 or not district_digits.isdigit():
        raise ValueError(f"not an undotted district code: {district_digits!r}")
    if not 1 <= serial <= SERIAL_MAX:
        raise ValueError(f"serial out of range: {serial}")
    return f"{district_digits}{date_part}{serial:04d}"


def nik_build(*, district_digits: str, birth_date: date, female: bool, serial: int) -> str:
    return number_build(
        district_digits=district_digits, date_part=date_digits(birth_date, female=female), serial=serial
    )


def kk_build(*, district_digits: str, issued: date, serial: int) -> str:
    return number_build(district_digits=district_digits, date_part=date_digits(issued), serial=serial)


class SerialCounter:
    """Hands out the next free serial for each 12-digit prefix (district + date).

    The seeder keeps one per district and drops it when it moves on, so memory stays bounded by one
    district's population however many residents are generated.
    """

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def next(self, prefix: str) -> int:
        serial = self._last.get(prefix, 0) + 1
        if serial > SERIAL_MAX:
            raise OverflowError(f"more than {SERIAL_MAX} numbers for one district and date")
        self._last[prefix] = serial
        return serial

    def nik(self, *, district_digits: str, birth_date: date, female: bool) -> str:
        date_part = date_digits(birth_date, female=female)
        serial = self.next(district_digits + date_part)
        return f"{district_digits}{date_part}{serial:04d}"

    def kk(self, *, district_digits: str, issued: date) -> str:
        date_part = "K" + date_digits(issued)  # its own series: a KK and a NIK may share digits
        serial = self.next(district_digits + date_part)
        return f"{district_digits}{date_part[1:]}{serial:04d}"
