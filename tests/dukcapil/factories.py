"""Registry records with known values, for tests that need one particular resident."""

from datetime import date

import factory

from dukcapil.models import Family, Resident


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    kk = factory.Sequence(lambda n: f"327601120315{n + 1:04d}")
    address = "JL. MARGONDA RAYA NO. 12, RT 003/RW 007"
    district_code = "32.76.01"


class ResidentFactory(factory.django.DjangoModelFactory):
    """A woman of Kota Depok born 5 June 1990: her NIK's day is 45 (5 + 40)."""

    class Meta:
        model = Resident

    nik = factory.Sequence(lambda n: f"327601450690{n + 1:04d}")
    family = factory.SubFactory(FamilyFactory)
    relationship = Resident.Relationship.WIFE
    full_name = "SITI NURAINI"
    birth_place = "DEPOK"
    birth_date = date(1990, 6, 5)
    sex = Resident.Sex.FEMALE
    mother_name = "RATNA SARI DEWI"
    occupation = "KARYAWAN SWASTA"
    address = factory.SelfAttribute("family.address")
    district_code = factory.SelfAttribute("family.district_code")
