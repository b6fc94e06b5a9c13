"""The one set of checks every upload in the portal goes through.

The KTP photo (step 4, JPG or PNG: ``ktp_photo_process``) and the signed "gagal 3 kali" statement (PDF, JPG
or PNG: ``document_process``) go through the same checks, each naming the kinds it accepts; both re-encode
images, and a PDF is kept as sent. ``upload_check`` runs the checks alone. These are pure functions over an
uploaded file: no models, no storage. A refusal is an ``UploadError`` with a code; views show
``upload_error_message(error)``.

This module reads the file and runs the checks in order; each format has its own module: ``uploads.sniff``
(the kind from the first bytes, the name's extension, markup), ``uploads.images`` (JPEG and PNG),
``uploads.pdf``, and ``uploads.errors`` (codes and messages).

What is trusted, and what is not:

- The kind comes from the content (magic bytes), never from the name or the browser's content type.
- The name's extension must belong to the same family as the content: an image extension (.jpg, .png, and
  .heic/.heif, in case a photo picker converts to JPEG but keeps the original name) for an image, .pdf for
  a PDF, or no extension at all (some in-app browsers send "blob" or "image"). A JPEG named .png, or a PNG named
  .jpg, is accepted: chat apps and galleries mislabel images all the time, the applicant cannot fix it, and
  images are re-encoded and stored under a name of our own. An image named .pdf, a PDF named .jpg, or
  anything named .html/.svg/.php/.exe is refused, because a server that ever trusted that name would
  serve the bytes as something else. A text file named .jpg fails anyway: its content is no image.
- Images are parsed twice: first by a small structural walk (JPEG marker segments, PNG chunks with
  their CRCs), which finds the dimensions, truncation and hidden data without decoding pixels; then Pillow
  must open, verify and decode them, restricted to the one format the content claims. The pixel count is
  bounded from the header before any decoding: absolutely (UPLOAD_MAX_PIXELS), by the file's bytes (a small
  file cannot claim a large image) and, for PNG, by what its mode costs in memory (``uploads.images``). ``ImageFile.LOAD_TRUNCATED_IMAGES`` is never set, and the
  structural walk refuses truncated files even if someone sets it elsewhere.
- PDFs are read by pypdf, strictly, and kept as sent only when no object holds anything active or embedded,
  every stream decodes to its end, and nothing follows the last %%EOF (``uploads.pdf`` says what exactly).
- Markup is looked for where it can hide without breaking the file: JPEG APP/COM segments and data after
  the end-of-image marker, PNG ancillary chunks and data after IEND, and in PDFs the bytes outside stream
  data and the objects packed in object streams. Compressed pixel data is not scanned: random bytes would
  match a short tag like "<svg" in about one photo in a few hundred, and images are re-encoded anyway, so
  their original bytes are never served.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext
from PIL import Image

from uploads.errors import (
    UPLOAD_ERROR_MESSAGES,
    UploadError,
    UploadErrorCode,
    allowed_label,
    megabytes,
    megapixels,
)
from uploads.images import (
    DOCUMENT_IMAGE_LONG_SIDE,
    IMAGE_MIN_LONG_SIDE,
    IMAGE_MIN_SHORT_SIDE,
    KTP_PHOTO_LONG_SIDE,
    KTP_THUMBNAIL_LONG_SIDE,
    THUMBNAIL_QUALITY,
    camera_from_exif,
    dimensions_check,
    image_decode,
    jpeg_encode,
    jpeg_walk,
    max_pixels,
    png_walk,
    stored_jpeg,
)
from uploads.kinds import DOCUMENT_KINDS, KIND_LABELS, PHOTO_KINDS, FileKind
from uploads.pdf import pdf_check
from uploads.sniff import extension_check, sniff

__all__ = [
    "DOCUMENT_KINDS",
    "PHOTO_KINDS",
    "FileKind",
    "ProcessedDocument",
    "ProcessedPhoto",
    "UploadError",
    "UploadErrorCode",
    "document_process",
    "ktp_photo_process",
    "upload_check",
    "upload_error_message",
]

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
    if image is None:  # _inspect decodes whenever decode_long_side is given
        raise RuntimeError("the photo was inspected without being decoded")
    from_camera, camera = camera_from_exif(image)
    content, image = stored_jpeg(image, KTP_PHOTO_LONG_SIDE)
    thumbnail = image.copy()
    thumbnail.thumbnail((KTP_THUMBNAIL_LONG_SIDE, KTP_THUMBNAIL_LONG_SIDE), Image.Resampling.LANCZOS)
    return ProcessedPhoto(
        content=content,
        width=image.width,
        height=image.height,
        thumbnail=jpeg_encode(thumbnail, THUMBNAIL_QUALITY),
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
    content, _image = stored_jpeg(inspected.image, DOCUMENT_IMAGE_LONG_SIDE)
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
    context = {"allowed": allowed_label(allowed), "max_mb": megabytes(max_bytes)}

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

    kind, label = sniff(data)
    if label == "HEIC":
        raise UploadError(UploadErrorCode.HEIC, **context)
    if kind is None and label is None:
        raise UploadError(UploadErrorCode.NOT_AN_IMAGE, **context)
    if kind is None or kind not in allowed:
        raise UploadError(UploadErrorCode.UNSUPPORTED_TYPE, detected=label or KIND_LABELS[kind], **context)
    extension_check(getattr(file, "name", None) or "", kind, context)

    if kind is FileKind.PDF:
        pdf_check(data, context)
        return _Inspected(kind=kind, data=data)
    if kind is FileKind.JPEG:
        width, height = jpeg_walk(data, context)
        animated = False
    else:
        width, height, animated = png_walk(data, context)
    dimensions_check(width, height, len(data), context)
    if animated:
        raise UploadError(UploadErrorCode.ANIMATED, **context)
    image = image_decode(data, kind, width, height, decode_long_side, context)
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


def _message_defaults() -> dict[str, object]:
    """Parameters every message can use, so an UploadError built by hand still formats."""
    return {
        "allowed": allowed_label(PHOTO_KINDS),
        "detected": gettext("lain"),
        "extension": "",
        "max_mb": megabytes(settings.UPLOAD_MAX_BYTES),
        "max_megapixels": megapixels(max_pixels()),
        "min_long_side": IMAGE_MIN_LONG_SIDE,
        "min_short_side": IMAGE_MIN_SHORT_SIDE,
    }
