"""Indonesia's administrative regions down to the district (kecamatan), with Kemendagri codes.

Codes are stored dotted as Kemendagri writes them ("32", "32.76", "32.76.01") and are the primary keys,
so a foreign key to a region holds the official code itself. A NIK starts with the same code undotted
("327601…"), hence ``digits`` and ``code_dotted``.

The rows are reference data loaded by a migration (regions/services.py); nothing in the portal writes them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


def code_dotted(code_digits: str) -> str:
    """Turn an undotted region code ("3276") into the dotted Kemendagri form ("32.76")."""
    return ".".join(code_digits[i : i + 2] for i in range(0, len(code_digits), 2))


def code_digits(code: str) -> str:
    """Turn a dotted Kemendagri code ("32.76") into the undotted form used in a NIK ("3276")."""
    return code.replace(".", "")


class Province(models.Model):
    code = models.CharField(_("kode"), max_length=2, primary_key=True)
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("Provinsi")
        verbose_name_plural = _("Provinsi")

    def __str__(self) -> str:
        return self.name

    @property
    def digits(self) -> str:
        return code_digits(self.code)


class Regency(models.Model):
    class Kind(models.TextChoices):
        KABUPATEN = "kabupaten", _("Kabupaten")
        KOTA = "kota", _("Kota")

    code = models.CharField(_("kode"), max_length=5, primary_key=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="regencies", verbose_name=_("provinsi")
    )
    name = models.CharField(_("nama"), max_length=100)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("Kabupaten/Kota")
        verbose_name_plural = _("Kabupaten/Kota")

    def __str__(self) -> str:
        return self.name

    @property
    def digits(self) -> str:
        return code_digits(self.code)

    @staticmethod
    def kind_for_name(name: str) -> str:
        """The kind as Kemendagri's name says it: "Kota Depok", "Kota Administrasi Jakarta Pusat",
        "Kabupaten Bogor", "Kabupaten Administrasi Kepulauan Seribu"."""
        if name.startswith("Kota "):
            return Regency.Kind.KOTA.value
        if name.startswith("Kabupaten "):
            return Regency.Kind.KABUPATEN.value
        raise ValueError(f"Regency name without a Kabupaten/Kota prefix: {name!r}")


class District(models.Model):
    code = models.CharField(_("kode"), max_length=8, primary_key=True)
    regency = models.ForeignKey(
        Regency, on_delete=models.PROTECT, related_name="districts", verbose_name=_("kabupaten/kota")
    )
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("Kecamatan")
        verbose_name_plural = _("Kecamatan")

    def __str__(self) -> str:
        return self.name

    @property
    def digits(self) -> str:
        return code_digits(self.code)
