"""The mock civil registry (Dukcapil): families and residents with valid numbers.

Test tooling may write the registry directly (DESIGN §8); the portal reaches it only through its client, so a
test that needs an identity to verify builds a resident here and lets the portal ask about it.
"""

from datetime import date

import factory

from dukcapil.models import Family, Resident
from dukcapil.nik import SERIAL_MAX, kk_build, nik_build

BIRTH_DATE = date(1995, 8, 17)
KK_ISSUED = date(2015, 2, 1)


def _serial(n: int) -> int:
    # Numbers have four serial digits; the sequence runs on over the session, numbers only need to differ
    # within one test.
    return n % SERIAL_MAX + 1


class FamilyFactory(factory.django.DjangoModelFactory):
    """A Kartu Keluarga; a KK number already in the registry is that family (``family__kk=...`` makes relatives)."""

    class Meta:
        model = Family
        django_get_or_create = ("kk",)

    district_code = "32.76.01"
    kk = factory.LazyAttributeSequence(
        lambda o, n: kk_build(district_digits=o.district_code.replace(".", ""), issued=KK_ISSUED, serial=_serial(n))
    )
    address = "Jl. Merdeka No. 1, RT 001/RW 002"


class ResidentFactory(factory.django.DjangoModelFactory):
    """Siti Aminah, born 17 August 1995 in Kota Depok, head of a family of her own, as the registry knows her.

    Her NIK is built as the registry builds one: district, birth date (day + 40 for women), serial; change
    ``birth_date``, ``female`` or ``district_code`` and the NIK follows.
    """

    class Meta:
        model = Resident

    class Params:
        female = True

    district_code = "32.76.01"
    birth_date = BIRTH_DATE
    nik = factory.LazyAttributeSequence(
        lambda o, n: nik_build(
            district_digits=o.district_code.replace(".", ""),
            birth_date=o.birth_date,
            female=o.female,
            serial=_serial(n),
        )
    )
    family = factory.SubFactory(FamilyFactory, district_code=factory.SelfAttribute("..district_code"))
    relationship = Resident.Relationship.HEAD
    full_name = "Siti Aminah"
    birth_place = "Depok"
    sex = factory.LazyAttribute(lambda o: Resident.Sex.FEMALE if o.female else Resident.Sex.MALE)
    mother_name = "Nurhayati"
    occupation = "KARYAWAN SWASTA"
    address = factory.SelfAttribute("family.address")
