"""JPEG and PNG: a structural walk without decoding pixels, then Pillow's decode, then re-encoding for storage."""

import io
import re
import struct
import zlib

from django.conf import settings
from PIL import Image, ImageOps
from PIL.JpegImagePlugin import JpegImageFile

from uploads.errors import UploadError, UploadErrorCode, megabytes, megapixels
from uploads.kinds import FileKind
from uploads.sniff import markup_check

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

# --- JPEG and PNG structure ---------------------------------------------------------------------------

_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
# Inside entropy-coded data 0xFF is followed by 0x00 (stuffing) or a restart marker; anything else ends it.
_JPEG_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_JPEG_FILL = re.compile(rb"\xff+")
# Real JPEGs have a few dozen segments (a progressive one ~20 scans); this only stops a crafted file from
# making the walk loop millions of times.
_JPEG_MAX_SEGMENTS = 10_000


def jpeg_walk(data: bytes, context: dict) -> tuple[int, int]:
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
            markup_check(data[pos + 2 : end], context)
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
    markup_check(data[pos:], context)
    return size


_PNG_MAX_CHUNKS = 100_000  # real encoders write 8-64 KB IDAT chunks: ~1,000 chunks in 10 MB
_PNG_TEXT_LIMIT = 1024 * 1024


def png_walk(data: bytes, context: dict) -> tuple[int, int, bool]:
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
            markup_check(body, context)
            if chunk_type in (b"zTXt", b"iTXt"):
                markup_check(_png_text_inflated(chunk_type, body), context)
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


def max_pixels() -> int:
    # Below Pillow's own limit too, so its DecompressionBombWarning can only fire for an image refused here.
    limit = settings.UPLOAD_MAX_PIXELS
    return min(limit, Image.MAX_IMAGE_PIXELS) if Image.MAX_IMAGE_PIXELS else limit


# The pixel budget tied to the file's bytes, so that a small file cannot claim a large image: decoding costs
# memory by pixels, not by bytes. Measured here (docs and tests/uploads/test_memory.py):
#   a 12 MP phone JPEG: 0.2-0.5 bytes per pixel (the catalogue's 4000 x 3000 photo: 4.8 MB, 0.41);
#   a 1280 x 800 screenshot PNG: ~0.05; a white A4 page with text at 200 dpi (1654 x 2339, 3.9 MP) as PNG:
#   0.016 in grey, 0.031 in RGB, 0.0017 (6.5 KB) in 1 bit; the review's 6300 x 6300 PNG: 0.003-0.004.
# No ratio alone separates a 1-bit page scan from that PNG, so any image may have IMAGE_FREE_PIXELS (an A4
# page at 300 dpi is 8.7 MP) and a larger one needs a byte for every IMAGE_PIXELS_PER_BYTE pixels: 40 MP
# needs 2.5 MB, a 12 MP photo 0.75 MB (phones send 2-6 MB). The review's PNG (39.7 MP in ~170 KB) may have
# 10 MP, and is refused before decoding.
IMAGE_FREE_PIXELS = 10_000_000
IMAGE_PIXELS_PER_BYTE = 16
# What a PNG may cost in memory while it is decoded and shrunk (``stored_jpeg``), in bytes per pixel by its
# mode: Pillow keeps RGB and RGBA in 4 bytes a pixel, L, P and 1 in one, I;16 in two; resizing RGBA and LA
# makes a premultiplied copy; palette and 1-bit images are converted before resizing, 16-bit ones scaled
# through 32-bit. The budget lets RGB and grey reach UPLOAD_MAX_PIXELS (40 MP: 160 MB decoded), and keeps
# palette (32 MP), transparent (20 MP), palette with transparency (17 MP) and 16-bit (16 MP) images under
# about the same peak, measured in tests/uploads/test_memory.py. JPEGs are decoded at reduced scale
# (``image_decode``), so this applies to PNG.
IMAGE_WORKING_MAX_BYTES = 160_000_000
_WORKING_BYTES_PER_PIXEL = {"1": 2, "L": 1, "P": 5, "RGB": 4, "RGBA": 8, "LA": 8, "PA": 9, "I": 9}


def _working_bytes_per_pixel(image: Image.Image) -> int:
    if image.mode == "P" and "transparency" in image.info:
        return 9  # becomes RGBA, which resizing copies once more
    if image.mode.startswith("I;16"):
        return 10
    return _WORKING_BYTES_PER_PIXEL.get(image.mode, 9)


def pixel_limit(file_bytes: int) -> int:
    """The most pixels an image of ``file_bytes`` bytes may have."""
    return min(max_pixels(), max(IMAGE_FREE_PIXELS, file_bytes * IMAGE_PIXELS_PER_BYTE))


def dimensions_check(width: int, height: int, file_bytes: int, context: dict) -> None:
    limit = pixel_limit(file_bytes)
    if width * height > limit:
        raise UploadError(
            UploadErrorCode.TOO_MANY_PIXELS,
            width=width,
            height=height,
            max_megapixels=megapixels(limit),
            **context,
        )
    if max(width, height) < IMAGE_MIN_LONG_SIDE or min(width, height) < IMAGE_MIN_SHORT_SIDE:
        raise UploadError(
            UploadErrorCode.TOO_SMALL,
            width=width,
            height=height,
            min_long_side=IMAGE_MIN_LONG_SIDE,
            min_short_side=IMAGE_MIN_SHORT_SIDE,
            **context,
        )


def image_decode(
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
        if kind is FileKind.PNG and width * height * _working_bytes_per_pixel(image) > IMAGE_WORKING_MAX_BYTES:
            limit = IMAGE_WORKING_MAX_BYTES // _working_bytes_per_pixel(image)
            raise UploadError(UploadErrorCode.TOO_MANY_PIXELS, max_megapixels=megapixels(limit), **context)
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
        raise UploadError(UploadErrorCode.TOO_MANY_PIXELS, max_megapixels=megapixels(max_pixels()), **context) from exc
    except Exception as exc:  # Pillow raises many types (OSError, SyntaxError, ValueError...) on bad input
        raise UploadError(UploadErrorCode.CORRUPT, **context) from exc
    return image


# --- Photo processing ---------------------------------------------------------------------------------

_EXIF_MAKE, _EXIF_MODEL, _EXIF_IFD, _EXIF_DATETIME_ORIGINAL = 0x010F, 0x0110, 0x8769, 0x9003
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def camera_from_exif(image: Image.Image) -> tuple[bool, str]:
    """(came from a camera, "Make Model") from the original's EXIF; (False, "") when it says nothing."""
    try:
        exif = image.getexif()
        make = _exif_text(exif.get(_EXIF_MAKE))
        model = _exif_text(exif.get(_EXIF_MODEL))
        taken = _exif_text(exif.get_ifd(_EXIF_IFD).get(_EXIF_DATETIME_ORIGINAL) or exif.get(_EXIF_DATETIME_ORIGINAL))
    except Exception:  # noqa: BLE001 - malformed EXIF says nothing trustworthy; the photo itself is fine
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
    except Exception:  # noqa: BLE001 - an orientation tag Pillow cannot apply: keep the photo as stored
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


def jpeg_encode(image: Image.Image, quality: int) -> bytes:
    # Pillow copies some metadata (the JPEG comment) from image.info when saving: empty it first.
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def stored_jpeg(image: Image.Image, long_side: int) -> tuple[bytes, Image.Image]:
    """What is kept of an uploaded image: upright, RGB or grey, at most ``long_side`` px, a JPEG without
    metadata within KTP_PHOTO_STORED_MAX_BYTES; also the image as encoded.

    The image shrinks first, in place, so that few copies of the full-size pixels exist at once (flattening
    a transparent PNG before shrinking it took three). Before that, 1-bit and palette images are converted,
    since Pillow resizes them by nearest neighbour, and 16-bit ones scaled to 8-bit, which Pillow cannot reduce.
    """
    if image.mode == "1":
        image = image.convert("L")
    elif image.mode in ("P", "PA"):
        image = image.convert("RGBA" if image.mode == "PA" or "transparency" in image.info else "RGB")
    elif image.mode.startswith("I"):
        image = _to_rgb_or_gray(image)
    if max(image.size) > long_side:
        image.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    image = _to_rgb_or_gray(_upright(image))
    return _jpeg_within(image, settings.KTP_PHOTO_STORED_MAX_BYTES)


def _jpeg_within(image: Image.Image, max_bytes: int) -> tuple[bytes, Image.Image]:
    """Encode at the first quality that fits ``max_bytes``; if none does, shrink the photo and try again."""
    while True:
        for quality in JPEG_QUALITIES:
            content = jpeg_encode(image, quality)
            if len(content) <= max_bytes:
                return content, image
        smaller = (round(image.width * 0.8), round(image.height * 0.8))
        if max(smaller) < IMAGE_MIN_LONG_SIDE:
            # Only a misconfigured KTP_PHOTO_STORED_MAX_BYTES gets here: 640 px never needs ~1 MB at quality 55.
            raise UploadError(UploadErrorCode.TOO_LARGE, max_mb=megabytes(max_bytes))
        image = image.resize(smaller, Image.Resampling.LANCZOS)
