import itertools
from datetime import date

import factory
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role

PASSWORD = "Rahasia-Kuat-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"pendaftar{n}@contoh.id")
    password = factory.django.Password(PASSWORD)
    email_verified_at = None

    class Params:
        verified = factory.Trait(email_verified_at=factory.LazyFunction(timezone.now))


def staff_user(role: Role | None, **fields) -> User:
    """A staff account in ``role``'s group (none: staff with no group, who sees nothing behind the admin's door)."""
    from django.contrib.auth.models import Group

    user = UserFactory(verified=True, is_staff=True, **fields)
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    return user


# --- The mock registry (test tooling may write it directly; the portal reaches it only through its client) ---

_serials = itertools.count(1)


def registry_resident(
    *,
    full_name: str = "Siti Aminah",
    mother_name: str = "Nurhayati",
    birth_date: date = date(1995, 8, 17),
    female: bool = True,
    district_code: str = "32.76.01",
    occupation: str = "KARYAWAN SWASTA",
    kk: str | None = None,
):
    """A resident of the mock registry, with a valid NIK and a KK of their own unless ``kk`` is given."""
    from dukcapil.models import Family, Resident
    from dukcapil.nik import kk_build, nik_build

    digits = district_code.replace(".", "")
    if kk is None:
        kk = kk_build(district_digits=digits, issued=date(2015, 2, 1), serial=next(_serials))
    family, _created = Family.objects.get_or_create(
        kk=kk, defaults={"address": "Jl. Merdeka No. 1, RT 001/RW 002", "district_code": district_code}
    )
    return Resident.objects.create(
        nik=nik_build(district_digits=digits, birth_date=birth_date, female=female, serial=next(_serials)),
        family=family,
        relationship=Resident.Relationship.HEAD,
        full_name=full_name,
        birth_place="Depok",
        birth_date=birth_date,
        sex=Resident.Sex.FEMALE if female else Resident.Sex.MALE,
        mother_name=mother_name,
        occupation=occupation,
        address=family.address,
        district_code=district_code,
    )
