"""The mock civil registry's records: families (Kartu Keluarga) and their residents.

This is the registry's own database, not the portal's: NIK and KK are stored in clear here (the portal
encrypts its copies), and regions are stored as dotted Kemendagri codes rather than foreign keys to the
portal's region tables, because the registry is a separate service that only happens to share the process.
"""

import random

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dukcapil.occupations import OCCUPATION_CHOICES, OCCUPATION_MAX_LENGTH

sixteen_digits = RegexValidator(r"^[0-9]{16}\Z", _("Harus 16 digit angka."))
district_code_format = RegexValidator(r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\Z", _("Kode kecamatan bertitik, mis. 32.76.01."))

SAMPLE_KEY_BITS = 31


def sample_key_random() -> int:
    return random.getrandbits(SAMPLE_KEY_BITS)


class Family(models.Model):
    kk = models.CharField(_("nomor KK"), max_length=16, validators=[sixteen_digits])
    address = models.CharField(_("alamat"), max_length=200)
    district_code = models.CharField(_("kode kecamatan"), max_length=8, validators=[district_code_format])

    class Meta:
        verbose_name = _("Kartu Keluarga")
        verbose_name_plural = _("Kartu Keluarga")
        constraints = [models.UniqueConstraint(fields=["kk"], name="dukcapil_family_kk_unique")]

    def __str__(self) -> str:
        # Never the number itself: admin pages and logs print str().
        return f"KK #{self.pk}"


class Resident(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("Laki-laki")
        FEMALE = "F", _("Perempuan")

    class Relationship(models.TextChoices):
        HEAD = "KEPALA KELUARGA", _("Kepala keluarga")
        WIFE = "ISTRI", _("Istri")
        HUSBAND = "SUAMI", _("Suami")
        CHILD = "ANAK", _("Anak")

    nik = models.CharField(_("NIK"), max_length=16, validators=[sixteen_digits])
    # Keyed by the KK number itself: a resident row carries its KK, so checking one needs no join, and the
    # seeder can write families and residents in one pass without learning the families' ids.
    family = models.ForeignKey(
        Family,
        on_delete=models.CASCADE,
        to_field="kk",
        db_column="kk",
        db_index=False,  # indexed in Meta.indexes
        related_name="members",
        verbose_name=_("Kartu Keluarga"),
    )
    relationship = models.CharField(_("hubungan dalam keluarga"), max_length=20, choices=Relationship.choices)
    full_name = models.CharField(_("nama lengkap"), max_length=100)
    birth_place = models.CharField(_("tempat lahir"), max_length=100)
    birth_date = models.DateField(_("tanggal lahir"))
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    mother_name = models.CharField(_("nama ibu kandung"), max_length=100)
    occupation = models.CharField(_("pekerjaan"), max_length=OCCUPATION_MAX_LENGTH, choices=OCCUPATION_CHOICES)
    # As printed on the KTP: the family's address and its district.
    address = models.CharField(_("alamat"), max_length=200)
    district_code = models.CharField(_("kode kecamatan"), max_length=8, validators=[district_code_format])
    # Not registry data: a uniform random number the seeder gives every row, so demo tooling draws a
    # reproducible random sample by walking an index from a random point (dukcapil.selectors) instead of
    # sorting a million rows with ORDER BY random().
    sample_key = models.IntegerField(_("kunci sampel"), default=sample_key_random, editable=False)

    class Meta:
        verbose_name = _("Penduduk")
        verbose_name_plural = _("Penduduk")
        # Unique and indexed through Meta rather than unique=True/db_index: on PostgreSQL, Django adds a second,
        # varchar_pattern_ops index to those for LIKE queries the registry never makes, and every index
        # costs time when a million rows are loaded.
        constraints = [models.UniqueConstraint(fields=["nik"], name="dukcapil_resident_nik_unique")]
        indexes = [
            models.Index(fields=["family"], name="dukcapil_resident_kk"),
            # resident_sample: keyset walk in (sample_key, nik) order from a random point.
            models.Index(fields=["sample_key", "nik"], name="dukcapil_resident_sample"),
        ]

    def __str__(self) -> str:
        return f"{_('Penduduk')} #{self.pk}"
