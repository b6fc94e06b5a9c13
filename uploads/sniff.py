"""What an upload is, from its first bytes; whether its name may say so; markup where it should not be."""

import re

from django.utils.translation import gettext

from uploads.errors import UploadError, UploadErrorCode
from uploads.kinds import KIND_LABELS, FileKind

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1", b"mif2"}
_AVIF_BRANDS = {b"avif", b"avis"}
_SVG_TAG = re.compile(rb"<svg[\s/>]", re.IGNORECASE)
_HTML_TAG = re.compile(rb"<(?:!doctype\s+html|html|head|body|script|iframe)[\s/>]", re.IGNORECASE)


def sniff(data: bytes) -> tuple[FileKind | None, str | None]:
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


def extension_check(name: str, kind: FileKind, context: dict) -> None:
    basename = name.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(". ")
    _stem, dot, extension = basename.rpartition(".")
    if not dot:
        return  # "blob", "image": nothing claimed, nothing contradicted
    extension = extension.lower()
    if extension not in _EXTENSIONS_BY_KIND[kind]:
        shown = extension if extension.isalnum() and len(extension) <= 10 else extension[:10] + "…"
        raise UploadError(UploadErrorCode.EXTENSION_MISMATCH, extension=shown, detected=KIND_LABELS[kind], **context)


# Markup that makes a browser run or render something. Tag names must be followed by a delimiter, which
# keeps chance matches in binary metadata (EXIF thumbnails, ICC profiles, motion-photo trailers) negligible.
_MARKUP = re.compile(
    rb"<(?:script|html|svg|iframe|object|embed|body|!doctype\s+html)[\s/>]|<\?php|javascript:",
    re.IGNORECASE,
)


def markup_check(segment: bytes, context: dict) -> None:
    if _MARKUP.search(segment):
        raise UploadError(UploadErrorCode.HIDDEN_CONTENT, **context)
