"""Why an enrollment was not selected: one type for the rules, the selection, the complaint eligibility, the
admin and the applicant's pages (DESIGN §4, §5).

Each reason has two texts: its label (``ResultReason.X.label``), short, for operators in the admin and the run's
counts; and ``applicant_message``, a sentence that says to the applicant what happened. The first nine are the
eligibility rules (waves/rules.py), in the order the selection tries them; the last two are the selection's own. ``in_education`` is the declaration's own code (assessment.eligibility.IN_EDUCATION), not a second spelling.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment import eligibility


class ResultReason(models.TextChoices):
    # The rules: an applicant who fails one is not a candidate.
    AGE = "age", _("Belum 18 tahun")
    IN_EDUCATION = eligibility.IN_EDUCATION, _("Sedang sekolah atau kuliah")
    EXCLUDED_GROUP_DECLARED = "excluded_group_declared", _("Kelompok dikecualikan (pernyataan)")
    EXCLUDED_GROUP_REGISTRY = "excluded_group_registry", _("Kelompok dikecualikan (pekerjaan di KTP)")
    PAST_RECIPIENT = "past_recipient", _("Pernah menerima kartu")
    KK_FULL = "kk_full", _("KK sudah 2 penerima")
    # Read by the selection only: another wave selected at the same time, not yet announced, filled the KK.
    KK_FILLED_ELSEWHERE = "kk_filled_elsewhere", _("KK diisi gelombang lain pada seleksi yang sama")
    OTHER_AID = "other_aid", _("Penerima bantuan lain")
    TEST_NOT_PASSED = "test_not_passed", _("Tes belum lolos")
    # The selection: a candidate who was not selected.
    QUOTA = "quota", _("Kuota provinsi terisi")
    KK_CAP = "kk_cap", _("Batas 2 penerima per KK")

    @property
    def applicant_message(self) -> str:
        return str(APPLICANT_MESSAGES[self])

    @property
    def is_failed_selection(self) -> bool:
        """Whether "gagal 3 kali" counts it: the applicant was a candidate, through every rule, and lost the
        lottery or the KK cap. A rule's exclusion is no selection; a KK filled by another wave selected at the
        same time is not the applicant's loss in this wave's lottery."""
        return self in FAILED_SELECTION


APPLICANT_MESSAGES = {
    ResultReason.AGE: _("Usia minimal 18 tahun saat gelombang ditutup."),
    ResultReason.IN_EDUCATION: _("Peserta tidak sedang menempuh pendidikan formal."),
    ResultReason.EXCLUDED_GROUP_DECLARED: _(
        "Peserta bukan pejabat negara, anggota DPR/DPRD, ASN, prajurit TNI, anggota Polri, kepala/perangkat desa, "
        "atau direksi/komisaris/dewan pengawas BUMN/BUMD."
    ),
    ResultReason.EXCLUDED_GROUP_REGISTRY: _(
        "Menurut data Dukcapil, pekerjaan di KTP Anda termasuk kelompok yang tidak dapat mengikuti program."
    ),
    ResultReason.PAST_RECIPIENT: _("Penerima Kartu Prakerja sebelumnya tidak dapat menerima lagi."),
    ResultReason.KK_FULL: _("Sudah ada 2 penerima Kartu Prakerja dalam Kartu Keluarga Anda."),
    ResultReason.OTHER_AID: _("Gelombang ini tidak terbuka bagi penerima bantuan pemerintah lain."),
    ResultReason.TEST_NOT_PASSED: _("Lulus Tes Motivasi & Kemampuan Dasar."),
    ResultReason.QUOTA: _("Kuota provinsi Anda sudah terisi oleh pendaftar dengan urutan undian lebih awal."),
    ResultReason.KK_CAP: _("Sudah ada 2 penerima Kartu Prakerja dalam Kartu Keluarga Anda."),
    ResultReason.KK_FILLED_ELSEWHERE: _(
        "Kartu Keluarga Anda sudah mendapat 2 penerima dari gelombang lain yang diseleksi pada waktu yang sama. "
        "Ini tidak dihitung sebagai kegagalan seleksi Anda."
    ),
}

FAILED_SELECTION = frozenset({ResultReason.QUOTA, ResultReason.KK_CAP})


def reason_message(code: str | None) -> str:
    """The applicant's sentence for a stored reason code ("" when selected, the code itself if unknown)."""
    if code is None:
        return ""
    try:
        return ResultReason(code).applicant_message
    except ValueError:
        return code


def reason_label(code: str) -> str:
    """The operator's label for a stored reason code (the code itself if unknown)."""
    try:
        return str(ResultReason(code).label)
    except ValueError:
        return code
