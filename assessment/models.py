from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessment.rules import MOTIVATION_MAX_POINTS, QuestionKind
from verification.models import EmploymentStatus

# --- The declaration (pernyataan) ---------------------------------------------------------------------


class DeclarationText(models.Model):
    """One published version of the declaration's wording. A declaration points at the version its
    applicant answered, so versions are never edited once published: a change is a new version
    (assessment.services.declaration_text_publish), which becomes the current one."""

    version = models.PositiveIntegerField(_("versi"), unique=True)
    title = models.CharField(_("judul"), max_length=200)
    intro = models.TextField(_("pengantar"))
    # The clauses the applicant declares true.
    clauses = models.TextField(
        _("pernyataan kebenaran data"), help_text=_("Teks yang disetujui pendaftar dengan mencentang kotak pernyataan.")
    )
    published_at = models.DateTimeField(_("diterbitkan pada"))
    is_current = models.BooleanField(_("berlaku"), default=False)

    class Meta:
        verbose_name = _("teks pernyataan")
        verbose_name_plural = _("teks pernyataan")
        ordering = ("-version",)
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="assessment_one_current_declaration_text"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} · {self.title}"


class Declaration(models.Model):
    """The applicant's answers to step 6, with the exact text version they answered.

    ``excluded_groups`` and ``other_aid`` hold the codes answered "ya" (assessment.eligibility);
    ``exclusion_reasons`` the reason codes those answers give (empty: eligible as far as declared).

    An applicant may correct their declaration until they join a wave: each correction is a new row (its
    ``revision`` one more), and the rows before it stay as they were, so what was declared when is never lost.
    ``current_for`` points from the one in force to its applicant (NULL on the rows it replaced): it is the
    relation ``user.declaration`` that the eligibility rules (waves/rules.py), the journey and the join read,
    so they all see the latest declaration and never an older one.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declarations", verbose_name=_("pengguna")
    )
    current_for = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="declaration",
        verbose_name=_("berlaku untuk"),
    )
    revision = models.PositiveSmallIntegerField(_("revisi"), default=1)
    text = models.ForeignKey(
        DeclarationText, on_delete=models.PROTECT, related_name="declarations", verbose_name=_("versi teks")
    )
    # The answer to "Apakah saat ini Anda menganggur?".
    employment = models.CharField(_("status pekerjaan"), max_length=16, choices=EmploymentStatus.choices)
    in_formal_education = models.BooleanField(_("sedang menempuh pendidikan formal"))
    excluded_groups = models.JSONField(_("kelompok dikecualikan yang dijawab “ya”"), default=list, blank=True)
    other_aid = models.JSONField(_("bantuan pemerintah lain yang diterima"), default=list, blank=True)
    truthful = models.BooleanField(_("menyatakan data benar"))
    exclusion_reasons = models.JSONField(_("alasan tidak memenuhi syarat"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("dikirim pada"))

    class Meta:
        verbose_name = _("pernyataan pendaftar")
        verbose_name_plural = _("pernyataan pendaftar")
        constraints = [
            models.CheckConstraint(condition=Q(truthful=True), name="assessment_declaration_truthful"),
            models.UniqueConstraint(fields=["user", "revision"], name="assessment_declaration_user_revision"),
            # The row in force is the applicant's own.
            models.CheckConstraint(
                condition=Q(current_for__isnull=True) | Q(current_for=models.F("user")),
                name="assessment_declaration_current_is_own",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


# --- The test -----------------------------------------------------------------------------------------


class Question(models.Model):
    key = models.SlugField(_("kunci"), max_length=64, unique=True)
    kind = models.CharField(_("jenis"), max_length=16, choices=QuestionKind.choices)
    passage = models.TextField(_("bacaan"), blank=True)
    text = models.TextField(_("pertanyaan"))
    active = models.BooleanField(_("aktif"), default=True, help_text=_("Hanya soal aktif yang diundi untuk tes baru."))
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah pada"), auto_now=True)

    class Meta:
        verbose_name = _("soal")
        verbose_name_plural = _("soal")
        ordering = ("kind", "key")
        indexes = [models.Index(fields=["kind", "active"], name="assessment_question_kind_idx")]

    def __str__(self) -> str:
        return self.key


class Option(models.Model):
    """An answer choice. Ability questions have exactly one ``is_correct`` (the loader and the admin check
    "exactly", the database "at most"); motivation options are worth ``points`` (0..3) instead."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("soal"))
    position = models.PositiveSmallIntegerField(_("urutan"))
    text = models.TextField(_("jawaban"))
    is_correct = models.BooleanField(_("jawaban benar"), default=False)
    points = models.PositiveSmallIntegerField(
        _("poin"), default=0, validators=[MaxValueValidator(MOTIVATION_MAX_POINTS)]
    )

    class Meta:
        verbose_name = _("pilihan jawaban")
        verbose_name_plural = _("pilihan jawaban")
        ordering = ("question", "position")
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="assessment_option_position_unique"),
            models.UniqueConstraint(
                fields=["question"], condition=Q(is_correct=True), name="assessment_option_one_correct"
            ),
            models.CheckConstraint(
                condition=Q(points__lte=MOTIVATION_MAX_POINTS), name="assessment_option_points_range"
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="assessment_option_position_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.question.key} #{self.position}"


class FinishedReason(models.TextChoices):
    SUBMITTED = "submitted", _("Dikirim pendaftar")
    TIMEOUT = "timeout", _("Waktu habis")


class Attempt(models.Model):
    """One sitting of the test. It is finished once ``submitted_at`` is set, or, when read, once its
    deadline has passed (the deadline holds whether or not a job has recorded it yet). For a timeout,
    ``submitted_at`` is the deadline: the moment the server's clock ended it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="test_attempts", verbose_name=_("pengguna")
    )
    seed = models.BigIntegerField(
        _("benih undian"), help_text=_("Mengulang undian soal: rules.questions_draw(seed=…).")
    )
    started_at = models.DateTimeField(_("mulai"))
    deadline = models.DateTimeField(_("batas waktu"))
    submitted_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    finished_reason = models.CharField(_("cara selesai"), max_length=16, choices=FinishedReason.choices, blank=True)
    score = models.PositiveSmallIntegerField(_("nilai"), null=True, blank=True)
    passed = models.BooleanField(_("lolos"), null=True)
    pass_score = models.PositiveSmallIntegerField(
        _("nilai batas lulus"), null=True, blank=True, help_text=_("TEST_PASS_SCORE pada saat penilaian.")
    )

    class Meta:
        verbose_name = _("tes")
        verbose_name_plural = _("tes")
        ordering = ("-started_at",)
        indexes = [
            models.Index(fields=["user", "-started_at"], name="assessment_attempt_user_idx"),
            # The expiry sweep looks only at running attempts.
            models.Index(
                fields=["deadline"], condition=Q(submitted_at__isnull=True), name="assessment_attempt_open_idx"
            ),
        ]
        constraints = [
            # At most one running attempt per applicant, even when "Mulai" is pressed twice at once.
            models.UniqueConstraint(
                fields=["user"], condition=Q(submitted_at__isnull=True), name="assessment_one_open_attempt"
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("started_at")), name="assessment_attempt_deadline"
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="assessment_attempt_score_range"),
            # Finished means scored, and scored means finished.
            models.CheckConstraint(
                condition=(
                    Q(submitted_at__isnull=True, score__isnull=True, passed__isnull=True, finished_reason="")
                    | Q(submitted_at__isnull=False, score__isnull=False, passed__isnull=False) & ~Q(finished_reason="")
                ),
                name="assessment_attempt_finished_scored",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.started_at:%Y-%m-%d %H:%M}"


class AttemptItem(models.Model):
    """One drawn question of an attempt, its options' shown order and the applicant's answer."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items", verbose_name=_("tes"))
    position = models.PositiveSmallIntegerField(_("nomor soal"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("soal"))
    option_order = models.JSONField(_("urutan pilihan"), help_text=_("Urutan (posisi) pilihan seperti ditampilkan."))
    chosen_option = models.ForeignKey(
        Option, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("jawaban")
    )
    answered_at = models.DateTimeField(_("dijawab pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("soal tes")
        verbose_name_plural = _("soal tes")
        ordering = ("attempt", "position")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="assessment_item_position_unique"),
            models.CheckConstraint(condition=Q(position__gte=1), name="assessment_item_position_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} #{self.position}"
