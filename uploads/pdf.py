"""PDF: a complete file, read by a real parser (pypdf), with nothing active or embedded inside.

A PDF is kept as sent and opened by reviewers, so it must be what a viewer would show and nothing else.
pypdf reads it strictly (no repair of a broken cross-reference, no guessing), and then every object is
inspected: every entry of the cross-reference (objects in object streams included) and everything reachable
from the trailer (catalog, pages, annotations, name trees, AcroForm). The file is refused when:

- any dictionary or array holds a name that makes a viewer run code, start a program, carry another file,
  play media, send a form or talk to the network (``FORBIDDEN_NAMES``), whether as a key (/JS, /AA, /EF,
  /XFA, /URI...) or as a value (/S /JavaScript, /S /Launch, /Subtype /FileAttachment...);
- the catalog's /OpenAction is an action rather than a place to open at (see ``_open_action_check``);
- it is encrypted (PDF_ENCRYPTED: it cannot be inspected, and reviewers could not open it);
- any stream does not decode completely (CORRUPT): pypdf's own Flate decoder forgives truncated data and
  returns what it could inflate, so Flate data is also inflated here and must reach its end; this is what
  the review's attack relied on (a stream cut short at a chance "endstream" hid the rest);
- the objects or the decoded bytes exceed what any letter needs (a bomb is refused while inflating, never
  inflated whole);
- bytes follow the last %%EOF, or markup (HTML, SVG, script) appears in the bytes a viewer reads as PDF
  syntax (HIDDEN_CONTENT), so the file cannot double as a web page.

Names are compared after pypdf decodes them, so /J#61vaScript is /JavaScript; no bytes are matched by
pattern except the markup and the trailer after %%EOF.
"""

from __future__ import annotations

import io
import zlib

from pypdf import PdfReader, apply_configuration
from pypdf.filters import ASCII85Decode, ASCIIHexDecode, FlateDecode, LZWDecode, RunLengthDecode
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

from uploads.errors import UploadError, UploadErrorCode
from uploads.sniff import markup_check

# A scanned or printed letter has a few dozen objects and its streams decode to a few MB (a 300 dpi grey A4
# page as Flate pixels is ~8.7 MB, in colour ~26 MB). These bound a crafted file's work and memory.
PDF_MAX_OBJECTS = 10_000  # a printed or scanned letter has tens; pypdf takes ~2 s per 10,000 here
PDF_MAX_NODES = 2_000_000  # dictionary entries and array items visited, all objects together
PDF_DECODED_BUDGET = 64 * 1024 * 1024  # bytes decoded from all streams together
_INFLATE_CHUNK = 1024 * 1024

# Names that make a viewer run code (/JavaScript, /JS), act on its own (/AA: additional actions on open,
# close, page view, field focus...), start programs (/Launch), carry other files (/EmbeddedFile(s), /EF,
# /FileAttachment, /GoToE), play media (/RichMedia, /Sound, /Movie, /Rendition), replace the document by a
# form that scripts itself (/XFA), send or load data (/SubmitForm, /ImportData), or open other files and
# addresses (/GoToR, /URI). A letter needs none of them. /OpenAction is judged separately.
FORBIDDEN_NAMES = frozenset(
    f"/{name}"
    for name in (
        "JavaScript",
        "JS",
        "AA",
        "Launch",
        "EmbeddedFile",
        "EmbeddedFiles",
        "EF",
        "FileAttachment",
        "RichMedia",
        "XFA",
        "SubmitForm",
        "ImportData",
        "GoToE",
        "GoToR",
        "URI",
        "Sound",
        "Movie",
        "Rendition",
    )
)

# Filters pypdf decodes, each with the parameters it reads (/DecodeParms: predictors, early change). The
# abbreviations belong to inline images, but viewers accept them anywhere.
_DECODERS = {
    "/FlateDecode": FlateDecode.decode,
    "/LZWDecode": LZWDecode.decode,
    "/ASCII85Decode": lambda data, _parms: ASCII85Decode.decode(data),
    "/ASCIIHexDecode": lambda data, _parms: ASCIIHexDecode.decode(data),
    "/RunLengthDecode": lambda data, _parms: RunLengthDecode.decode(data),
}
_FILTER_NAMES = {
    "/Fl": "/FlateDecode",
    "/LZW": "/LZWDecode",
    "/A85": "/ASCII85Decode",
    "/AHx": "/ASCIIHexDecode",
    "/RL": "/RunLengthDecode",
}
# Image codecs end a filter chain: what they hold is pixels for the viewer's image decoder, which no PDF
# syntax can reach. pypdf returns DCT, JPX and CCITT data unchanged and would run an external program
# (jbig2dec) for JBIG2, which an upload never gets to do.
_IMAGE_CODECS = frozenset({"/DCTDecode", "/DCT", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode", "/CCF"})
_WHITESPACE = b"\x00\t\n\x0c\r "


def pdf_check(data: bytes, context: dict) -> None:
    """Refuse ``data`` (a file that starts with %PDF-) unless it is a complete PDF with nothing active inside.

    Raises ``UploadError``: CORRUPT, PDF_ENCRYPTED, PDF_ACTIVE_CONTENT or HIDDEN_CONTENT.
    """
    corrupt = UploadError(UploadErrorCode.CORRUPT, **context)
    eof = data.rfind(b"%%EOF")
    if eof < 0:
        raise corrupt  # truncated
    # Incremental updates (a signing app appending its changes, each ending in its own %%EOF) are ordinary
    # PDF, and pypdf reads them through the /Prev chain. Anything after the last %%EOF is no part of any
    # revision: no viewer reads it and pypdf does not see it, so it can only be there to be found by
    # something else (a second file of another format, a page for a browser sniffing the bytes).
    if data[eof + 5 :].strip(_WHITESPACE):
        raise UploadError(UploadErrorCode.HIDDEN_CONTENT, **context)
    try:
        with apply_configuration(
            # pypdf's own limits become ours, so a bomb in a stream pypdf decodes while reading (the
            # cross-reference stream, object streams) stops at the same budget.
            zlib_maximum_output_length=PDF_DECODED_BUDGET,
            lzw_maximum_output_length=PDF_DECODED_BUDGET,
            run_length_maximum_output_length=PDF_DECODED_BUDGET,
            maximum_declared_stream_length=len(data),
            zlib_maximum_recovery_input_length=1,  # no byte-by-byte "recovery" of broken Flate data
            jbig2dec_binary=None,
        ):
            reader = PdfReader(io.BytesIO(data), strict=True)
            if reader.is_encrypted:
                raise UploadError(UploadErrorCode.PDF_ENCRYPTED, **context)
            _Inspection(reader, data, context).run()
    except UploadError:
        raise
    except Exception as exc:  # pypdf raises many types (PdfReadError, ValueError, KeyError...) on bad input
        if _claims_encryption(data):
            raise UploadError(UploadErrorCode.PDF_ENCRYPTED, **context) from exc
        raise corrupt from exc


def _claims_encryption(data: bytes) -> bool:
    """Whether a file pypdf could not open names an /Encrypt dictionary in a trailer: say so, not "broken".

    Only used to choose the message for a file already refused.
    """
    return b"/Encrypt" in data


class _Inspection:
    """One walk over every object of ``reader``; raises ``UploadError`` at the first thing refused."""

    def __init__(self, reader: PdfReader, data: bytes, context: dict) -> None:
        self.reader = reader
        self.data = data
        self.context = context
        self.seen: set[tuple[int, int]] = set()
        self.nodes = 0
        self.decoded = 0
        self.stream_spans: list[tuple[int, int]] = []  # where raw stream data lies in the file
        self.object_stream_texts: list[bytes] = []  # decoded object streams: PDF syntax, like the file

    def refuse(self, code: UploadErrorCode) -> UploadError:
        return UploadError(code, **self.context)

    def run(self) -> None:
        reader = self.reader
        in_file = [
            (number, generation)
            for generation, numbers in reader.xref.items()
            for number, offset in numbers.items()
            if not reader.xref_free_entry.get(generation, {}).get(number) and offset is not None
        ]
        in_object_streams = [(number, 0) for number in reader.xref_objStm]
        if len(in_file) + len(in_object_streams) > PDF_MAX_OBJECTS:
            raise self.refuse(UploadErrorCode.CORRUPT)
        # Every stream first (streams are never packed in object streams): object streams are among them, so
        # each is decoded and proven complete here before pypdf reads the objects packed in it.
        for number, generation in in_file:
            reference = IndirectObject(number, generation, reader)
            resolved = reader.get_object(reference)
            if isinstance(resolved, StreamObject):
                self.stream_check(reference, resolved)
        for number, generation in [*in_file, *in_object_streams]:
            self.visit(IndirectObject(number, generation, reader))
        self.visit(reader.trailer)
        root = reader.trailer.get("/Root")
        catalog = root.get_object() if root is not None else None
        if not isinstance(catalog, DictionaryObject) or not len(reader.pages):
            raise self.refuse(UploadErrorCode.CORRUPT)  # no catalog, or no page to show
        _open_action_check(catalog.get("/OpenAction"), self)
        self.markup_check()

    def visit(self, start: PdfObject) -> None:
        stack: list[PdfObject] = [start]
        while stack:
            item = stack.pop()
            self.nodes += 1
            if self.nodes > PDF_MAX_NODES:
                raise self.refuse(UploadErrorCode.CORRUPT)
            if isinstance(item, IndirectObject):
                key = (item.idnum, item.generation)
                if key in self.seen:
                    continue
                self.seen.add(key)
                if not self.listed(item):
                    continue  # a reference to no object is null (ISO 32000-1, 7.3.10): nothing to inspect
                stack.append(self.reader.get_object(item))
            elif isinstance(item, DictionaryObject):
                for name, value in item.items():
                    if name in FORBIDDEN_NAMES:
                        raise self.refuse(UploadErrorCode.PDF_ACTIVE_CONTENT)
                    stack.append(value)
            elif isinstance(item, ArrayObject):
                stack.extend(item)
            elif isinstance(item, NameObject) and item in FORBIDDEN_NAMES:
                raise self.refuse(UploadErrorCode.PDF_ACTIVE_CONTENT)

    def listed(self, reference: IndirectObject) -> bool:
        """Whether the cross-reference has an object for ``reference`` (strict pypdf raises for any other)."""
        if reference.idnum in self.reader.xref_objStm:
            return reference.generation == 0
        generation = self.reader.xref.get(reference.generation, {})
        return reference.idnum in generation and not self.reader.xref_free_entry.get(reference.generation, {}).get(
            reference.idnum
        )

    def stream_check(self, reference: IndirectObject, stream: StreamObject) -> None:
        """Decode the stream completely through its filters, within the budget; note where its data lies."""
        if "/F" in stream or "/FFilter" in stream:
            raise self.refuse(UploadErrorCode.PDF_ACTIVE_CONTENT)  # its data lives in another file
        data = stream._data  # the raw bytes as stored; pypdf has no public name for them
        self.note_span(reference, data)
        filters = _as_list(stream.get("/Filter"))
        parms = _as_list(stream.get("/DecodeParms"))
        for index, name in enumerate(filters):
            if name in _IMAGE_CODECS:
                break
            name = _FILTER_NAMES.get(name, name)
            decoder = _DECODERS.get(name)
            if decoder is None:
                raise self.refuse(UploadErrorCode.CORRUPT)  # unknown, or /Crypt in an unencrypted file
            if name == "/FlateDecode":
                self.inflate_check(data)
            parm = parms[index] if index < len(parms) else None
            data = decoder(data, parm if isinstance(parm, DictionaryObject) else None)
            self.decoded += len(data)
            if self.decoded > PDF_DECODED_BUDGET:
                raise self.refuse(UploadErrorCode.CORRUPT)
        if stream.get("/Type") == "/ObjStm":
            self.object_stream_texts.append(data)

    def inflate_check(self, data: bytes) -> None:
        """Flate data must inflate to its end within the budget, with nothing but whitespace after it.

        pypdf's decoder returns whatever a truncated stream inflates to, and its limit counts one stream
        at a time; this inflates in chunks (keeping nothing) and counts what is left of the whole budget.
        """
        inflater = zlib.decompressobj()
        remaining = PDF_DECODED_BUDGET - self.decoded
        pending = data
        try:
            while not inflater.eof:
                inflated = inflater.decompress(pending, _INFLATE_CHUNK)
                remaining -= len(inflated)
                if remaining < 0:
                    raise self.refuse(UploadErrorCode.CORRUPT)  # a bomb: refused before it is inflated
                pending = inflater.unconsumed_tail
                if not inflated and not pending:
                    break  # the data ended before the stream did
        except zlib.error as exc:
            raise self.refuse(UploadErrorCode.CORRUPT) from exc
        if not inflater.eof or inflater.unused_data.strip(_WHITESPACE):
            raise self.refuse(UploadErrorCode.CORRUPT)

    def note_span(self, reference: IndirectObject, raw: bytes) -> None:
        """Where ``raw`` lies in the file, searched from its object's offset on. A short stream whose bytes
        also occur in its own dictionary may be placed there instead: markup in either is refused anyway."""
        offset = self.reader.xref.get(reference.generation, {}).get(reference.idnum)
        if offset is None or not raw:
            return
        start = self.data.find(raw, offset)
        if start >= 0:
            self.stream_spans.append((start, start + len(raw)))

    def markup_check(self) -> None:
        """Markup in what a viewer reads as PDF syntax: the file outside stream data, and object streams.

        Stream data is skipped: compressed bytes and pixels would match a short tag by chance, and pypdf
        has already proven what is in them.
        """
        outside, position = [], 0
        for start, end in sorted(self.stream_spans):
            if start >= position:
                outside.append(self.data[position:start])
                position = end
        outside.append(self.data[position:])
        for part in [b"".join(outside), *self.object_stream_texts]:
            markup_check(part, self.context)


def _open_action_check(action: PdfObject | None, inspection: _Inspection) -> None:
    """/OpenAction may say where to open, not do anything.

    Word processors and fpdf2 (our own statement letter: ``[3 0 R /FitH null]``) write a destination array;
    a named destination or a plain /GoTo action is the same thing said another way. Any other action (a
    script, a launch, a named menu action such as printing) is refused, as the issue asks.
    """
    if isinstance(action, IndirectObject):
        action = action.get_object()
    if action is None or isinstance(action, (ArrayObject, NameObject, TextStringObject, ByteStringObject)):
        return
    if isinstance(action, DictionaryObject) and action.get("/S") == "/GoTo" and "/Next" not in action:
        return
    raise inspection.refuse(UploadErrorCode.PDF_ACTIVE_CONTENT)


def _as_list(value: PdfObject | None) -> list:
    """A filter or its parameters, one or an array, each resolved."""
    if isinstance(value, IndirectObject):
        value = value.get_object()
    if value is None:
        return []
    items = list(value) if isinstance(value, ArrayObject) else [value]
    return [item.get_object() if isinstance(item, IndirectObject) else item for item in items]
