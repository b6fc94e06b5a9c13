"""The upload checks (``uploads``) against the catalogue of bad and good uploads."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image, ImageFile, ImageStat

from tests.uploads_catalogue import (
    BAD_UPLOADS,
    GOOD_UPLOADS,
    GoodUpload,
    jpeg,
    jpeg_with_frame_size,
    letter_pdf,
    pdf_javascript_behind_endstream,
    phone_photo,
    png,
    screenshot_png,
)
from uploads import (
    DOCUMENT_KINDS,
    PHOTO_KINDS,
    FileKind,
    UploadError,
    UploadErrorCode,
    ktp_photo_process,
    upload_check,
    upload_error_message,
)
from uploads.errors import UPLOAD_ERROR_MESSAGES

PILLOW_MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS

# Each message tells the applicant what to do next.
ACTION_WORDS = re.compile(r"\b(kirim|unggah|ambil|simpan|pilih)\b", re.IGNORECASE)


def _refusal(call, *args, **kwargs) -> UploadError:
    with pytest.raises(UploadError) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.fixture(scope="module")
def processed_phone_photo():
    return ktp_photo_process(SimpleUploadedFile("IMG_20240501_100000.jpg", phone_photo()))


def _reopen(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


# --- The catalogue ------------------------------------------------------------------------------------


def test_the_catalogue_holds_at_least_twenty_distinct_bad_uploads():
    names = [bad.name for bad in BAD_UPLOADS]

    assert len(names) >= 20
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("bad", BAD_UPLOADS, ids=lambda bad: bad.name)
def test_a_photo_upload_refuses_every_bad_upload_with_its_code_and_a_message(bad):
    error = _refusal(upload_check, bad.upload(), allowed=PHOTO_KINDS)

    assert error.code == bad.code
    message = upload_error_message(error)
    assert message and "%(" not in message
    assert ACTION_WORDS.search(message)


@pytest.mark.parametrize("bad", BAD_UPLOADS, ids=lambda bad: bad.name)
def test_the_ktp_photo_step_refuses_every_bad_upload_with_the_same_code(bad):
    error = _refusal(ktp_photo_process, bad.upload())

    assert error.code == bad.code


@pytest.mark.parametrize("bad", BAD_UPLOADS, ids=lambda bad: bad.name)
def test_a_document_upload_answers_each_catalogue_entry_as_the_catalogue_says(bad):
    expected = bad.expected(DOCUMENT_KINDS)

    if expected is None:
        assert upload_check(bad.upload(), allowed=DOCUMENT_KINDS) == FileKind.PDF
    else:
        assert _refusal(upload_check, bad.upload(), allowed=DOCUMENT_KINDS).code == expected


@pytest.mark.parametrize("good", GOOD_UPLOADS, ids=lambda good: good.name)
def test_every_good_upload_is_accepted_as_its_kind(good: GoodUpload):
    assert upload_check(good.upload(), allowed=good.allowed) == good.kind


@pytest.mark.parametrize(
    "good", [good for good in GOOD_UPLOADS if good.kind is not FileKind.PDF], ids=lambda good: good.name
)
def test_every_good_image_becomes_a_clean_jpeg_within_the_stored_limit(good: GoodUpload, settings):
    photo = ktp_photo_process(good.upload())

    stored = _reopen(photo.content)
    assert stored.format == "JPEG"
    assert stored.mode in ("RGB", "L")
    assert (stored.width, stored.height) == (photo.width, photo.height)
    assert max(photo.width, photo.height) <= 2000
    assert len(photo.content) <= settings.KTP_PHOTO_STORED_MAX_BYTES
    assert not stored.getexif()
    assert photo.from_camera is good.from_camera
    assert photo.camera == good.camera
    assert photo.original_kind == good.kind
    assert photo.original_bytes == len(good.content())


# --- The phone photo --------------------------------------------------------------------------------


def test_the_phone_photo_in_the_catalogue_is_what_phones_send():
    original = _reopen(phone_photo())

    assert 3_000_000 <= len(phone_photo()) <= 6_000_000
    assert original.size == (4000, 3000)
    assert original.getexif()[0x0112] == 6


def test_a_phone_photo_is_stored_upright_small_and_below_two_megabytes(processed_phone_photo, settings):
    photo = processed_phone_photo

    assert len(photo.content) <= settings.KTP_PHOTO_STORED_MAX_BYTES
    # Orientation 6: the 4000 x 3000 sensor image is shown portrait, and the red mark at the stored top-left
    # ends up top-right.
    assert (photo.width, photo.height) == (1500, 2000)
    stored = _reopen(photo.content)
    red, green, blue = stored.getpixel((photo.width - 20, 20))
    assert red > 200 and green < 80 and blue < 80
    assert photo.original_bytes == len(phone_photo())
    assert photo.original_kind == FileKind.JPEG


def test_a_phone_photo_is_recorded_as_from_a_camera_with_its_make_and_model(processed_phone_photo):
    assert processed_phone_photo.from_camera is True
    assert processed_phone_photo.camera == "Samsung SM-A515F"


def test_the_stored_phone_photo_keeps_no_metadata_at_all(processed_phone_photo):
    content = processed_phone_photo.content
    stored = _reopen(content)

    assert len(stored.getexif()) == 0
    assert not {"exif", "icc_profile", "comment", "xmp", "photoshop"} & set(stored.info)
    traces = (b"Exif\x00\x00", b"ICC_PROFILE", b"http://ns.adobe.com/xap", b"SM-A515F", b"samsung", b"Samsung camera")
    for trace in traces:
        assert trace not in content
    assert b"\xff\xfe" not in content.split(b"\xff\xda", 1)[0]  # no comment segment before the image data


def test_the_reviewer_thumbnail_is_a_small_clean_jpeg(processed_phone_photo):
    thumbnail = _reopen(processed_phone_photo.thumbnail)

    assert thumbnail.format == "JPEG"
    assert max(thumbnail.size) == 320
    assert thumbnail.size[1] > thumbnail.size[0]  # upright, like the photo
    assert len(processed_phone_photo.thumbnail) < 40_000
    assert len(thumbnail.getexif()) == 0


def test_a_screenshot_is_not_recorded_as_from_a_camera():
    photo = ktp_photo_process(SimpleUploadedFile("Screenshot.png", screenshot_png()))

    assert photo.from_camera is False
    assert photo.camera == ""
    assert (photo.width, photo.height) == (1280, 800)
    assert photo.original_kind == FileKind.PNG


def test_a_camera_make_without_the_time_taken_is_not_from_a_camera():
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "OPPO", "CPH2127"
    photo = ktp_photo_process(SimpleUploadedFile("edited.jpg", jpeg(exif=exif)))

    assert photo.from_camera is False
    assert photo.camera == "OPPO CPH2127"


def test_a_photo_too_big_for_the_stored_limit_is_reencoded_smaller_until_it_fits(settings):
    settings.KTP_PHOTO_STORED_MAX_BYTES = 120_000

    photo = ktp_photo_process(SimpleUploadedFile("IMG.jpg", phone_photo()))

    assert len(photo.content) <= 120_000
    assert min(photo.width, photo.height) >= 400


def test_transparency_becomes_white_and_sixteen_bit_is_scaled_not_clipped():
    transparent = next(good for good in GOOD_UPLOADS if good.name == "transparent PNG")
    sixteen_bit = next(good for good in GOOD_UPLOADS if good.name == "16-bit greyscale PNG")

    flat = _reopen(ktp_photo_process(transparent.upload()).content)
    gray = _reopen(ktp_photo_process(sixteen_bit.upload()).content)

    assert min(flat.getpixel((50, flat.height // 2))) > 240
    assert gray.mode == "L"
    assert 40 < ImageStat.Stat(gray).mean[0] < 230


def test_a_cmyk_scan_is_stored_as_rgb():
    cmyk = next(good for good in GOOD_UPLOADS if good.name == "CMYK JPEG from a scanner")

    assert _reopen(ktp_photo_process(cmyk.upload()).content).mode == "RGB"


# --- Names, kinds and limits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content", "allowed", "expected"),
    [
        # Content decides the kind; mislabelled images within the image family are fine (re-encoded anyway).
        ("ktp.jpg", screenshot_png, PHOTO_KINDS, FileKind.PNG),
        ("ktp.png", jpeg, PHOTO_KINDS, FileKind.JPEG),
        ("ktp.jpeg", jpeg, PHOTO_KINDS, FileKind.JPEG),
        ("ktp.JFIF", jpeg, PHOTO_KINDS, FileKind.JPEG),
        ("blob", jpeg, PHOTO_KINDS, FileKind.JPEG),
        ("ktp.php.jpg", jpeg, PHOTO_KINDS, FileKind.JPEG),  # the last extension counts; stored under our own name
        ("surat.PDF", letter_pdf, DOCUMENT_KINDS, FileKind.PDF),
        ("surat", letter_pdf, DOCUMENT_KINDS, FileKind.PDF),
        # Across families, or an extension no photo has: refused.
        ("ktp.pdf", jpeg, DOCUMENT_KINDS, UploadErrorCode.EXTENSION_MISMATCH),
        ("surat.png", letter_pdf, DOCUMENT_KINDS, UploadErrorCode.EXTENSION_MISMATCH),
        ("ktp.jpg.html", jpeg, PHOTO_KINDS, UploadErrorCode.EXTENSION_MISMATCH),
        ("ktp.svg", screenshot_png, PHOTO_KINDS, UploadErrorCode.EXTENSION_MISMATCH),
        # A kind the caller does not take, whatever the name.
        ("surat.pdf", letter_pdf, PHOTO_KINDS, UploadErrorCode.UNSUPPORTED_TYPE),
        ("ktp.jpg", jpeg, frozenset({FileKind.PDF}), UploadErrorCode.UNSUPPORTED_TYPE),
    ],
)
def test_the_content_decides_the_kind_and_the_extension_must_belong_to_its_family(filename, content, allowed, expected):
    upload = SimpleUploadedFile(filename, content(), content_type="application/octet-stream")

    if isinstance(expected, FileKind):
        assert upload_check(upload, allowed=allowed) == expected
    else:
        assert _refusal(upload_check, upload, allowed=allowed).code == expected


def test_the_browsers_content_type_is_never_believed():
    claims_pdf = SimpleUploadedFile("ktp.jpg", jpeg(), content_type="application/pdf")
    claims_jpeg = SimpleUploadedFile("ktp.png", b"hello", content_type="image/jpeg")

    assert upload_check(claims_pdf, allowed=PHOTO_KINDS) == FileKind.JPEG
    assert _refusal(upload_check, claims_jpeg, allowed=PHOTO_KINDS).code == UploadErrorCode.NOT_AN_IMAGE


def test_the_file_is_rewound_after_the_check_so_the_caller_can_store_it():
    upload = SimpleUploadedFile("surat.pdf", letter_pdf())

    upload_check(upload, allowed=DOCUMENT_KINDS)

    assert upload.tell() == 0
    assert upload.read() == letter_pdf()


def test_the_size_limit_comes_from_the_caller_or_the_settings_and_the_message_names_it(settings):
    big = SimpleUploadedFile("ktp.jpg", jpeg((1280, 960)))

    error = _refusal(upload_check, big, allowed=PHOTO_KINDS, max_bytes=10_000)
    assert error.code == UploadErrorCode.TOO_LARGE

    settings.UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    default = _refusal(upload_check, SimpleUploadedFile("ktp.jpg", bytes(5 * 1024 * 1024 + 1)), allowed=PHOTO_KINDS)
    assert "maksimal 5 MB" in upload_error_message(default)


def test_the_too_large_message_says_ten_megabytes_by_default():
    assert "maksimal 10 MB" in upload_error_message(UploadError(UploadErrorCode.TOO_LARGE))


def test_the_pixel_limit_comes_from_the_settings(settings):
    settings.UPLOAD_MAX_PIXELS = 1_000_000

    error = _refusal(upload_check, SimpleUploadedFile("ktp.jpg", jpeg((1280, 960))), allowed=PHOTO_KINDS)

    assert error.code == UploadErrorCode.TOO_MANY_PIXELS
    assert "1 megapiksel" in upload_error_message(error)


def test_the_smallest_readable_photo_is_640_by_400_either_way_round():
    for size in [(640, 400), (400, 640)]:
        assert upload_check(SimpleUploadedFile("ktp.jpg", jpeg(size)), allowed=PHOTO_KINDS) == FileKind.JPEG
    for size in [(639, 480), (800, 399), (399, 800)]:
        error = _refusal(upload_check, SimpleUploadedFile("ktp.jpg", jpeg(size)), allowed=PHOTO_KINDS)
        assert error.code == UploadErrorCode.TOO_SMALL


def test_the_pixel_limit_never_exceeds_pillows_own_bomb_limit(settings):
    # Pillow warns (DecompressionBombWarning) above Image.MAX_IMAGE_PIXELS; such an image is always refused.
    settings.UPLOAD_MAX_PIXELS = 10 * Image.MAX_IMAGE_PIXELS
    claims_100_mp = jpeg_with_frame_size(jpeg((800, 600)), 10_000, 10_000)

    error = _refusal(upload_check, SimpleUploadedFile("ktp.jpg", claims_100_mp), allowed=PHOTO_KINDS)

    assert error.code == UploadErrorCode.TOO_MANY_PIXELS


def test_pillows_global_safety_switches_are_left_alone(processed_phone_photo):
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert Image.MAX_IMAGE_PIXELS == PILLOW_MAX_IMAGE_PIXELS


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (b" /Lang (id-ID) /PageMode /UseNone", None),  # ordinary names
        (b" /JSans (x) /EFGH 1 /Launcher 2", None),  # names that only start like forbidden ones
        (b" /J#53 (app.alert\\(1\\))", UploadErrorCode.PDF_ACTIVE_CONTENT),  # /JS, spelled with an escape
        (b" /#4A#61#76#61#53#63#72#69#70#74 7 0 R", UploadErrorCode.PDF_ACTIVE_CONTENT),  # /JavaScript, all escaped
        (b" /Launch<</F(cmd.exe)>>", UploadErrorCode.PDF_ACTIVE_CONTENT),  # no space before the delimiter
    ],
)
def test_pdf_names_are_matched_in_every_spelling_and_only_whole(extra, expected):
    upload = SimpleUploadedFile("surat.pdf", letter_pdf(catalog_extra=extra))

    if expected is None:
        assert upload_check(upload, allowed=DOCUMENT_KINDS) == FileKind.PDF
    else:
        assert _refusal(upload_check, upload, allowed=DOCUMENT_KINDS).code == expected


def test_javascript_hidden_after_a_deflate_block_that_holds_endstream_is_refused():
    # Given the review's PDF: an object stream whose first deflate block spells "endstream", and whose next
    # block holds a catalog with an /OpenAction that runs JavaScript
    upload = SimpleUploadedFile("surat.pdf", pdf_javascript_behind_endstream())

    # When it is offered as the signed letter, then it is refused for its active content
    assert _refusal(upload_check, upload, allowed=DOCUMENT_KINDS).code == UploadErrorCode.PDF_ACTIVE_CONTENT


# --- Messages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", list(UploadErrorCode))
def test_every_code_has_an_indonesian_message_that_formats_without_parameters(code):
    message = upload_error_message(UploadError(code))

    assert code in UPLOAD_ERROR_MESSAGES
    assert message and "%(" not in message
    assert ACTION_WORDS.search(message)


def test_the_heic_message_tells_iphone_users_which_setting_to_change():
    message = upload_error_message(UploadError(UploadErrorCode.HEIC))

    assert "Pengaturan > Kamera > Format" in message
    assert "Paling Kompatibel" in message
    assert "JPG" in message


def test_the_messages_name_the_kinds_the_caller_takes():
    text = SimpleUploadedFile("surat.jpg", b"just text")

    photo = upload_error_message(_refusal(upload_check, text, allowed=PHOTO_KINDS))
    document = upload_error_message(_refusal(upload_check, text, allowed=DOCUMENT_KINDS))

    assert "JPG atau PNG" in photo
    assert "PDF, JPG, atau PNG" in document


# --- Robustness -------------------------------------------------------------------------------------


class CountingFile:
    """A file-like that makes its bytes on demand and counts what is read from it."""

    def __init__(self, total: int, *, declared: int | None, head: bytes = b"\xff\xd8\xff\xe0") -> None:
        self.total, self.size, self.head = total, declared, head
        self.name = "ktp.jpg"
        self.position = 0
        self.bytes_read = 0
        self.unbounded_reads = 0

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = offset
        return offset

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            self.unbounded_reads += 1
            size = self.total
        end = min(self.total, self.position + size)
        head = self.head[self.position : end]
        chunk = head + bytes(max(0, end - self.position) - len(head))
        self.position = max(self.position, end)
        self.bytes_read += len(chunk)
        return chunk


@pytest.mark.parametrize("declared", [None, 100], ids=["no declared size", "a declared size that lies"])
def test_never_more_than_max_bytes_plus_one_are_read(declared, settings):
    limit = settings.UPLOAD_MAX_BYTES
    huge = CountingFile(5 * limit, declared=declared)

    assert _refusal(upload_check, huge, allowed=PHOTO_KINDS).code == UploadErrorCode.TOO_LARGE
    assert huge.bytes_read <= limit + 1
    assert huge.unbounded_reads == 0


def test_a_file_declared_too_large_is_refused_without_reading_it():
    declared = CountingFile(50, declared=50 * 1024 * 1024)

    assert _refusal(upload_check, declared, allowed=PHOTO_KINDS).code == UploadErrorCode.TOO_LARGE
    assert declared.bytes_read == 0


def test_a_callers_own_limit_bounds_the_read_too():
    large = CountingFile(100_000, declared=None)

    assert _refusal(upload_check, large, allowed=PHOTO_KINDS, max_bytes=1000).code == UploadErrorCode.TOO_LARGE
    assert large.bytes_read <= 1001


class NamedBytes(io.BytesIO):
    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name
        self.size = len(data)


MAGICS = [
    b"",
    b"\xff\xd8",
    b"\xff\xd8\xff\xe0",
    b"\x89PNG\r\n\x1a\n",
    b"%PDF-1.7\n",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBP",
    b"\x00\x00\x00\x18ftyp",
    b"<svg ",
    b"PK\x03\x04",
    b"BM",
    b"II*\x00",
]
NAMES = st.sampled_from(["ktp.jpg", "ktp.png", "surat.pdf", "blob", "x.html", "", "foto.JPEG", ".jpg", "a.b.c."])
ALLOWED = st.sampled_from([PHOTO_KINDS, DOCUMENT_KINDS, frozenset({FileKind.PDF}), frozenset({FileKind.PNG})])


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(magic=st.sampled_from(MAGICS), tail=st.binary(max_size=2048), name=NAMES, allowed=ALLOWED)
def test_random_bytes_never_crash_the_validators(magic, tail, name, allowed):
    data = magic + tail
    for call, kwargs in [(upload_check, {"allowed": allowed}), (ktp_photo_process, {})]:
        try:
            call(NamedBytes(data, name), **kwargs)
        except UploadError as error:
            assert upload_error_message(error)  # noqa: PT017 - either outcome is valid; a refusal must be the typed error


SEEDS = {
    "jpeg": jpeg((640, 480), quality=70),
    "progressive jpeg": jpeg((640, 480), quality=70, progressive=True),
    "png": png((640, 400)),
    "pdf": letter_pdf(),
}


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(sorted(SEEDS)),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
    cut=st.none() | st.floats(0, 1),
    insert=st.none() | st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=64)),
)
def test_damaged_real_files_never_crash_the_validators(seed, flips, cut, insert):
    data = bytearray(SEEDS[seed])
    for where, value in flips:
        data[int(where * len(data))] = value
    if insert is not None:
        where, extra = insert
        data[int(where * len(data)) : int(where * len(data))] = extra
    if cut is not None:
        del data[int(cut * len(data)) :]
    name = "surat.pdf" if seed == "pdf" else "ktp.jpg"

    for call, kwargs in [(upload_check, {"allowed": DOCUMENT_KINDS}), (ktp_photo_process, {})]:
        try:
            call(NamedBytes(bytes(data), name), **kwargs)
        except UploadError as error:
            assert upload_error_message(error)  # noqa: PT017 - either outcome is valid; a refusal must be the typed error
