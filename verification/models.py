import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from prakerja.crypto import IdentifierKind, pii_decrypt, pii_encrypt
from prakerja.fields import BlindIndexField, EncryptedDateField, EncryptedTextField, FernetTokenField, SealField
from verification.identifiers import Sex, identifier_mask, name_mask
from verification.storage import private_storage

SEX_CHOICES = [(Sex.MALE.value, _("Laki-laki")), (Sex.FEMALE.value, _("Perempuan"))]


class IdentityVerification(models.Model):
    """An account's NIK and KK, matched against the civil registry. One NIK belongs to one account.

    NIK and KK are stored encrypted with a keyed blind index (prakerja/crypto.py); the database's
    unique constraint on the NIK's index is what stops two accounts from claiming one NIK, even when two
    requests arrive at the same moment. The birth date is encrypted too: the age rule reads the fact the
    enrollment keeps (``waves.Enrollment.adult_at_close``), never the date in SQL.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity", verbose_name=_("pengguna")
    )
    # Tokens, read and written as such; ``nik`` and ``kk`` are the plain numbers.
    nik_encrypted = FernetTokenField(_("NIK (terenkripsi)"))
    nik_digest = BlindIndexField(_("indeks NIK"), kind=IdentifierKind.NIK, source="nik", unique=True)
    kk_encrypted = FernetTokenField(_("nomor KK (terenkripsi)"))
    kk_digest = BlindIndexField(_("indeks KK"), kind=IdentifierKind.KK, source="kk", db_index=True)
    birth_date = EncryptedDateField(_("tanggal lahir"), db_column="birth_date_encrypted")
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=SEX_CHOICES)
    # The registry's answer to "is the occupation on the KTP in an excluded group?", kept so that
    # selection never has to call the registry.
    registry_excluded_occupation = models.BooleanField(_("pekerjaan di KTP termasuk kelompok dikecualikan"))
    verified_at = models.DateTimeField(_("diverifikasi pada"))

    class Meta:
        verbose_name = _("verifikasi KTP")
        verbose_name_plural = _("verifikasi KTP")

    def __str__(self) -> str:
        return self.nik_masked

    @property
    def nik(self) -> str:
        return pii_decrypt(self.nik_encrypted)

    @nik.setter
    def nik(self, value: str) -> None:
        # The index follows when the row is saved (BlindIndexField).
        self.nik_encrypted = pii_encrypt(value)

    @property
    def kk(self) -> str:
        return pii_decrypt(self.kk_encrypted)

    @kk.setter
    def kk(self, value: str) -> None:
        self.kk_encrypted = pii_encrypt(value)

    @property
    def nik_masked(self) -> str:
        return identifier_mask(self.nik)

    @property
    def kk_masked(self) -> str:
        return identifier_mask(self.kk)


class RetainedNikIndex(models.Model):
    """The blind index of a NIK whose account was deleted after it had been given a Kartu Prakerja, and nothing
    else: no account, no number, no name (journey.services.account_delete, docs/PRIVACY.md).

    "A past recipient never again" (Perpres 36/2020) is checked by account; once an account is deleted its NIK is
    free for a new one, which would otherwise be a stranger to that rule. Only a keyed HMAC is kept (without
    PII_BLIND_INDEX_KEY nobody can test a NIK against it), only for recipients, and the rule reads it
    (waves.rules, PAST_RECIPIENT).

    The index cannot be recomputed under a new PII_BLIND_INDEX_KEYS key (the NIK is gone), so the row also keeps
    the NIK's seal (prakerja/crypto.py, "Seals"): ``pii_reindex`` moves the index along when an account holds the
    NIK again, and otherwise empties it; a NIK that is verified again restores it from the seal
    (``verification.services.retained_nik_relink``).
    """

    nik_digest = BlindIndexField(
        _("indeks NIK"),
        kind=IdentifierKind.NIK,
        follows="verification.IdentityVerification.nik_digest",
        unique=True,
        null=True,
        blank=True,
    )
    nik_seal = SealField(
        _("segel NIK"), kind=IdentifierKind.NIK, generation_field="nik_seal_generation", restores="nik_digest"
    )
    nik_seal_generation = models.PositiveSmallIntegerField(default=0, db_default=0)
    retained_at = models.DateTimeField(_("disimpan pada"))

    class Meta:
        verbose_name = _("indeks NIK penerima yang akunnya dihapus")
        verbose_name_plural = _("indeks NIK penerima yang akunnya dihapus")

    def __str__(self) -> str:
        return f"#{self.pk}"


class Education(models.TextChoices):
    NONE = "tidak_sekolah", _("Tidak/belum sekolah")
    SD = "sd", _("SD/sederajat")
    SMP = "smp", _("SMP/sederajat")
    SMA = "sma", _("SMA/SMK/sederajat")
    DIPLOMA = "diploma", _("Diploma (D1–D3)")
    S1 = "s1", _("D4/S1")
    S2 = "s2", _("S2")
    S3 = "s3", _("S3")


class MaritalStatus(models.TextChoices):
    SINGLE = "belum_kawin", _("Belum kawin")
    MARRIED = "kawin", _("Kawin")
    DIVORCED = "cerai_hidup", _("Cerai hidup")
    WIDOWED = "cerai_mati", _("Cerai mati")


class EmploymentStatus(models.TextChoices):
    UNEMPLOYED = "menganggur", _("Tidak bekerja / mencari kerja")
    LAID_OFF = "phk", _("Terkena PHK")
    FURLOUGHED = "dirumahkan", _("Dirumahkan")
    EMPLOYED = "bekerja", _("Bekerja")
    SELF_EMPLOYED = "usaha", _("Usaha sendiri / wirausaha")


class TrainingTopic(models.TextChoices):
    DIGITAL_MARKETING = "pemasaran_digital", _("Pemasaran digital")
    PROGRAMMING = "pemrograman", _("Pemrograman dan teknologi informasi")
    CULINARY = "kuliner", _("Kuliner dan tata boga")
    FASHION = "fesyen", _("Fesyen dan menjahit")
    AUTOMOTIVE = "otomotif", _("Otomotif dan perbengkelan")
    AGRICULTURE = "pertanian", _("Pertanian dan peternakan")
    HOSPITALITY = "perhotelan", _("Perhotelan dan pariwisata")
    OFFICE = "perkantoran", _("Administrasi perkantoran")
    LANGUAGE = "bahasa", _("Bahasa asing")
    BEAUTY = "kecantikan", _("Kecantikan")
    ENTREPRENEURSHIP = "kewirausahaan", _("Kewirausahaan")


class PersonalData(models.Model):
    """The applicant's own data (DESIGN §2 step 3); names were matched against the registry. Names and address
    are stored encrypted (prakerja/fields.py): nothing looks them up, so they have no index.

    Employment is not here: it is asked once, in the declaration ("Apakah saat ini Anda menganggur?",
    assessment.models.Declaration.employment), which every applicant who goes on answers."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_data", verbose_name=_("pengguna")
    )
    full_name = EncryptedTextField(_("nama lengkap"), max_length=150)
    mother_name = EncryptedTextField(_("nama ibu kandung"), max_length=150)
    address = EncryptedTextField(_("alamat sesuai KTP"), max_length=500)
    # Domicile decides which waves the applicant may join (waves open per province).
    district = models.ForeignKey(
        "regions.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("domisili (kecamatan)")
    )
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=SEX_CHOICES)
    education = models.CharField(_("pendidikan terakhir"), max_length=16, choices=Education.choices)
    marital_status = models.CharField(_("status perkawinan"), max_length=16, choices=MaritalStatus.choices)
    dependents = models.PositiveSmallIntegerField(_("jumlah tanggungan"), validators=[MaxValueValidator(20)])
    training_topic = models.CharField(_("topik pelatihan yang diminati"), max_length=32, choices=TrainingTopic.choices)
    completed_at = models.DateTimeField(_("diisi pada"))

    class Meta:
        verbose_name = _("data diri")
        verbose_name_plural = _("data diri")

    def __str__(self) -> str:
        # Masked: a str() ends up in admin titles, logs and audit records.
        return name_mask(self.full_name)


def _photo_path(instance: "KtpPhoto", filename: str) -> str:
    # Never the uploaded name: it can carry personal data and path tricks.
    return f"ktp/{uuid.uuid4().hex}.jpg"


def _thumbnail_path(instance: "KtpPhoto", filename: str) -> str:
    return f"ktp/thumbnails/{uuid.uuid4().hex}.jpg"


class KtpPhoto(models.Model):
    """The re-encoded KTP photo (no metadata), private; what the EXIF said is kept for reviewers."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ktp_photo", verbose_name=_("pengguna")
    )
    image = models.FileField(_("foto"), storage=private_storage, upload_to=_photo_path)
    thumbnail = models.FileField(_("thumbnail"), storage=private_storage, upload_to=_thumbnail_path)
    width = models.PositiveIntegerField(_("lebar (px)"))
    height = models.PositiveIntegerField(_("tinggi (px)"))
    size_bytes = models.PositiveIntegerField(_("ukuran tersimpan (byte)"))
    original_bytes = models.PositiveIntegerField(_("ukuran asli (byte)"))
    original_kind = models.CharField(_("format asli"), max_length=8)
    from_camera = models.BooleanField(
        _("dari kamera"), help_text=_("Menurut EXIF foto asli: merek/model kamera dan waktu pengambilan.")
    )
    camera = models.CharField(_("kamera"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(_("diunggah pada"))

    class Meta:
        verbose_name = _("foto KTP")
        verbose_name_plural = _("foto KTP")

    def __str__(self) -> str:
        return f"KTP #{self.pk}"


class PhoneNumber(models.Model):
    """An account's verified mobile number (E.164), stored encrypted. A number is verified by at most one account:
    the unique blind index says so, as look-ups by number go through it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone", verbose_name=_("pengguna")
    )
    number = EncryptedTextField(_("nomor HP"), max_length=16)
    number_digest = BlindIndexField(_("indeks nomor HP"), kind=IdentifierKind.PHONE, source="number", unique=True)
    verified_at = models.DateTimeField(_("diverifikasi pada"))

    class Meta:
        verbose_name = _("nomor HP")
        verbose_name_plural = _("nomor HP")

    def __str__(self) -> str:
        return f"#{self.pk}"


class OtpCode(models.Model):
    """A one-time code sent by SMS: stored as a keyed hash, bound to the number it was sent to, single use,
    valid OTP_VALIDITY, void after OTP_MAX_GUESSES wrong guesses or when a newer code is sent."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="otp_codes", verbose_name=_("pengguna")
    )
    number = EncryptedTextField(_("nomor HP"), max_length=16)
    # The daily cap per number counts codes by it.
    number_digest = BlindIndexField(_("indeks nomor HP"), kind=IdentifierKind.PHONE, source="number")
    code_hash = models.CharField(_("hash kode"), max_length=64)
    created_at = models.DateTimeField(_("dibuat pada"))
    expires_at = models.DateTimeField(_("kedaluwarsa pada"))
    wrong_guesses = models.PositiveSmallIntegerField(_("tebakan salah"), default=0)
    used_at = models.DateTimeField(_("dipakai pada"), null=True, blank=True)
    voided_at = models.DateTimeField(_("dibatalkan pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("kode OTP")
        verbose_name_plural = _("kode OTP")
        indexes = [
            # The daily caps count codes per account and per number since midnight WIB.
            models.Index(fields=["user", "created_at"], name="verif_otp_user_created"),
            models.Index(fields=["number_digest", "created_at"], name="verif_otp_digest_created"),
        ]

    def __str__(self) -> str:
        return f"OTP #{self.pk}"
