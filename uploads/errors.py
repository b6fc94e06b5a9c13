"""Why an upload was refused: the codes, and the Indonesian message each shows the applicant."""

from enum import StrEnum

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from uploads.kinds import KIND_LABELS, FileKind


class UploadErrorCode(StrEnum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    UNSUPPORTED_TYPE = "unsupported_type"  # a format we recognise but this upload does not accept
    HEIC = "heic"  # iPhone's default format: its own code, because its fix is a setting on the phone
    NOT_AN_IMAGE = "not_an_image"  # content is no file format we recognise (e.g. text renamed to .jpg)
    EXTENSION_MISMATCH = "extension_mismatch"
    CORRUPT = "corrupt"  # truncated, bad checksums, or the decoder refuses it
    TOO_MANY_PIXELS = "too_many_pixels"
    TOO_SMALL = "too_small"
    ANIMATED = "animated"
    HIDDEN_CONTENT = "hidden_content"  # markup or script inside, or data after the end of the file
    PDF_ACTIVE_CONTENT = "pdf_active_content"  # scripts, actions, links, embedded files, media, XFA forms
    PDF_ENCRYPTED = "pdf_encrypted"  # cannot be inspected, and reviewers could not open it


class UploadError(Exception):
    """The upload was refused; ``code`` says why, ``params`` fill the message."""

    def __init__(self, code: UploadErrorCode, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


UPLOAD_ERROR_MESSAGES = {
    UploadErrorCode.EMPTY: _("Berkas yang dikirim kosong. Pilih ulang foto atau berkasnya, lalu unggah lagi."),
    UploadErrorCode.TOO_LARGE: _(
        "Ukuran berkas terlalu besar: maksimal %(max_mb)s MB. Ambil ulang foto dengan resolusi kamera standar "
        "atau kirim berkas yang lebih kecil."
    ),
    UploadErrorCode.UNSUPPORTED_TYPE: _("Berkas %(detected)s tidak bisa diterima. Kirim berkas %(allowed)s."),
    UploadErrorCode.HEIC: _(
        "Foto ini berformat HEIC/HEIF (format bawaan iPhone) dan belum bisa diterima. Kirim sebagai JPG: di "
        'iPhone buka Pengaturan > Kamera > Format dan pilih "Paling Kompatibel" (di Android, matikan opsi HEIF '
        "di pengaturan kamera), lalu ambil ulang fotonya."
    ),
    UploadErrorCode.NOT_AN_IMAGE: _(
        "Isi berkas ini bukan foto atau dokumen yang bisa dibaca (mengganti nama berkas tidak mengubah isinya). "
        "Kirim berkas %(allowed)s yang asli."
    ),
    UploadErrorCode.EXTENSION_MISMATCH: _(
        "Nama berkas berakhiran .%(extension)s, tetapi isinya %(detected)s. Simpan ulang berkas dengan nama "
        "yang sesuai isinya (%(allowed)s), lalu unggah lagi."
    ),
    UploadErrorCode.CORRUPT: _(
        "Berkas rusak atau tidak lengkap, mungkin terpotong saat dikirim. Ambil ulang foto atau simpan ulang "
        "berkasnya, lalu unggah lagi."
    ),
    UploadErrorCode.TOO_MANY_PIXELS: _(
        "Resolusi gambar terlalu besar (lebih dari %(max_megapixels)s megapiksel). Kirim foto dari kamera ponsel "
        "biasa atau perkecil resolusinya."
    ),
    UploadErrorCode.TOO_SMALL: _(
        "Foto terlalu kecil untuk dibaca (minimal %(min_long_side)s × %(min_short_side)s piksel). Ambil ulang "
        "foto langsung dengan kamera dari jarak dekat sehingga seluruh dokumen memenuhi layar; jangan kirim "
        "potongan gambar atau foto kecil dari aplikasi chat."
    ),
    UploadErrorCode.ANIMATED: _(
        "Gambar bergerak (animasi) tidak bisa diterima. Kirim foto diam berformat %(allowed)s."
    ),
    UploadErrorCode.HIDDEN_CONTENT: _(
        "Berkas ini berisi kode atau data tersembunyi selain gambar atau dokumen, jadi tidak bisa diterima. "
        "Ambil ulang foto langsung dengan kamera, atau simpan ulang berkasnya, lalu unggah lagi."
    ),
    UploadErrorCode.PDF_ACTIVE_CONTENT: _(
        "PDF ini berisi skrip, lampiran, tautan, atau tindakan otomatis yang tidak diizinkan. Kirim foto JPG/PNG "
        "atau hasil pindaian PDF dari surat yang sudah ditandatangani."
    ),
    UploadErrorCode.PDF_ENCRYPTED: _(
        "PDF ini dilindungi kata sandi sehingga tidak bisa diperiksa. Simpan ulang tanpa kata sandi atau kirim "
        "foto JPG/PNG dari surat tersebut."
    ),
}


def allowed_label(allowed: frozenset[FileKind]) -> str:
    """ "JPG atau PNG", "PDF, JPG, atau PNG" """
    labels = [label for kind, label in KIND_LABELS.items() if kind in allowed]
    if len(labels) == 1:
        return labels[0]
    if len(labels) == 2:
        return gettext("%(first)s atau %(last)s") % {"first": labels[0], "last": labels[1]}
    return gettext("%(items)s, atau %(last)s") % {"items": ", ".join(labels[:-1]), "last": labels[-1]}


def megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return str(int(value)) if value == int(value) else f"{value:.1f}".replace(".", ",")


def megapixels(pixels: int) -> str:
    value = pixels / 1_000_000
    return str(int(value)) if value == int(value) else f"{value:.1f}".replace(".", ",")
