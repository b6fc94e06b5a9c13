"""The operator console's funnel snapshots: counts kept fresh by beat, never counted per page view (DESIGN §7).

A snapshot is a wave's funnel as it stood at ``as_of`` (the wave's close, or the refresh's time while the wave is
still open), one row per domicile province and one for the accounts that have no domicile yet. The counts are
cumulative: ``ktp_verified`` is every account that reached at least that step (console/funnel.py says who is
counted). A refresh replaces a wave's rows in one transaction (console/services.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FunnelSnapshot(models.Model):
    wave = models.OneToOneField(
        "waves.Wave", on_delete=models.CASCADE, related_name="+", verbose_name=_("gelombang"), db_constraint=True
    )
    # The instant the steps were counted up to: the wave's close, or the refresh's time while it is open.
    as_of = models.DateTimeField(_("dihitung sampai"))
    computed_at = models.DateTimeField(_("dihitung pada"))
    seconds = models.FloatField(_("lama penghitungan (detik)"))
    # The standing selection run whose selected counts it holds (None: not selected yet); a new or voided run
    # makes the snapshot due again.
    run_id = models.PositiveBigIntegerField(_("proses seleksi"), null=True, blank=True)

    class Meta:
        verbose_name = _("potret corong")
        verbose_name_plural = _("potret corong")
        permissions = [
            ("view_console", _("Dapat membuka konsol operator")),
            ("export_results", _("Dapat mengunduh hasil seleksi dan corong")),
        ]

    def __str__(self) -> str:
        return f"{self.wave_id} @ {self.as_of:%Y-%m-%d %H:%M}"


class FunnelCount(models.Model):
    """One province's funnel in a snapshot (``province`` empty: accounts without a domicile yet)."""

    snapshot = models.ForeignKey(
        FunnelSnapshot, on_delete=models.CASCADE, related_name="counts", verbose_name=_("potret")
    )
    province = models.ForeignKey(
        "regions.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provinsi"),
    )
    accounts = models.PositiveIntegerField(_("akun"), default=0)
    email_verified = models.PositiveIntegerField(_("email terverifikasi"), default=0)
    ktp_verified = models.PositiveIntegerField(_("KTP terverifikasi"), default=0)
    personal_data = models.PositiveIntegerField(_("data diri"), default=0)
    ktp_photo = models.PositiveIntegerField(_("foto KTP"), default=0)
    phone_verified = models.PositiveIntegerField(_("nomor HP terverifikasi"), default=0)
    declared = models.PositiveIntegerField(_("pernyataan"), default=0)
    test_passed = models.PositiveIntegerField(_("tes lolos"), default=0)
    joined = models.PositiveIntegerField(_("gabung gelombang"), default=0)
    selected = models.PositiveIntegerField(_("terpilih"), default=0)

    class Meta:
        verbose_name = _("jumlah corong per provinsi")
        verbose_name_plural = _("jumlah corong per provinsi")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "province"], name="console_count_one_per_province"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id}/{self.province_id or '-'}"
