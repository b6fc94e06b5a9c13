"""The pixel budget: tied to the file's bytes, and to what the image's mode costs to decode (security issue #11)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from tests.uploads_catalogue import encode, noisy_rows, phone_photo, png_by_rows, review_png
from uploads import (
    PHOTO_KINDS,
    FileKind,
    UploadError,
    UploadErrorCode,
    ktp_photo_process,
    upload_check,
    upload_error_message,
)
from uploads.images import IMAGE_FREE_PIXELS, IMAGE_PIXELS_PER_BYTE, pixel_limit


def _refusal(content: bytes, name: str = "ktp.png") -> UploadError:
    with pytest.raises(UploadError) as caught:
        upload_check(SimpleUploadedFile(name, content), allowed=PHOTO_KINDS)
    return caught.value


def _a4_page(mode: str) -> bytes:
    """A white A4 page with lines of text at 200 dpi (1654 x 2339), as a scanner app saves it."""
    page = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(page)
    for line, y in enumerate(range(150, 2200, 40)):
        draw.text((150, y), f"Saya yang bertanda tangan di bawah ini menyatakan dengan sebenarnya {line} " * 2, fill=0)
    return encode(page.convert(mode), "PNG", optimize=True)


def test_a_small_file_claiming_many_pixels_is_refused_before_decoding():
    # Given the review's PNG: 6300 x 6300 (39.7 MP, under the 40 MP limit) in about 130 KB
    content = review_png()
    assert len(content) * IMAGE_PIXELS_PER_BYTE < IMAGE_FREE_PIXELS

    # Then it may have the free allowance only, and the message names it
    error = _refusal(content)
    assert error.code == UploadErrorCode.TOO_MANY_PIXELS
    assert "10 megapiksel" in upload_error_message(error)


@pytest.mark.parametrize("mode", ["1", "L", "RGB"])
def test_a_scanned_a4_page_at_200_dpi_is_accepted_however_well_it_compresses(mode):
    content = _a4_page(mode)

    assert len(content) < 130_000  # the 1-bit page is ~6.5 KB: 0.0017 bytes a pixel
    assert upload_check(SimpleUploadedFile("surat.png", content), allowed=PHOTO_KINDS) == FileKind.PNG


def test_a_twelve_megapixel_phone_photo_is_well_within_its_budget():
    assert pixel_limit(len(phone_photo())) >= 3 * 4000 * 3000
    assert ktp_photo_process(SimpleUploadedFile("IMG.jpg", phone_photo())).from_camera


def test_the_budget_grows_with_the_bytes_up_to_the_absolute_limit(settings):
    assert pixel_limit(1_000) == IMAGE_FREE_PIXELS
    assert pixel_limit(1_000_000) == 16_000_000
    assert pixel_limit(9_000_000) == settings.UPLOAD_MAX_PIXELS


def test_a_transparent_png_may_have_fewer_pixels_than_an_opaque_one():
    # Given two 5000 x 5000 PNGs with bytes enough for their pixels: RGBA costs twice RGB to shrink
    rgba = png_by_rows(5000, 5000, 6, 8, noisy_rows(20000, 600))
    rgb = png_by_rows(5000, 5000, 2, 8, noisy_rows(15000, 600))

    # Then the opaque one is accepted and the transparent one refused, naming its own limit
    assert upload_check(SimpleUploadedFile("ktp.png", rgb), allowed=PHOTO_KINDS) == FileKind.PNG
    error = _refusal(rgba)
    assert error.code == UploadErrorCode.TOO_MANY_PIXELS
    assert "20 megapiksel" in upload_error_message(error)
