"""PDF: a complete file with nothing active inside."""

import bisect
import re
import zlib

from uploads.errors import UploadError, UploadErrorCode
from uploads.sniff import markup_check

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


def pdf_check(data: bytes, context: dict) -> None:
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
        markup_check(part, context)

