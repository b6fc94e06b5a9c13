"""Waves (gelombang), their per-province quotas, the agreement applicants accept, and enrollments.

A wave's status is a state machine (waves/states.py): the stored status is the last permanent state, and
what a page shows is ``Wave.status_at(now)``, derived from the stored status and the wave's times, so a
wave is open at its opening time and closed at its closing time whether or not the scheduled job has run.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prakerja.crypto import IdentifierKind
from prakerja.fields import BlindIndexField, EncryptedTextField, SealField
from verification.storage import private_storage
from waves.lottery import REGISTRATION_LENGTH, registration_number_new
from waves.reasons import ResultReason
from waves.rejections import RejectionReason


class WaveStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    OPEN = "open", _("Dibuka")
    CLOSED = "closed", _("Ditutup")
    SELECTING = "selecting", _("Sedang diseleksi")
    SELECTED = "selected", _("Hasil seleksi siap")
    ANNOUNCED = "announced", _("Diumumkan")


class Wave(models.Model):
    number = models.PositiveIntegerField(_("nomor gelombang"), unique=True)
    name = models.CharField(_("nama"), max_length=100)
    opens_at = models.DateTimeField(_("dibuka pada"))
    closes_at = models.DateTimeField(_("ditutup pada"))
    announce_at = models.DateTimeField(_("diumumkan pada"))
    quota = models.PositiveIntegerField(_("kuota nasional"))
    other_aid_allowed = models.BooleanField(
        _("penerima bantuan pemerintah lain boleh ikut"),
        default=True,
        help_text=_("Jika tidak dicentang, pendaftar yang menyatakan menerima bantuan lain tidak diikutkan."),
    )
    pool_unused_quota = models.BooleanField(
        _("kuota tak terpakai ke nasional"),
        default=True,
        help_text=_("Kuota provinsi yang tidak terisi diberikan ke kandidat terbaik secara nasional."),
    )
    select_automatically = models.BooleanField(
        _("seleksi otomatis setelah ditutup"),
        default=True,
        help_text=_(
            "Jika dicentang, seleksi dijalankan oleh jadwal setelah gelombang ditutup. Jika tidak, atau "
            "jika seleksi sebelumnya gagal atau dibatalkan, operator yang menjalankannya."
        ),
    )
    # When the selection was queued (by the schedule or an operator), so a later tick does not queue it again.
    selection_queued_at = models.DateTimeField(_("seleksi diantrekan pada"), null=True, blank=True)
    status = models.CharField(
        _("status tersimpan"), max_length=16, choices=WaveStatus.choices, default=WaveStatus.DRAFT
    )
    # A published draft opens by itself at opens_at; an unpublished one is still being prepared.
    published_at = models.DateTimeField(_("dipublikasikan pada"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("gelombang")
        verbose_name_plural = _("gelombang")
        ordering = ["-number"]
        permissions = [
            ("run_selection", _("Dapat menjalankan seleksi gelombang")),
            ("open_wave", _("Dapat membuka gelombang sebelum jadwalnya")),
            ("close_wave", _("Dapat menutup gelombang sebelum jadwalnya")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(opens_at__lt=F("closes_at")), name="waves_wave_opens_before_close"),
            models.CheckConstraint(
                condition=Q(closes_at__lte=F("announce_at")), name="waves_wave_announce_after_close"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    def save(self, *args, **kwargs) -> None:
        """Refuse to change what results were drawn with: the quota, the times and the policies."""
        update_fields = kwargs.get("update_fields")
        locked = LOCKED_WAVE_FIELDS if update_fields is None else LOCKED_WAVE_FIELDS & set(update_fields)
        if self.pk is not None and locked and self.has_results():
            stored = Wave.objects.filter(pk=self.pk).values(*locked).first() or {}
            changed = sorted(name for name in locked if name in stored and stored[name] != getattr(self, name))
            if changed:
                from waves.errors import WaveError, WaveErrorCode

                raise WaveError(WaveErrorCode.WAVE_LOCKED, fields=changed)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.has_results():
            from waves.errors import WaveError, WaveErrorCode

            raise WaveError(WaveErrorCode.WAVE_LOCKED, fields=["delete"])
        return super().delete(*args, **kwargs)

    def has_results(self) -> bool:
        """A selection run stands (succeeded, or running and writing): the quotas and times it drew with are locked
        and the wave cannot be deleted (waves.actions decides the rest of what an operator may do)."""
        return self.pk is not None and self.selection_runs.filter(status__in=["running", "succeeded"]).exists()

    @property
    def label(self) -> str:
        """ "Gelombang 12" in the active language, with the wave's name when it says more than its number."""
        label = gettext("Gelombang %(number)s") % {"number": self.number}
        if self.name.strip().casefold() in {f"gelombang {self.number}", label.casefold()}:
            return label
        return f"{label} ({self.name})"

    def status_at(self, now: datetime) -> str:
        """The status as it is at ``now``: time moves a wave on even before the scheduled job records it."""
        status = self.status
        if status == WaveStatus.DRAFT and self.published_at and now >= self.opens_at:
            status = WaveStatus.OPEN
        if status == WaveStatus.OPEN and now >= self.closes_at:
            status = WaveStatus.CLOSED
        if status == WaveStatus.SELECTED and now >= self.announce_at:
            status = WaveStatus.ANNOUNCED
        return status


# What a selection's results were drawn with: fixed once results exist (Wave.save, ProvinceQuota.save).
LOCKED_WAVE_FIELDS = frozenset(
    {"opens_at", "closes_at", "announce_at", "quota", "other_aid_allowed", "pool_unused_quota"}
)


class ProvinceQuota(models.Model):
    wave = models.ForeignKey(
        Wave, on_delete=models.CASCADE, related_name="province_quotas", verbose_name=_("gelombang")
    )
    province = models.ForeignKey(
        "regions.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("provinsi")
    )
    quota = models.PositiveIntegerField(_("kuota"))

    class Meta:
        verbose_name = _("kuota provinsi")
        verbose_name_plural = _("kuota provinsi")
        constraints = [models.UniqueConstraint(fields=["wave", "province"], name="waves_quota_one_per_province")]

    def __str__(self) -> str:
        from prakerja.formats import thousands

        return f"{self.province.name}: {thousands(self.quota)}"

    def save(self, *args, **kwargs) -> None:
        self._refuse_if_locked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_locked()
        return super().delete(*args, **kwargs)

    def _refuse_if_locked(self) -> None:
        if self.wave_id is not None and self.wave.has_results():
            from waves.errors import WaveError, WaveErrorCode

            raise WaveError(WaveErrorCode.WAVE_LOCKED, fields=["province_quotas"])


class WaveEvent(models.Model):
    """Who moved a wave to which status, and when (the audit trail of the state machine)."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="events", verbose_name=_("gelombang"))
    from_status = models.CharField(_("dari"), max_length=16, choices=WaveStatus.choices)
    to_status = models.CharField(_("ke"), max_length=16, choices=WaveStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("oleh"),
        help_text=_("Kosong: jadwal otomatis."),
    )
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    at = models.DateTimeField(_("pada"))

    class Meta:
        verbose_name = _("riwayat status gelombang")
        verbose_name_plural = _("riwayat status gelombang")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        from prakerja.timeutil import wib_moment

        return gettext("%(from)s → %(to)s, %(at)s") % {
            "from": self.get_from_status_display(),
            "to": self.get_to_status_display(),
            "at": wib_moment(self.at),
        }


class AgreementText(models.Model):
    """The "Persetujuan Kartu Prakerja" clauses, versioned; an enrollment records the version accepted."""

    version = models.PositiveIntegerField(_("versi"), unique=True)
    title = models.CharField(_("judul"), max_length=150)
    # The clauses, one per line.
    clauses = models.TextField(_("pernyataan"), help_text=_("Satu pernyataan per baris."))
    is_current = models.BooleanField(_("berlaku"), default=False)
    published_at = models.DateTimeField(_("berlaku sejak"))

    class Meta:
        verbose_name = _("teks persetujuan")
        verbose_name_plural = _("teks persetujuan")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="waves_agreement_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}: {self.title}"

    def clause_lines(self) -> list[str]:
        return [line.strip() for line in self.clauses.splitlines() if line.strip()]


class Enrollment(models.Model):
    """An applicant in a wave. "Pending" until the wave's results are announced: one pending at a time."""

    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("gelombang"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("pengguna")
    )
    # The domicile province when joining: the quota it competes in, even if the applicant moves later.
    province = models.ForeignKey(
        "regions.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("provinsi")
    )
    agreement = models.ForeignKey(
        AgreementText, on_delete=models.PROTECT, related_name="+", verbose_name=_("versi persetujuan")
    )
    joined_at = models.DateTimeField(_("bergabung pada"))
    # The applicant's own number in this wave, the lottery's input (waves/lottery.py): random (80 bits), so that
    # nobody can recompute the published list's numbers from the enrollments' sequential ids. Never published.
    registration_number = models.CharField(
        _("nomor registrasi"),
        max_length=REGISTRATION_LENGTH,
        unique=True,
        default=registration_number_new,
        editable=False,
    )
    pending = models.BooleanField(_("menunggu hasil"), default=True)
    # Whether the applicant is 18 by the wave's close (DESIGN §4: ages are counted at the close, in WIB), worked
    # out from their encrypted birth date in Python: the birth date cannot be compared in SQL, and this fact names
    # nobody. ``adult_counted_for`` is the closing time it was counted for; the selection recounts every row
    # counted for another one (the wave was closed early, or the row was written without it), so the age rule
    # in SQL (waves/rules.py) always reads a count for the close the wave really had.
    adult_at_close = models.BooleanField(_("berusia 18 saat gelombang ditutup"), null=True, blank=True)
    adult_counted_for = models.DateTimeField(_("usia dihitung untuk penutupan pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("pendaftaran gelombang")
        verbose_name_plural = _("pendaftaran gelombang")
        constraints = [
            models.UniqueConstraint(fields=["wave", "user"], name="waves_enrollment_once_per_wave"),
            # The database, not only the service, keeps "one pending enrollment at a time" under races.
            models.UniqueConstraint(fields=["user"], condition=Q(pending=True), name="waves_enrollment_one_pending"),
        ]
        indexes = [models.Index(fields=["wave", "province"], name="waves_enrollment_wave_prov")]

    def __str__(self) -> str:
        # Never the applicant's name; the admin lists select the wave with the row.
        return gettext("Pendaftaran #%(id)s di gelombang %(wave)s") % {"id": self.pk, "wave": self.wave.number}


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Berjalan")
    SUCCEEDED = "succeeded", _("Berhasil")
    FAILED = "failed", _("Gagal")
    # Its process stopped before it could finish (killed, a lost worker, a dropped connection): nothing written.
    INTERRUPTED = "interrupted", _("Terputus")
    VOIDED = "voided", _("Dibatalkan")


class SeedCommitment(models.Model):
    """A wave's lottery seed, drawn when the wave is published (before it opens), and its commitment.

    The commitment (SHA-256 of the seed, waves/lottery.py) is public at once on /transparansi/; the seed is
    stored encrypted and shown to nobody, staff included, until the wave's announcement. A void of a run before
    the announcement retires the commitment (when, and the acting operator's role, public too) and draws a new
    one: the next run uses the new seed."""

    wave = models.ForeignKey(
        Wave, on_delete=models.CASCADE, related_name="seed_commitments", verbose_name=_("gelombang")
    )
    seed = EncryptedTextField(_("benih undian"), max_length=64)
    commitment = models.CharField(_("komitmen benih (SHA-256)"), max_length=64)
    committed_at = models.DateTimeField(_("dipublikasikan pada"))
    voided_at = models.DateTimeField(_("diganti pada"), null=True, blank=True)
    voided_by_role = models.CharField(_("diganti oleh (peran)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("komitmen benih undian")
        verbose_name_plural = _("komitmen benih undian")
        ordering = ["committed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave"], condition=Q(voided_at__isnull=True), name="waves_one_current_commitment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wave_id}: {self.commitment[:12]}…"


class SelectionRun(models.Model):
    """One selection of a wave: its seed, who ran it, its phases and counts, so any result can be explained."""

    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="selection_runs", verbose_name=_("gelombang"))
    # Secret until the announcement, like the commitment's: encrypted at rest, hidden in the admin before then.
    seed = EncryptedTextField(_("benih undian"), max_length=64)
    # The published commitment whose seed the run used; empty for a seed given by hand (tests, benchmarks).
    commitment = models.ForeignKey(
        SeedCommitment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="runs",
        verbose_name=_("komitmen benih"),
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("operator"),
        help_text=_("Kosong: jadwal otomatis."),
    )
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField(_("mulai"))
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    phases = models.JSONField(_("tahap dan waktu"), default=list, blank=True)
    counts = models.JSONField(_("jumlah per provinsi dan alasan"), default=dict, blank=True)
    error = models.TextField(_("galat"), blank=True)

    class Meta:
        verbose_name = _("proses seleksi")
        verbose_name_plural = _("proses seleksi")
        permissions = [("void_selectionrun", _("Dapat membatalkan hasil seleksi sebelum pengumuman"))]
        constraints = [
            # At most one standing result per wave: a new seed needs the previous run voided first.
            models.UniqueConstraint(
                fields=["wave"], condition=Q(status__in=["running", "succeeded"]), name="waves_one_standing_run"
            ),
        ]

    def __str__(self) -> str:
        return gettext("Proses seleksi #%(id)s (%(status)s)") % {"id": self.pk, "status": self.get_status_display()}


class Result(models.Model):
    """The outcome of one enrollment in one run: selected, or not with the reason shown to the applicant."""

    # A selection writes a row per enrollment, millions at once, in one INSERT … SELECT from the enrollments, so
    # every index and foreign-key check here is paid per row (a deferred check is a locking look-up at commit:
    # 4 of them doubled the time of a run). The rows are written only by that statement, from the enrollments it
    # reads and the run it belongs to, and removed only with their run or enrollment (Django's on_delete), so
    # the references are kept by the code rather than re-checked by the database; the run and the enrollment
    # are found through the composite index and constraint below, and provinces are never deleted. The user is
    # a copy of the enrollment's: results go with the enrollment when a user is deleted.
    # On PostgreSQL the table is partitioned by run (results_partition in the initial migration): a selection
    # writes its run's rows into a table of their own and attaches it, so its indexes are built once rather than
    # kept up to date row by row; the primary key and the unique constraint there include the run.
    run = models.ForeignKey(
        SelectionRun,
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name=_("proses"),
        db_index=False,
        db_constraint=False,
    )
    enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name=_("pendaftaran"),
        db_index=False,
        db_constraint=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        verbose_name=_("pengguna"),
        db_index=False,
        db_constraint=False,
    )
    province = models.ForeignKey(
        "regions.Province",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("provinsi"),
        db_index=False,
        db_constraint=False,
    )
    kk_digest = BlindIndexField(_("indeks KK"), kind=IdentifierKind.KK, copy_of="user__identity__kk_digest")
    priority = models.SmallIntegerField(_("prioritas"), default=0)
    lottery = models.CharField(
        _("nomor undian"), max_length=64, help_text=_('SHA-256 dari "benih:nomor registrasi", heksadesimal.')
    )
    # The place among the province's candidates (priority, then lottery), 1 first; empty for an enrollment a
    # rule excluded. A province selects its best places up to its quota, skipping places the KK cap sets aside.
    province_rank = models.PositiveIntegerField(_("urutan di provinsi"), null=True, blank=True)
    # NULL for a selected row; the selection's SQL writes it, and "" would be a second way to say "none".
    reason = models.CharField(  # noqa: DJ001
        _("alasan"), max_length=32, null=True, blank=True, choices=ResultReason.choices
    )
    selected = models.BooleanField(_("terpilih"), default=False)
    from_pool = models.BooleanField(_("dari kuota nasional"), default=False)

    class Meta:
        verbose_name = _("hasil seleksi")
        verbose_name_plural = _("hasil seleksi")
        # Enrollment first: the same index finds an applicant's results (Riwayat Gelombang).
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "run"], name="waves_result_once_per_run"),
            # The rank's sort key writes the tier as one character (waves/selection/ranking.py, rank_key): a tier of 10
            # would sort as "1" and rank wrongly, so the database refuses it and the run fails with nothing written.
            models.CheckConstraint(
                condition=Q(priority__gte=0, priority__lte=9), name="waves_result_priority_one_digit"
            ),
        ]
        indexes = [
            # The selection's passes read a province's next places and a KK's selected members.
            models.Index(fields=["run", "province", "province_rank"], name="waves_result_run_prov_rank"),
            models.Index(fields=["kk_digest", "run"], condition=Q(selected=True), name="waves_result_kk_selected"),
        ]

    def __str__(self) -> str:
        # Ids only: an admin list of results must not load each applicant (nor show their data).
        outcome = _("terpilih") if self.selected else self.get_reason_display()
        return f"{self.run_id}/{self.enrollment_id}: {outcome}"


# The batch of every card not issued by a selection run: partition 0 of the cards.
CARDS_SINGLES_BATCH = 0


class Card(models.Model):
    """A Kartu Prakerja: issued to a selected applicant, shown from the announcement on."""

    # Issued in one INSERT … SELECT from the run's results, so, as for results, the references are kept by that
    # statement rather than re-checked row by row at commit, and there are no LIKE (varchar_pattern_ops)
    # indexes: the number and the KK index are declared in Meta, where PostgreSQL builds only a plain index.
    result = models.OneToOneField(
        Result, on_delete=models.CASCADE, related_name="card", verbose_name=_("hasil seleksi"), db_constraint=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cards",
        verbose_name=_("pengguna"),
        db_constraint=False,
    )
    wave = models.ForeignKey(
        Wave,
        on_delete=models.PROTECT,
        related_name="cards",
        verbose_name=_("gelombang"),
        db_index=False,
        db_constraint=False,
    )
    number = models.CharField(_("nomor kartu"), max_length=16)
    # The holder's KK index, kept with the card: the KK cap counts cards (revoked ones too) by it. When the holder
    # deletes their account the card stays and so does the index, with a seal of the KK to restore it should a key
    # rotation find no one holding that KK any more (prakerja/crypto.py, "Seals"; waves.services.cards_relink).
    kk_digest = BlindIndexField(
        _("indeks KK"),
        kind=IdentifierKind.KK,
        copy_of="user__identity__kk_digest",
        follows="verification.IdentityVerification.kk_digest",
        blank=True,
    )
    kk_seal = SealField(
        _("segel KK"), kind=IdentifierKind.KK, generation_field="kk_seal_generation", restores="kk_digest"
    )
    kk_seal_generation = models.PositiveSmallIntegerField(default=0, db_default=0)
    balance = models.PositiveIntegerField(_("saldo pelatihan (Rp)"))
    issued_at = models.DateTimeField(_("diterbitkan pada"))
    first_training_deadline = models.DateTimeField(_("batas membeli pelatihan pertama"))
    revoked_at = models.DateTimeField(_("dicabut pada"), null=True, blank=True)
    # The selection run that issued the card (its id), or 0 for a card written on its own (the tests' factories).
    # On PostgreSQL the cards are partitioned by it (migration 0014): a run's cards are a partition written by
    # CREATE TABLE … AS and then attached, as its results and its announcement's messages are, and dropped whole
    # when the run is voided.
    batch = models.BigIntegerField(
        _("kelompok penerbitan"), default=CARDS_SINGLES_BATCH, db_default=CARDS_SINGLES_BATCH, editable=False
    )

    class Meta:
        verbose_name = _("Kartu Prakerja")
        verbose_name_plural = _("Kartu Prakerja")
        # With the batch, which PostgreSQL requires of a partitioned table's unique index. A number is unique across
        # batches all the same: it is made from the wave's number and the result's id (waves/cards.py), and result
        # ids are unique. For the same reason the database holds the result's uniqueness (the one-to-one field) per
        # batch (migration 0014); a result is issued one card, by its own run.
        constraints = [models.UniqueConstraint(fields=["number", "batch"], name="waves_card_number_unique")]
        indexes = [
            models.Index(fields=["kk_digest"], name="waves_card_kk_digest"),
            models.Index(fields=["kk_seal"], condition=~Q(kk_seal=""), name="waves_card_kk_seal"),
        ]

    def __str__(self) -> str:
        return f"{self.number[:4]}••••••••{self.number[-4:]}"


class StatementText(models.Model):
    """The "gagal 3 kali" surat pernyataan, versioned like the other legal texts; a complaint records the version
    its letter was printed from."""

    version = models.PositiveIntegerField(_("versi"), unique=True)
    title = models.CharField(_("judul"), max_length=150)
    opening = models.TextField(_("pembuka"), help_text=_("Sebelum data diri pendaftar."))
    body = models.TextField(_("isi pernyataan"), help_text=_("Setelah daftar gelombang; satu paragraf per baris."))
    is_current = models.BooleanField(_("berlaku"), default=False)
    published_at = models.DateTimeField(_("berlaku sejak"))

    class Meta:
        verbose_name = _("teks surat pernyataan")
        verbose_name_plural = _("teks surat pernyataan")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="waves_statement_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}: {self.title}"

    def paragraphs(self) -> list[str]:
        return [line.strip() for line in self.body.splitlines() if line.strip()]


class ComplaintStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu peninjauan")
    APPROVED = "approved", _("Disetujui")
    REJECTED = "rejected", _("Ditolak")


# Pending or approved: an applicant has at most one; an approval gives priority until they are selected.
OPEN_COMPLAINT_STATUSES = (ComplaintStatus.PENDING, ComplaintStatus.APPROVED)


def _letter_path(instance: "Complaint", filename: str) -> str:
    # A name of our own: nothing the applicant sent decides where a file goes or how it is served.
    extension = "pdf" if instance.letter_kind == "pdf" else "jpg"
    return f"complaints/{instance.user_id}/{uuid.uuid4().hex}.{extension}"


class Complaint(models.Model):
    """A "gagal 3 kali" complaint (DESIGN §5): the signed statement after three failed selections, and its review."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="complaints", verbose_name=_("pendaftar")
    )
    text = models.ForeignKey(StatementText, on_delete=models.PROTECT, related_name="+", verbose_name=_("versi surat"))
    waves = models.ManyToManyField(Wave, related_name="+", verbose_name=_("gelombang yang disebut"))
    failed_selections = models.PositiveSmallIntegerField(
        _("seleksi gagal"), help_text=_("Jumlah gelombang yang belum berhasil saat surat diunggah.")
    )
    letter = models.FileField(_("surat bertanda tangan"), storage=private_storage, upload_to=_letter_path)
    letter_kind = models.CharField(_("format"), max_length=8)
    letter_bytes = models.PositiveIntegerField(_("ukuran (byte)"))
    submitted_at = models.DateTimeField(_("diunggah pada"))
    status = models.CharField(
        _("status"), max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.PENDING
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("peninjau"),
    )
    decided_at = models.DateTimeField(_("diputuskan pada"), null=True, blank=True)
    rejection_reason = models.CharField(
        _("alasan penolakan"), max_length=32, blank=True, choices=RejectionReason.choices
    )
    # The reviewer's own words: required with "lainnya", optional with the other reasons and with an approval.
    decision_reason = models.TextField(_("catatan peninjau"), blank=True)
    # The reviewer's checks of the letter (waves.rejections.CheckItem: true/false), stored with the decision.
    checklist = models.JSONField(_("daftar periksa"), default=dict, blank=True)

    class Meta:
        verbose_name = _("pengaduan gagal 3 kali")
        verbose_name_plural = _("pengaduan gagal 3 kali")
        ordering = ["-submitted_at", "-id"]
        permissions = [("review_complaint", _("Dapat menyetujui atau menolak pengaduan gagal 3 kali"))]
        constraints = [
            # The database, not only the service, keeps "one open statement at a time" under races.
            models.UniqueConstraint(
                fields=["user"], condition=Q(status__in=["pending", "approved"]), name="waves_complaint_one_open"
            ),
            # A decision always names its reviewer and time; a rejection always its reason.
            models.CheckConstraint(
                condition=(
                    Q(status="pending", reviewer__isnull=True, decided_at__isnull=True)
                    | Q(status__in=["approved", "rejected"], reviewer__isnull=False, decided_at__isnull=False)
                ),
                name="waves_complaint_decision_recorded",
            ),
            # A rejection has a reason from the list, and "lainnya" the reviewer's words.
            models.CheckConstraint(
                condition=~Q(status="rejected")
                | (~Q(rejection_reason="") & (~Q(rejection_reason="lainnya") | ~Q(decision_reason=""))),
                name="waves_complaint_rejection_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="waves_complaint_status")]

    def __str__(self) -> str:
        return gettext("Pengaduan #%(id)s (%(status)s)") % {"id": self.pk, "status": self.get_status_display()}

    @property
    def rejection(self) -> RejectionReason | None:
        if self.status != ComplaintStatus.REJECTED or not self.rejection_reason:
            return None
        return RejectionReason(self.rejection_reason)

    @property
    def fixable(self) -> bool:
        """Rejected for a reason the applicant can correct by uploading the letter again at once."""
        return self.rejection is not None and self.rejection.fixable
