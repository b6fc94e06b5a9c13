"""The letter's drawing alone: any name prints, a long address keeps the letter on one page."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from tests.clock import WIB
from verification.selectors import Particulars
from waves.models import StatementText, Wave
from waves.statement import StatementLetter, statement_pdf

pytestmark = pytest.mark.django_db


def letter(start=datetime(2026, 9, 1, 9, tzinfo=WIB), **particulars) -> StatementLetter:
    waves = [
        Wave(
            number=n,
            name=name,
            opens_at=start + timedelta(days=20 * n),
            closes_at=start + timedelta(days=20 * n + 7),
            announce_at=start + timedelta(days=20 * n + 10),
            quota=1,
        )
        for n, name in ((19, "Gelombang 19"), (18, "Gelombang 18 (khusus)"), (17, "Gelombang 17"))
    ]
    fields = {
        "full_name": "Siti Aminah",
        "nik": "3276015708950001",
        "email": "siti@contoh.id",
        "phone": "+6281234567890",
        "address": "Jl. Merdeka 1, Kec. Pancoran Mas, Kota Depok, Jawa Barat",
        "city": "Kota Depok",
        **particulars,
    }
    return StatementLetter(
        text=StatementText.objects.get(is_current=True),
        applicant=Particulars(**fields),
        waves=waves,
        generated_at=start + timedelta(days=90),
        upload_url="https://prakerja.example/x/",
    )


def text_of(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages), len(reader.pages)


def test_a_name_outside_latin_1_is_printed_in_its_closest_form():
    text, _pages = text_of(statement_pdf(letter(full_name="Nguyễn Thị Ánh Şükran")))

    assert "Nguyen Thi Ánh Sükran" in text


def test_a_long_address_keeps_the_letter_on_one_page():
    address = (
        "Perumahan Griya Asri Blok C-12 No. 7, Jl. Raya Sawangan Gg. Mawar III, RT 003/RW 011, Kel. Pancoran "
        "Mas, Kec. Pancoran Mas, Kota Depok, Jawa Barat"
    )

    text, pages = text_of(statement_pdf(letter(address=address)))

    assert pages == 1 and "Gg. Mawar III" in text


def test_the_longest_address_moves_the_signature_to_a_second_page_whole():
    address = "Jl. " + "Panjang Sekali " * 31  # the 500 characters the form allows

    _text, pages = text_of(statement_pdf(letter(address=address[:500])))

    assert pages == 2
    second = " ".join(
        PdfReader(io.BytesIO(statement_pdf(letter(address=address[:500])))).pages[1].extract_text().split()
    )
    assert "Yang membuat pernyataan" in second and "( Siti Aminah )" in second and "Tempel meterai" in second


def test_a_wave_name_that_says_more_than_its_number_is_printed():
    text, _pages = text_of(statement_pdf(letter()))

    assert "Gelombang 19: pendaftaran" in text and "Gelombang 18 (Gelombang 18 (khusus))" in text


@pytest.mark.parametrize("display_zone", ["Asia/Jakarta", "UTC"])
def test_dates_are_printed_on_their_wib_day_when_the_database_gives_them_in_utc(settings, display_zone):
    settings.TIME_ZONE = display_zone
    # Every time is 17:30 UTC, 00:30 WIB the next day: wave 17 opens 7 August 2027 in UTC, 8 August in WIB, and
    # the letter is made on 30 November 2026 in UTC, 1 December in WIB.
    text, _pages = text_of(statement_pdf(letter(start=datetime(2026, 9, 1, 17, 30, tzinfo=UTC))))

    assert "Gelombang 17: pendaftaran 8 Agustus 2027 s.d. 15 Agustus 2027, diumumkan 18 Agustus 2027" in text
    assert "pada 1 Desember 2026 untuk" in text
