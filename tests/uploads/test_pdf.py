"""PDFs are read by pypdf, every object inspected and every stream decoded to its end (security issue #11)."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

import uploads.pdf
from tests.uploads_catalogue import (
    BAD_UPLOADS,
    clean_pdf,
    letter_pdf,
    pdf_javascript_behind_endstream,
)
from uploads import DOCUMENT_KINDS, FileKind, UploadError, UploadErrorCode, document_process, upload_check
from verification.selectors import Particulars
from waves.models import StatementText, Wave
from waves.statement import StatementLetter, statement_pdf


def _code(content: bytes) -> UploadErrorCode | FileKind:
    try:
        return upload_check(SimpleUploadedFile("surat.pdf", content), allowed=DOCUMENT_KINDS)
    except UploadError as error:
        return error.code


def _catalogue(name: str) -> bytes:
    return next(bad for bad in BAD_UPLOADS if bad.name == name).content()


def test_the_javascript_behind_endstream_is_found_by_the_parser_not_by_a_pattern():
    # Given the review's PDF, read as a viewer reads it
    reader = PdfReader(io.BytesIO(pdf_javascript_behind_endstream()), strict=True)

    # Then the catalog's /OpenAction runs JavaScript, and the upload is refused for it
    assert reader.trailer["/Root"]["/OpenAction"]["/S"] == "/JavaScript"
    assert _code(pdf_javascript_behind_endstream()) == UploadErrorCode.PDF_ACTIVE_CONTENT


def test_a_truncated_flate_stream_is_refused_although_pypdf_alone_would_inflate_what_is_there():
    # Given a letter with a Flate stream cut short (its /Length matching the cut)
    content = _catalogue("PDF with a truncated Flate stream")

    # pypdf's decoder forgives it: it returns the start without an error
    partial = PdfReader(io.BytesIO(content), strict=True).get_object(7).get_data()
    assert partial.startswith(b"BT /F1 12 Tf")

    # but the upload is refused as broken
    assert _code(content) == UploadErrorCode.CORRUPT


@pytest.mark.django_db
def test_the_portals_own_statement_letter_is_accepted_as_sent():
    # Given the letter the portal draws with fpdf2 (its /OpenAction is a destination: [page /FitH null])
    start = datetime(2026, 9, 1, 9, tzinfo=ZoneInfo("Asia/Jakarta"))
    waves = [
        Wave(
            number=n,
            name=f"Gelombang {n}",
            opens_at=start,
            closes_at=start + timedelta(days=7),
            announce_at=start + timedelta(days=10),
            quota=1,
        )
        for n in (19, 18, 17)
    ]
    applicant = Particulars(
        full_name="Siti Aminah",
        nik="3276015708950001",
        email="siti@contoh.id",
        phone="+6281234567890",
        address="Jl. Merdeka 1, Kota Depok",
        city="Kota Depok",
    )
    letter = StatementLetter(
        text=StatementText.objects.get(is_current=True),
        applicant=applicant,
        waves=waves,
        generated_at=start,
        upload_url="https://prakerja.example/x/",
    )
    content = statement_pdf(letter)
    assert isinstance(PdfReader(io.BytesIO(content)).trailer["/Root"]["/OpenAction"], list)

    # When it comes back as the signed letter, then it is kept byte for byte
    processed = document_process(SimpleUploadedFile("surat-pernyataan.pdf", content))

    assert processed.kind == FileKind.PDF
    assert processed.content == content


@pytest.mark.parametrize(
    ("open_action", "expected"),
    [
        (b"[3 0 R /Fit]", FileKind.PDF),  # a destination: where to open
        (b"[3 0 R /XYZ null null 0]", FileKind.PDF),  # LibreOffice's
        (b"<< /S /GoTo /D [3 0 R /Fit] >>", FileKind.PDF),  # the same, as an action
        (b"<< /S /GoTo /D [3 0 R /Fit] /Next << /S /Named /N /Print >> >>", UploadErrorCode.PDF_ACTIVE_CONTENT),
        (b"<< /S /Named /N /Print >>", UploadErrorCode.PDF_ACTIVE_CONTENT),
        (b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>", UploadErrorCode.PDF_ACTIVE_CONTENT),
    ],
)
def test_an_open_action_may_say_where_to_open_but_not_do_anything(open_action, expected):
    assert _code(letter_pdf(open_action=open_action)) == expected


@pytest.mark.parametrize(
    "extra",
    [b" /AcroForm << /Fields [] /NeedAppearances true >>", b" /Lang (id-ID) /Metadata << /JSON 1 >>"],
)
def test_ordinary_catalog_entries_are_accepted(extra):
    assert _code(letter_pdf(catalog_extra=extra)) == FileKind.PDF


def test_a_stream_whose_data_lives_in_another_file_is_refused():
    external = b"<< /Length 0 /F (\\\\\\\\evil.example\\\\share\\\\page.txt) >>\nstream\n\nendstream"

    assert _code(letter_pdf(more=(external,))) == UploadErrorCode.PDF_ACTIVE_CONTENT


def test_the_decoded_bytes_are_bounded_across_all_streams(monkeypatch):
    # Given a budget smaller than the letter's content stream
    monkeypatch.setattr(uploads.pdf, "PDF_DECODED_BUDGET", 40)

    # Then the letter is refused instead of decoded past it
    assert _code(clean_pdf()) == UploadErrorCode.CORRUPT


def test_the_number_of_objects_is_bounded(monkeypatch):
    monkeypatch.setattr(uploads.pdf, "PDF_MAX_OBJECTS", 3)

    assert _code(clean_pdf()) == UploadErrorCode.CORRUPT


def test_whitespace_after_the_last_eof_is_allowed_and_anything_else_is_not():
    assert _code(clean_pdf() + b"\r\n\x00 \n") == FileKind.PDF
    assert _code(clean_pdf() + b"PK\x03\x04") == UploadErrorCode.HIDDEN_CONTENT


def test_a_reference_to_an_object_that_does_not_exist_is_null_as_the_standard_says():
    assert _code(letter_pdf(catalog_extra=b" /Outlines 99 0 R")) == FileKind.PDF
