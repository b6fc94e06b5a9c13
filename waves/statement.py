"""The "gagal 3 kali" statement letter as a PDF (DESIGN §5), drawn with fpdf2 (pure Python, no system libraries).

The letter is a legal document addressed to the program's management, so it is always in Indonesian, whatever
language the portal is shown in: its text is the versioned ``StatementText`` and its labels are fixed here.
It is generated on request for its owner and never stored: the applicant's particulars (their own NIK in full)
are read from their verified data each time.

fpdf2's built-in fonts cover Latin-1; a name or address with a character outside it (rare in the registry) is
printed with its closest Latin-1 form, e.g. "Ş" as "S".
"""

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from accounts.models import User
from prakerja.timeutil import wib_date
from verification.selectors import Particulars, applicant_particulars
from waves.models import StatementText, Wave
from waves.selectors import complaint_state, statement_text_current_shown

MARGIN_MM = 20
LINE_MM = 5.2
FONT_PT = 10.5
SIGNATURE_MM = 56  # place and date, "Yang membuat pernyataan", the meterai box, the printed name


@dataclass(frozen=True)
class StatementLetter:
    text: StatementText
    applicant: Particulars
    waves: list[Wave]  # the failed selections the letter names, newest first
    generated_at: datetime
    upload_url: str


def statement_letter_for(*, user: User, now: datetime | None = None) -> StatementLetter | None:
    """The letter ``user`` may download now: while they may file, with the three latest failed waves; else None."""
    now = now or timezone.now()
    state = complaint_state(user=user, now=now)
    if not state.may_file:
        return None
    applicant = applicant_particulars(user=user)
    text = statement_text_current_shown()
    if applicant is None or text is None:
        return None
    return StatementLetter(
        text=text,
        applicant=applicant,
        waves=state.waves_to_cite,
        generated_at=now,
        upload_url=settings.SITE_URL + reverse("waves:complaint"),
    )


def statement_pdf(letter: StatementLetter) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(auto=True, margin=MARGIN_MM)
    pdf.set_title(_latin1(letter.text.title))
    pdf.set_author("Portal Kartu Prakerja (simulasi)")
    pdf.set_subject(_latin1(f"Surat pernyataan versi {letter.text.version}"))
    pdf.set_creation_date(letter.generated_at)
    pdf.add_page()

    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, "SURAT PERNYATAAN", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", FONT_PT)
    pdf.multi_cell(0, LINE_MM, _latin1(letter.text.title), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(5)

    pdf.multi_cell(0, LINE_MM, _latin1(letter.text.opening), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    applicant = letter.applicant
    for label, value in (
        ("Nama lengkap", applicant.full_name),
        ("NIK", applicant.nik),
        ("Email", applicant.email),
        ("Nomor HP", applicant.phone),
        ("Alamat", applicant.address),
    ):
        pdf.cell(35, LINE_MM, label)
        pdf.cell(5, LINE_MM, ":")
        pdf.multi_cell(0, LINE_MM, _latin1(value), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)

    pdf.set_font("Helvetica", "B", FONT_PT)
    pdf.cell(
        0, LINE_MM, "Gelombang seleksi yang telah saya ikuti dan belum berhasil:", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font("Helvetica", "", FONT_PT)
    for position, wave in enumerate(letter.waves, start=1):
        line = (
            f"{position}. {_in_indonesian(lambda wave=wave: wave.label)}: pendaftaran {_day(wave.opens_at)} s.d. {_day(wave.closes_at)}, "
            f"diumumkan {_day(wave.announce_at)}; hasil: belum berhasil."
        )
        pdf.set_x(MARGIN_MM + 5)
        pdf.multi_cell(0, LINE_MM, _latin1(line), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)

    for paragraph in letter.text.paragraphs():
        pdf.multi_cell(0, LINE_MM, _latin1(paragraph), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    _signature(pdf, letter)
    _footer(pdf, letter)
    return bytes(pdf.output())


def _signature(pdf: FPDF, letter: StatementLetter) -> None:
    """Place and date to fill in, the box for the meterai and signature, and the printed name under it."""
    width = 75
    if pdf.will_page_break(SIGNATURE_MM):
        pdf.add_page()
    left = pdf.w - MARGIN_MM - width
    pdf.ln(4)
    pdf.set_x(left)
    pdf.cell(
        width, LINE_MM, _latin1(f"{letter.applicant.city}, ......................"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_x(left)
    pdf.cell(width, LINE_MM, "Yang membuat pernyataan,", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    top = pdf.get_y() + 2
    pdf.set_draw_color(150, 150, 150)
    pdf.rect(left, top, 32, 24)
    pdf.set_font("Helvetica", "", 8)
    pdf.set_text_color(110, 110, 110)
    pdf.set_xy(left, top + 6)
    pdf.multi_cell(32, 4, "Tempel meterai\nRp10.000\nlalu tanda tangan", align=Align.C)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "", FONT_PT)
    pdf.set_xy(left, top + 30)
    pdf.cell(width, LINE_MM, _latin1(f"( {letter.applicant.full_name} )"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _footer(pdf: FPDF, letter: StatementLetter) -> None:
    """Where the letter came from and what to do with it, in the bottom margin of the last page."""
    pdf.set_auto_page_break(auto=False)
    pdf.set_y(pdf.h - MARGIN_MM + 4)
    pdf.set_font("Helvetica", "", 8)
    pdf.set_text_color(90, 90, 90)
    note = (
        f"Teks surat versi {letter.text.version}. Dibuat oleh portal Kartu Prakerja (simulasi) pada "
        f"{_day(letter.generated_at)} untuk {letter.applicant.email}. Cetak, isi tempat dan tanggal, tempel meterai, "
        f"tanda tangani, lalu unggah hasil pindaian atau fotonya (PDF, JPG, atau PNG) di {letter.upload_url}"
    )
    pdf.multi_cell(0, 4, _latin1(note), align=Align.L)


def _day(moment: datetime | date) -> str:
    """A date as Indonesians write it ("29 November 2026"), in WIB."""
    if isinstance(moment, datetime):
        moment = wib_date(moment)
    return _in_indonesian(lambda: formats.date_format(moment, "j F Y"))


def _in_indonesian(make):
    with translation.override("id"):
        return make()


def _latin1(text: str) -> str:
    """``text`` in the characters the built-in fonts have: each character as it is where it can be, else without
    its accents ("ễ" as "e"), else "?"."""
    return "".join(_latin1_char(char) for char in text)


def _latin1_char(char: str) -> str:
    if ord(char) < 256:
        return char
    bare = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
    return bare.encode("latin-1", "replace").decode("latin-1") or "?"
