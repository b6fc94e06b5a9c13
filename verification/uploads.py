"""The one set of checks every upload in the portal goes through.

The KTP photo (step 4, JPG or PNG: ``ktp_photo_process``) and the signed "gagal 3 kali" statement (PDF, JPG
or PNG: ``document_process``) go through the same checks, each naming the kinds it accepts; both re-encode
images, and a PDF is kept as sent. ``upload_check`` runs the checks alone. These are pure functions over an
uploaded file: no models, no storage. A refusal is an ``UploadError`` with a code; views show
``upload_error_message(error)``.

What is trusted, and what is not:

- The kind comes from the content (magic bytes), never from the name or the browser's content type.
- The name's extension must belong to the same family as the content: an image extension (.jpg, .png, and
  .heic/.heif, in case a photo picker converts to JPEG but keeps the original name) for an image, .pdf for
  a PDF, or no extension at all (some in-app browsers send "blob" or "image"). A JPEG named .png, or a PNG named
  .jpg, is accepted: chat apps and galleries mislabel images all the time, the applicant cannot fix it, and
  images are re-encoded and stored under a name of our own. An image named .pdf, a PDF named .jpg, or
  anything named .html/.svg/.php/.exe is refused, because a server that ever trusted that name would
  serve the bytes as something else. A text file named .jpg fails anyway: its content is no image.
- Images are parsed twice: first by a small structural walk here (JPEG marker segments, PNG chunks with
  their CRCs), which finds the dimensions, truncation and hidden data without decoding pixels; then Pillow
  must open, verify and decode them, restricted to the one format the content claims. The pixel count is
  bounded from the header before any decoding. ``ImageFile.LOAD_TRUNCATED_IMAGES`` is never set, and the
  structural walk refuses truncated files even if someone sets it elsewhere.
- Markup is looked for where it can hide without breaking the file: JPEG APP/COM segments and data after
  the end-of-image marker, PNG ancillary chunks and data after IEND, and in PDFs everything but binary
  stream data. Compressed pixel data is not scanned: random bytes would match a short tag like "<svg" in
  about one photo in a few hundred, and images are re-encoded anyway, so their original bytes are never
  served.
"""

from __future__ import annotations

import bisect
import io
import re
import struct
import zlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps
from PIL.JpegImagePlugin import JpegImageFile


class FileKind(StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    PDF = "pdf"


PHOTO_KINDS = frozenset({FileKind.JPEG, FileKind.PNG})
DOCUMENT_KINDS = frozenset({FileKind.PDF, FileKind.JPEG, FileKind.PNG})


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
    PDF_ACTIVE_CONTENT = "pdf_active_content"  # JavaScript, launch actions, embedded files, XFA forms
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
        "PDF ini berisi skrip, lampiran, atau tindakan otomatis yang tidak diizinkan. Simpan ulang sebagai PDF "
        "biasa (menu Cetak > Simpan sebagai PDF) atau kirim foto JPG/PNG dari surat yang sudah ditandatangani."
    ),
    UploadErrorCode.PDF_ENCRYPTED: _(
        "PDF ini dilindungi kata sandi sehingga tidak bisa diperiksa. Simpan ulang tanpa kata sandi atau kirim "
        "foto JPG/PNG dari surat tersebut."
    ),
}

# Smallest image any upload accepts, by its long and short side (orientation does not matter). A KTP is
# 85.6 × 54 mm; filling a 640 × 400 frame it gets about 7 px per mm, so its 3 mm NIK digits are ~20 px tall
# and readable. Every phone camera (VGA and up), screenshot and chat-app copy (WhatsApp: 1600 px) clears it;
# thumbnails, avatars and crops of a crop do not.
IMAGE_MIN_LONG_SIDE = 640
IMAGE_MIN_SHORT_SIDE = 400

# The stored KTP photo: a 2000 px long side keeps every character of a card that fills a fraction of the
# frame readable, and fits under KTP_PHOTO_STORED_MAX_BYTES at quality 85 for almost any photo.
KTP_PHOTO_LONG_SIDE = 2000
KTP_THUMBNAIL_LONG_SIDE = 320
# A photographed or scanned A4 page (the signed "gagal 3 kali" statement): 2400 px on the long side is about
# 200 dpi, enough to read a signature and the stamp of a materai.
DOCUMENT_IMAGE_LONG_SIDE = 2400
JPEG_QUALITIES = (85, 75, 65, 55)  # tried in order until the photo fits; then the photo shrinks
THUMBNAIL_QUALITY = 75

_KIND_LABELS = {FileKind.PDF: "PDF", FileKind.JPEG: "JPG", FileKind.PNG: "PNG"}
_READ_CHUNK = 1024 * 1024


class UploadFile(Protocol):
    """What the checks need: Django's ``UploadedFile``, or any file-like with these."""

    name: str | None

    def read(self, size: int = -1, /) -> bytes: ...

    def seek(self, offset: int, whence: int = 0, /) -> int: ...


@dataclass(frozen=True)
class ProcessedPhoto:
    """A KTP photo ready for private storage; the caller stores ``content`` and ``thumbnail``."""

    content: bytes  # JPEG, no metadata, orientation applied, at most KTP_PHOTO_STORED_MAX_BYTES
    width: int
    height: int
    thumbnail: bytes  # small JPEG for reviewers
    from_camera: bool  # the original's EXIF named a camera and when the photo was taken
    camera: str  # "Samsung SM-A515F", or "" when unknown
    original_bytes: int
    original_kind: FileKind


@dataclass(frozen=True)
class ProcessedDocument:
    """A document ready for private storage: a PDF as sent (it passed the checks), or an image re-encoded."""

    content: bytes
    kind: FileKind  # PDF, or JPEG for any image
    original_bytes: int
    original_kind: FileKind


def upload_error_message(error: UploadError) -> str:
    """The applicant-facing message for ``error``, in the active language."""
    params = {**_message_defaults(), **error.params}
    return str(UPLOAD_ERROR_MESSAGES[error.code]) % params


def upload_check(file: UploadFile, *, allowed: frozenset[FileKind], max_bytes: int | None = None) -> FileKind:
    """Prove that ``file`` is one of the ``allowed`` kinds and safe to keep; return its kind.

    Reads at most ``max_bytes`` + 1 bytes (default ``settings.UPLOAD_MAX_BYTES``) and leaves the file
    rewound, so the caller can store it. Raises ``UploadError``.
    """
    return _inspect(file, allowed=allowed, max_bytes=max_bytes).kind


def ktp_photo_process(file: UploadFile) -> ProcessedPhoto:
    """Check a KTP photo (JPEG or PNG) and re-encode it for private storage. Raises ``UploadError``.

    The result carries no metadata at all; whether the original came from a camera is read from its EXIF
    first, for reviewers.
    """
    inspected = _inspect(file, allowed=PHOTO_KINDS, max_bytes=None, decode_long_side=KTP_PHOTO_LONG_SIDE)
    image = inspected.image
    assert image is not None
    from_camera, camera = _camera_from_exif(image)
    content, image = _stored_jpeg(image, KTP_PHOTO_LONG_SIDE)
    thumbnail = image.copy()
    thumbnail.thumbnail((KTP_THUMBNAIL_LONG_SIDE, KTP_THUMBNAIL_LONG_SIDE), Image.Resampling.LANCZOS)
    return ProcessedPhoto(
        content=content,
        width=image.width,
        height=image.height,
        thumbnail=_jpeg(thumbnail, THUMBNAIL_QUALITY),
        from_camera=from_camera,
        camera=camera,
        original_bytes=len(inspected.data),
        original_kind=inspected.kind,
    )


def document_process(file: UploadFile, *, allowed: frozenset[FileKind] = DOCUMENT_KINDS) -> ProcessedDocument:
    """Check a document (by default PDF, JPG or PNG) and make it ready for private storage. Raises
    ``UploadError``.

    A PDF is kept byte for byte: it passed the structural checks (no scripts, actions, embedded files or
    encryption) and a reviewer must see what the applicant signed. An image is re-encoded like the KTP photo:
    upright, no metadata (no location from the phone's EXIF), as JPEG within KTP_PHOTO_STORED_MAX_BYTES.
    """
    inspected = _inspect(file, allowed=allowed, max_bytes=None, decode_long_side=DOCUMENT_IMAGE_LONG_SIDE)
    if inspected.kind is FileKind.PDF:
        return ProcessedDocument(
            content=inspected.data, kind=FileKind.PDF, original_bytes=len(inspected.data), original_kind=FileKind.PDF
        )
    content, _image = _stored_jpeg(inspected.image, DOCUMENT_IMAGE_LONG_SIDE)
    return ProcessedDocument(
        content=content, kind=FileKind.JPEG, original_bytes=len(inspected.data), original_kind=inspected.kind
    )


# --- Reading and sniffing -----------------------------------------------------------------------------


@dataclass
class _Inspected:
    kind: FileKind
    data: bytes
    image: Image.Image | None = None


def _inspect(
    file: UploadFile,
    *,
    allowed: frozenset[FileKind],
    max_bytes: int | None,
    decode_long_side: int | None = None,
) -> _Inspected:
    if not allowed or not allowed <= set(FileKind):
        raise ValueError(f"allowed must be a non-empty set of FileKind, not {allowed!r}")
    if max_bytes is None:
        max_bytes = settings.UPLOAD_MAX_BYTES
    context = {"allowed": _allowed_label(allowed), "max_mb": _megabytes(max_bytes)}

    # The declared size first, so an oversized upload is refused without reading it.
    declared = getattr(file, "size", None)
    if isinstance(declared, int):
        if declared == 0:
            raise UploadError(UploadErrorCode.EMPTY, **context)
        if declared > max_bytes:
            raise UploadError(UploadErrorCode.TOO_LARGE, size=declared, **context)
    data = _read_at_most(file, max_bytes + 1)
    if not data:
        raise UploadError(UploadErrorCode.EMPTY, **context)
    if len(data) > max_bytes:  # the declared size was missing or wrong
        raise UploadError(UploadErrorCode.TOO_LARGE, size=len(data), **context)

    kind, label = _sniff(data)
    if label == "HEIC":
        raise UploadError(UploadErrorCode.HEIC, **context)
    if kind is None and label is None:
        raise UploadError(UploadErrorCode.NOT_AN_IMAGE, **context)
    if kind is None or kind not in allowed:
        raise UploadError(UploadErrorCode.UNSUPPORTED_TYPE, detected=label or _KIND_LABELS[kind], **context)
    _check_extension(getattr(file, "name", None) or "", kind, context)

    if kind is FileKind.PDF:
        _pdf_check(data, context)
        return _Inspected(kind=kind, data=data)
    if kind is FileKind.JPEG:
        width, height = _jpeg_walk(data, context)
        animated = False
    else:
        width, height, animated = _png_walk(data, context)
    _check_dimensions(width, height, context)
    if animated:
        raise UploadError(UploadErrorCode.ANIMATED, **context)
    image = _image_decode(data, kind, width, height, decode_long_side, context)
    return _Inspected(kind=kind, data=data, image=image)


def _read_at_most(file: UploadFile, limit: int) -> bytes:
    """Read from the start, never more than ``limit`` bytes, and rewind for the caller."""
    file.seek(0)
    chunks: list[bytes] = []
    total = 0
    while total < limit:
        chunk = file.read(min(_READ_CHUNK, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    file.seek(0)
    return b"".join(chunks)


_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1", b"mif2"}
_AVIF_BRANDS = {b"avif", b"avis"}
_SVG_TAG = re.compile(rb"<svg[\s/>]", re.IGNORECASE)
_HTML_TAG = re.compile(rb"<(?:!doctype\s+html|html|head|body|script|iframe)[\s/>]", re.IGNORECASE)


def _sniff(data: bytes) -> tuple[FileKind | None, str | None]:
    """The kind the content is, or (None, a name) for a format we know but never accept, or (None, None)."""
    head = data[:64]
    if head.startswith(b"\xff\xd8"):
        return FileKind.JPEG, None
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG, None
    if head.startswith(b"%PDF-"):
        return FileKind.PDF, None
    if head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[:4], "big")
        brands = {data[i : i + 4] for i in range(8, min(max(box_size, 16), 256), 4)} - {b"\x00\x00\x00\x00"}
        if brands & _AVIF_BRANDS:
            return None, "AVIF"
        if brands & _HEIF_BRANDS:
            return None, "HEIC"
        return None, gettext("video")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return None, "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return None, "WebP"
    if head[:2] == b"BM" and int.from_bytes(head[14:18], "little") in {12, 40, 52, 56, 64, 108, 124}:
        return None, "BMP"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return None, "TIFF"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return None, "ZIP"
    if head[:2] == b"MZ" or head[:4] == b"\x7fELF":
        return None, gettext("program (EXE)")
    if head[:4] == b"8BPS":
        return None, "PSD"
    if head.startswith(b"\x00\x00\x00\x0cJXL ") or head[:2] == b"\xff\x0a":
        return None, "JPEG XL"
    if head.startswith((b"\x00\x00\x00\x0cjP  ", b"\xff\x4f\xff\x51")):
        return None, "JPEG 2000"
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] == b"<":
        if _SVG_TAG.search(data):
            return None, "SVG"
        if _HTML_TAG.search(data):
            return None, "HTML"
    return None, None


_IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "jpe", "jfif", "pjpeg", "pjp", "png", "heic", "heif"})
_EXTENSIONS_BY_KIND = {FileKind.JPEG: _IMAGE_EXTENSIONS, FileKind.PNG: _IMAGE_EXTENSIONS, FileKind.PDF: {"pdf"}}


def _check_extension(name: str, kind: FileKind, context: dict) -> None:
    basename = name.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(". ")
    _stem, dot, extension = basename.rpartition(".")
    if not dot:
        return  # "blob", "image": nothing claimed, nothing contradicted
    extension = extension.lower()
    if extension not in _EXTENSIONS_BY_KIND[kind]:
        shown = extension if extension.isalnum() and len(extension) <= 10 else extension[:10] + "…"
        raise UploadError(
            UploadErrorCode.EXTENSION_MISMATCH, extension=shown, detected=_KIND_LABELS[kind], **context
        )


# Markup that makes a browser run or render something. Tag names must be followed by a delimiter, which
# keeps chance matches in binary metadata (EXIF thumbnails, ICC profiles, motion-photo trailers) negligible.
_MARKUP = re.compile(
    rb"<(?:script|html|svg|iframe|object|embed|body|!doctype\s+html)[\s/>]|<\?php|javascript:",
    re.IGNORECASE,
)


def _scan_markup(segment: bytes, context: dict) -> None:
    if _MARKUP.search(segment):
        raise UploadError(UploadErrorCode.HIDDEN_CONTENT, **context)


# --- JPEG and PNG structure ---------------------------------------------------------------------------

_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
# Inside entropy-coded data 0xFF is followed by 0x00 (stuffing) or a restart marker; anything else ends it.
_JPEG_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_JPEG_FILL = re.compile(rb"\xff+")
# Real JPEGs have a few dozen segments (a progressive one ~20 scans); this only stops a crafted file from
# making the walk loop millions of times.
_JPEG_MAX_SEGMENTS = 10_000


def _jpeg_walk(data: bytes, context: dict) -> tuple[int, int]:
    """Walk the marker segments to the end-of-image marker; return (width, height) from the frame header.

    Data after the end-of-image marker is allowed, because phones put it there (Samsung's trailer, the
    second image of a multi-picture JPEG, the video of a motion photo); it is scanned for markup like
    the metadata segments are, and never stored (the photo is re-encoded).
    """
    corrupt = UploadError(UploadErrorCode.CORRUPT, **context)
    n = len(data)
    pos = 2
    size: tuple[int, int] | None = None
    seen_scan = False
    for _segment in range(_JPEG_MAX_SEGMENTS):
        fill = _JPEG_FILL.match(data, pos)  # a marker: one or more 0xFF, then its code
        if fill is None or fill.end() >= n:
            raise corrupt
        pos = fill.end()
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # end of image
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # standalone markers
            continue
        if marker in (0x00, 0xD8) or pos + 2 > n:
            raise corrupt
        length = int.from_bytes(data[pos : pos + 2], "big")
        end = pos + length
        if length < 2 or end > n:
            raise corrupt
        if marker in _JPEG_SOF:
            if length < 8:
                raise corrupt
            height, width = struct.unpack(">HH", data[pos + 3 : pos + 7])
            if size is None:
                size = (width, height)
        elif 0xE0 <= marker <= 0xEF or marker == 0xFE:  # APPn (EXIF, XMP, ICC...) and comments
            _scan_markup(data[pos + 2 : end], context)
        pos = end
        if marker == 0xDA:  # start of scan: skip the entropy-coded data to the next marker
            if size is None:
                raise corrupt
            found = _JPEG_NEXT_MARKER.search(data, pos)
            if found is None:
                raise corrupt  # truncated inside the image data
            pos = found.start()
            seen_scan = True
    else:
        raise corrupt  # no end-of-image marker within any sane number of segments
    if not seen_scan or size is None or 0 in size:
        raise corrupt
    _scan_markup(data[pos:], context)
    return size


_PNG_MAX_CHUNKS = 100_000  # real encoders write 8-64 KB IDAT chunks: ~1,000 chunks in 10 MB
_PNG_TEXT_LIMIT = 1024 * 1024


def _png_walk(data: bytes, context: dict) -> tuple[int, int, bool]:
    """Walk the chunks, checking every CRC; return (width, height, animated).

    Nothing may follow IEND: that is where PNG/ZIP and PNG/HTML polyglots keep their second payload.
    """
    corrupt = UploadError(UploadErrorCode.CORRUPT, **context)
    view = memoryview(data)
    n = len(data)
    pos = 8
    width = height = 0
    animated = seen_data = False
    for index in range(_PNG_MAX_CHUNKS):
        if pos + 12 > n:
            raise corrupt  # truncated before IEND
        length, chunk_type = struct.unpack(">I4s", data[pos : pos + 8])
        body_start, body_end = pos + 8, pos + 8 + length
        if length > 0x7FFFFFFF or body_end + 4 > n or not chunk_type.isalpha():
            raise corrupt
        crc = int.from_bytes(data[body_end : body_end + 4], "big")
        if zlib.crc32(view[body_start:body_end], zlib.crc32(chunk_type)) != crc:
            raise corrupt
        if index == 0:
            if chunk_type != b"IHDR" or length != 13:
                raise corrupt
            width, height = struct.unpack(">II", data[body_start : body_start + 8])
            if not width or not height:
                raise corrupt
        elif chunk_type == b"IHDR":
            raise corrupt
        elif chunk_type == b"IEND":
            if body_end + 4 != n:
                raise UploadError(UploadErrorCode.HIDDEN_CONTENT, **context)
            if not seen_data:
                raise corrupt
            return width, height, animated
        elif chunk_type == b"IDAT":
            seen_data = True
        elif chunk_type == b"fdAT":
            pass  # compressed frame data, like IDAT
        elif chunk_type == b"acTL":
            animated = length >= 4 and int.from_bytes(data[body_start : body_start + 4], "big") > 1
        else:
            body = data[body_start:body_end]
            _scan_markup(body, context)
            if chunk_type in (b"zTXt", b"iTXt"):
                _scan_markup(_png_text_inflated(chunk_type, body), context)
        pos = body_end + 4
    raise corrupt


def _png_text_inflated(chunk_type: bytes, body: bytes) -> bytes:
    """The decompressed text of a zTXt/iTXt chunk (bounded); b"" if it is not compressed or not valid."""
    try:
        _keyword, rest = body.split(b"\x00", 1)
        if chunk_type == b"zTXt":
            compressed = rest[1:]
        else:
            if rest[0] != 1:
                return b""
            _language, _translated, compressed = rest[2:].split(b"\x00", 2)
        return zlib.decompressobj().decompress(compressed, _PNG_TEXT_LIMIT)
    except (ValueError, IndexError, zlib.error):
        return b""  # Pillow decides whether the chunk breaks the file


def _max_pixels() -> int:
    # Below Pillow's own limit too, so its DecompressionBombWarning can only fire for an image refused here.
    limit = settings.UPLOAD_MAX_PIXELS
    return min(limit, Image.MAX_IMAGE_PIXELS) if Image.MAX_IMAGE_PIXELS else limit


def _check_dimensions(width: int, height: int, context: dict) -> None:
    max_pixels = _max_pixels()
    if width * height > max_pixels:
        raise UploadError(
            UploadErrorCode.TOO_MANY_PIXELS, width=width, height=height, max_megapixels=_megapixels(max_pixels),
            **context,
        )
    if max(width, height) < IMAGE_MIN_LONG_SIDE or min(width, height) < IMAGE_MIN_SHORT_SIDE:
        raise UploadError(
            UploadErrorCode.TOO_SMALL, width=width, height=height, min_long_side=IMAGE_MIN_LONG_SIDE,
            min_short_side=IMAGE_MIN_SHORT_SIDE, **context,
        )


def _image_decode(
    data: bytes, kind: FileKind, width: int, height: int, long_side: int | None, context: dict
) -> Image.Image:
    """Let Pillow prove the image: open and verify, then reopen and decode every pixel.

    Only the plugin for the sniffed format may parse it. A JPEG is decoded at reduced scale where that
    suffices (libjpeg still reads every byte of the scans, so truncation is still caught): 1/8 when the
    pixels are not needed, else the smallest scale that keeps ``long_side``.
    """
    formats = ["JPEG"] if kind is FileKind.JPEG else ["PNG"]
    try:
        with Image.open(io.BytesIO(data), formats=formats) as probe:
            if probe.size != (width, height):
                raise UploadError(UploadErrorCode.CORRUPT, **context)
            probe.verify()
        image = Image.open(io.BytesIO(data), formats=formats)
        if image.size != (width, height):
            raise UploadError(UploadErrorCode.CORRUPT, **context)
        # A multi-picture JPEG (MPO: a phone's depth map or preview) is a still photo: frame 0 is the photo.
        if kind is FileKind.PNG and getattr(image, "n_frames", 1) > 1:
            raise UploadError(UploadErrorCode.ANIMATED, **context)
        if isinstance(image, JpegImageFile):
            reduce_to = max(width, height) / long_side if long_side else 8
            if reduce_to >= 2:
                image.draft(None, (max(1, int(width / reduce_to)), max(1, int(height / reduce_to))))
        image.load()
    except UploadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadError(
            UploadErrorCode.TOO_MANY_PIXELS, max_megapixels=_megapixels(_max_pixels()), **context
        ) from exc
    except Exception as exc:  # Pillow raises many types (OSError, SyntaxError, ValueError...) on bad input
        raise UploadError(UploadErrorCode.CORRUPT, **context) from exc
    return image


# --- PDF ----------------------------------------------------------------------------------------------

_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
_PDF_OBJECT = re.compile(rb"(?<![0-9])\d+\s+\d+\s+obj(?![A-Za-z])")
_PDF_STREAM = re.compile(rb"(?<![A-Za-z])stream[ \t]*(?:\r\n|\n|\r)")
_PDF_JAVASCRIPT_URL = re.compile(rb"javascript:", re.IGNORECASE)
_PDF_INFLATE_BUDGET = 64 * 1024 * 1024
_PDF_MAX_STREAMS = 50_000  # a scanned letter has a few dozen; this bounds a crafted file's loop


def _pdf_names(*names: str) -> re.Pattern[bytes]:
    """A pattern for any of ``names`` as a PDF name token, in any spelling: each character may also be
    written #xx (/J#61vaScript is /JavaScript), and the name must end where PDF names end."""

    def character(c: str) -> str:
        escaped = "".join(f"[{d}{d.lower()}]" if d.isalpha() else d for d in f"{ord(c):02X}")
        return f"(?:{re.escape(c)}|#{escaped})"

    alternatives = "|".join("".join(character(c) for c in name) for name in names)
    return re.compile(rf"/(?:{alternatives})(?![^\x00\t\n\x0c\r ()<>\[\]{{}}/%])".encode())


# Names that make a viewer run code, start programs, carry other files or talk to the network. /OpenAction
# and /AA themselves are allowed (word processors use them to open at page 1); what they point to is caught.
_PDF_FORBIDDEN = _pdf_names(
    "JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "EF", "FileAttachment", "RichMedia", "XFA",
    "SubmitForm", "ImportData", "GoToE", "Sound", "Movie",
)
_PDF_ENCRYPT = _pdf_names("Encrypt")
# Streams whose data is binary by nature (pixels, font programs, ICC profiles, cross-reference offsets):
# reading them as PDF syntax would only find chance matches. An object stream (/First, /ObjStm) is never
# one of them, whatever else its dictionary claims.
_PDF_BINARY_STREAM = _pdf_names(
    "Image", "Type1C", "CIDFontType0C", "OpenType", "Length1", "Length2", "Length3", "XRef", "Alternate"
)
_PDF_OBJECT_STREAM = _pdf_names("ObjStm", "First")
_PDF_FLATE = _pdf_names("FlateDecode", "Fl")
_PDF_OTHER_FILTER = _pdf_names(
    "ASCIIHexDecode", "AHx", "ASCII85Decode", "A85", "LZWDecode", "LZW", "RunLengthDecode", "RL", "Crypt",
    "DCTDecode", "DCT", "JPXDecode", "JBIG2Decode", "CCITTFaxDecode", "CCF", "DecodeParms", "DP",
)


def _pdf_check(data: bytes, context: dict) -> None:
    """A complete PDF with nothing active inside.

    Without a PDF library, this reads every part a viewer acts on: the object syntax outside streams,
    unfiltered streams, and Flate-compressed streams other than pictures, fonts and other binary data —
    object streams included, since PDF 1.5+ keeps its dictionaries there, so a /JavaScript action can hide
    in compressed data. Names are matched in every spelling PDF allows, by regular expressions rather than
    by listing names, so that a file made of millions of names costs no more than any other.
    """
    corrupt = UploadError(UploadErrorCode.CORRUPT, **context)
    if not _PDF_HEADER.match(data):
        raise corrupt
    eof = data.rfind(b"%%EOF")
    if eof < 0 or data.rfind(b"startxref", 0, eof) < 0:
        raise corrupt  # truncated
    if data[eof + 5 :].strip(b"\x00\t\n\x0c\r "):
        raise UploadError(UploadErrorCode.HIDDEN_CONTENT, **context)

    objects = [m.end() for m in _PDF_OBJECT.finditer(data)]
    readable: list[bytes] = []  # what a viewer reads as PDF syntax or text
    compressed: list[tuple[bytes, bool, bool]] = []  # (data, is an object stream, plain Flate we can read)
    pos = 0
    while (stream := _PDF_STREAM.search(data, pos)) is not None:
        if len(compressed) + len(readable) > 2 * _PDF_MAX_STREAMS:
            raise corrupt
        body_start = stream.end()
        body_end = data.find(b"endstream", body_start)
        if body_end < 0:
            raise corrupt
        # The stream's dictionary is what lies between its "N G obj" and the "stream" keyword.
        i = bisect.bisect_right(objects, stream.start()) - 1
        dictionary = data[max(objects[i], pos) if i >= 0 else pos : stream.start()]
        readable.append(data[pos : stream.start()])
        body = data[body_start:body_end]
        object_stream = _PDF_OBJECT_STREAM.search(dictionary) is not None
        if object_stream or not _PDF_BINARY_STREAM.search(dictionary):
            flate = _PDF_FLATE.search(dictionary) is not None
            other = _PDF_OTHER_FILTER.search(dictionary) is not None
            if flate or other:
                compressed.append((body, object_stream, flate and not other))
            else:
                readable.append(body)
        pos = body_end + len(b"endstream")
    readable.append(data[pos:])

    parts = [b"\n".join(readable)]
    if _PDF_ENCRYPT.search(parts[0]):
        raise UploadError(UploadErrorCode.PDF_ENCRYPTED, **context)
    budget = _PDF_INFLATE_BUDGET
    for body, object_stream, plain_flate in compressed:
        inflated = None
        if plain_flate:
            try:
                inflated = zlib.decompressobj().decompress(body, budget + 1)
            except zlib.error:
                pass
        if inflated is None:
            if object_stream:
                raise corrupt  # dictionaries we cannot read cannot be proven harmless
            continue  # a content stream in an older encoding: it draws, it cannot act
        budget -= len(inflated)
        if budget < 0:
            raise corrupt  # far beyond what a signed letter holds; too much to inspect
        parts.append(inflated)

    for part in parts:
        if _PDF_FORBIDDEN.search(part) or _PDF_JAVASCRIPT_URL.search(part):
            raise UploadError(UploadErrorCode.PDF_ACTIVE_CONTENT, **context)
    for part in parts:
        _scan_markup(part, context)


# --- Photo processing ---------------------------------------------------------------------------------

_EXIF_MAKE, _EXIF_MODEL, _EXIF_IFD, _EXIF_DATETIME_ORIGINAL = 0x010F, 0x0110, 0x8769, 0x9003
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _camera_from_exif(image: Image.Image) -> tuple[bool, str]:
    """(came from a camera, "Make Model") from the original's EXIF; (False, "") when it says nothing."""
    try:
        exif = image.getexif()
        make = _exif_text(exif.get(_EXIF_MAKE))
        model = _exif_text(exif.get(_EXIF_MODEL))
        taken = _exif_text(exif.get_ifd(_EXIF_IFD).get(_EXIF_DATETIME_ORIGINAL) or exif.get(_EXIF_DATETIME_ORIGINAL))
    except Exception:  # malformed EXIF says nothing trustworthy; the photo itself is fine
        return False, ""
    if make.islower():
        make = make.capitalize()  # Samsung writes "samsung"
    if make and model.lower().startswith(make.lower()):
        camera = model  # "HUAWEI" + "HUAWEI P30"
    else:
        camera = f"{make} {model}".strip()
    return bool(camera and taken), camera[:100]


def _exif_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(_CONTROL_CHARACTERS.sub(" ", str(value)).split())


def _upright(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image) or image
    except Exception:  # an orientation tag Pillow cannot apply: keep the photo as stored
        return image


def _to_rgb_or_gray(image: Image.Image) -> Image.Image:
    """An image JPEG can hold: L or RGB; transparency flattened onto white, 16-bit scaled to 8-bit."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode.startswith("I"):  # 16-bit greyscale PNG: scale, because convert() would clip to white
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")  # CMYK, P, 1, YCbCr...


def _jpeg(image: Image.Image, quality: int) -> bytes:
    # Pillow copies some metadata (the JPEG comment) from image.info when saving: empty it first.
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _stored_jpeg(image: Image.Image, long_side: int) -> tuple[bytes, Image.Image]:
    """What is kept of an uploaded image: upright, RGB or grey, at most ``long_side`` px, a JPEG without
    metadata within KTP_PHOTO_STORED_MAX_BYTES; also the image as encoded."""
    image = _to_rgb_or_gray(_upright(image))
    if max(image.size) > long_side:
        image.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    return _jpeg_within(image, settings.KTP_PHOTO_STORED_MAX_BYTES)


def _jpeg_within(image: Image.Image, max_bytes: int) -> tuple[bytes, Image.Image]:
    """Encode at the first quality that fits ``max_bytes``; if none does, shrink the photo and try again."""
    while True:
        for quality in JPEG_QUALITIES:
            content = _jpeg(image, quality)
            if len(content) <= max_bytes:
                return content, image
        smaller = (round(image.width * 0.8), round(image.height * 0.8))
        if max(smaller) < IMAGE_MIN_LONG_SIDE:
            # Only a misconfigured KTP_PHOTO_STORED_MAX_BYTES gets here: 640 px never needs ~1 MB at quality 55.
            raise UploadError(UploadErrorCode.TOO_LARGE, max_mb=_megabytes(max_bytes))
        image = image.resize(smaller, Image.Resampling.LANCZOS)


# --- Message parameters -------------------------------------------------------------------------------


def _message_defaults() -> dict[str, object]:
    """Parameters every message can use, so an UploadError built by hand still formats."""
    return {
        "allowed": _allowed_label(PHOTO_KINDS),
        "detected": gettext("lain"),
        "extension": "",
        "max_mb": _megabytes(settings.UPLOAD_MAX_BYTES),
        "max_megapixels": _megapixels(_max_pixels()),
        "min_long_side": IMAGE_MIN_LONG_SIDE,
        "min_short_side": IMAGE_MIN_SHORT_SIDE,
    }


def _allowed_label(allowed: frozenset[FileKind]) -> str:
    """ "JPG atau PNG", "PDF, JPG, atau PNG" """
    labels = [label for kind, label in _KIND_LABELS.items() if kind in allowed]
    if len(labels) == 1:
        return labels[0]
    if len(labels) == 2:
        return gettext("%(first)s atau %(last)s") % {"first": labels[0], "last": labels[1]}
    return gettext("%(items)s, atau %(last)s") % {"items": ", ".join(labels[:-1]), "last": labels[-1]}


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return str(int(value)) if value == int(value) else f"{value:.1f}".replace(".", ",")


def _megapixels(pixels: int) -> str:
    value = pixels / 1_000_000
    return str(int(value)) if value == int(value) else f"{value:.1f}".replace(".", ",")
