"""Why a reviewer rejects a "gagal 3 kali" letter (DESIGN §5; issue #16 item 4), and what the reviewer checks.

Each reason has a code (stored on the complaint), a label for the reviewer's list and the applicant's email, a
sentence for the applicant saying what to do, and whether it is *fixable*: a letter rejected for a fixable reason
(no signature, no meterai, unreadable, the wrong document, a name or waves that do not match) may be uploaded
again at once, corrected (``waves.selectors.ComplaintState.refusal``); any other rejection keeps the old rule,
a new letter only after a further failed selection. "Lainnya" needs the reviewer's own words.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RejectionReason(models.TextChoices):
    UNSIGNED = "unsigned", _("Tidak ditandatangani")
    NO_METERAI = "no_meterai", _("Tanpa meterai")
    UNREADABLE = "unreadable", _("Tidak terbaca")
    NAME_MISMATCH = "name_mismatch", _("Nama tidak sesuai")
    WAVES_MISMATCH = "waves_mismatch", _("Gelombang tidak sesuai")
    WRONG_DOCUMENT = "wrong_document", _("Bukan surat pernyataan")
    NOT_AUTHENTIC = "not_authentic", _("Diragukan keasliannya")
    OTHER = "lainnya", _("Lainnya (tulis alasannya)")

    @property
    def fixable(self) -> bool:
        return self in FIXABLE

    @property
    def applicant_message(self) -> str:
        return str(APPLICANT_MESSAGES[self])


FIXABLE = frozenset(
    {
        RejectionReason.UNSIGNED,
        RejectionReason.NO_METERAI,
        RejectionReason.UNREADABLE,
        RejectionReason.NAME_MISMATCH,
        RejectionReason.WAVES_MISMATCH,
        RejectionReason.WRONG_DOCUMENT,
    }
)

APPLICANT_MESSAGES = {
    RejectionReason.UNSIGNED: _("Surat belum ditandatangani. Tanda tangani surat di atas meterai, lalu unggah lagi."),
    RejectionReason.NO_METERAI: _(
        "Surat belum bermeterai. Tempel meterai Rp10.000, tanda tangani di atasnya, lalu unggah lagi."
    ),
    RejectionReason.UNREADABLE: _(
        "Surat tidak terbaca. Pindai atau foto seluruh halaman dengan jelas, lalu unggah lagi."
    ),
    RejectionReason.NAME_MISMATCH: _(
        "Nama di surat tidak sesuai dengan data Anda. Unduh surat dari halaman ini (sudah terisi data Anda), lalu "
        "unggah lagi."
    ),
    RejectionReason.WAVES_MISMATCH: _(
        "Gelombang di surat tidak sesuai dengan seleksi yang Anda ikuti. Unduh surat dari halaman ini, lalu unggah "
        "lagi."
    ),
    RejectionReason.WRONG_DOCUMENT: _(
        "Berkas yang diunggah bukan surat pernyataan gagal 3 kali. Unggah surat pernyataan dari halaman ini."
    ),
    RejectionReason.NOT_AUTHENTIC: _("Surat diragukan keasliannya."),
    RejectionReason.OTHER: _("Baca alasan petugas di bawah."),
}


class CheckItem(models.TextChoices):
    """What the reviewer checks on the letter; the answers are stored with the decision."""

    SIGNED = "signed", _("Surat ditandatangani pendaftar")
    METERAI = "meterai", _("Bermeterai Rp10.000, tanda tangan di atas meterai")
    NAME_MATCHES = "name_matches", _("Nama di surat sama dengan nama pendaftar")
    WAVES_MATCH = "waves_match", _("Gelombang di surat sama dengan tiga gelombang yang disebut")
