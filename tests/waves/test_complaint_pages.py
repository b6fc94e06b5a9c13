"""The applicant's side of "gagal 3 kali" over HTTP: the dashboard offer, the PDF letter, the upload, the status,
and who may see a letter."""

import io
import logging

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from tests.factories import ApplicantFactory, UserFactory, lost_waves, reviewer, signed_letter
from tests.helpers import login_verified
from tests.uploads_catalogue import BAD_UPLOADS, jpeg
from uploads import DOCUMENT_KINDS, FileKind
from waves.forms import ComplaintLetterForm
from waves.models import Complaint, ComplaintStatus, Wave
from waves.services import complaint_decide

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/gagal-3-kali/"
LETTER = "/dashboard/gagal-3-kali/surat-pernyataan.pdf"


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def upload(client, file) -> object:
    return client.post(PAGE, {"letter": file})


# --- Dashboard and page ----------------------------------------------------------------------------------


def test_the_dashboard_offers_the_statement_after_three_failed_selections(client, thrice_failed):
    html = client.get("/dashboard/").content.decode()

    assert "Anda sudah 3 kali belum berhasil" in html
    assert "Ajukan surat pernyataan" in html and PAGE in html


def test_the_dashboard_says_nothing_of_it_before(client, private_media):
    user = ApplicantFactory(test_passed=True)
    lost_waves(user, 2)
    client.force_login(user)

    assert 'data-testid="complaint-panel"' not in client.get("/dashboard/").content.decode()
    page = client.get(PAGE).content.decode()
    assert "Seleksi yang belum berhasil: 2 gelombang" in page
    assert "setelah 3 kali tidak lolos seleksi" in page and LETTER not in page


def test_the_page_lists_the_failed_waves_and_offers_the_letter_and_the_upload(client, thrice_failed):
    html = client.get(PAGE).content.decode()

    for number in (1, 2, 3):
        assert f"Gelombang {number}, diumumkan" in html
    assert LETTER in html and 'name="letter"' in html and 'enctype="multipart/form-data"' in html


# --- The PDF ---------------------------------------------------------------------------------------------


def test_the_letter_is_a_real_pdf_filled_with_the_applicants_data_and_the_three_waves(client, thrice_failed):
    response = client.get(LETTER)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"%PDF-") and b"<html" not in content.lower()
    assert len(PdfReader(io.BytesIO(content)).pages) == 1
    text = pdf_text(content)
    identity = thrice_failed.identity
    assert "SURAT PERNYATAAN" in text
    assert "Siti Aminah" in text
    assert identity.nik in text
    assert thrice_failed.email in text
    assert thrice_failed.phone.number in text
    assert "Jl. Merdeka 1" in text and "Kota Depok" in text and "Jawa Barat" in text.title()
    for wave in Wave.objects.all():
        assert f"Gelombang {wave.number}: pendaftaran" in text
        assert timezone.localtime(wave.announce_at).strftime("%Y") in text
    assert "meterai" in text.lower() and "Teks surat versi 1" in text
    assert "Yang membuat pernyataan" in text


def test_the_letter_is_in_indonesian_even_in_english(client, thrice_failed):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    text = pdf_text(client.get(LETTER).content)

    assert "Yang bertanda tangan di bawah ini" in text and "Gelombang seleksi yang telah saya ikuti" in text
    assert "diumumkan" in text and "announced" not in text


def test_the_letter_is_only_its_owners(client, thrice_failed, private_media):
    """There is no letter URL with anyone's id in it: each applicant gets their own, or none."""
    other = ApplicantFactory(test_passed=True)
    client.force_login(other)

    assert client.get(LETTER).status_code == 404
    client.logout()
    assert client.get(LETTER).status_code == 302  # to the login page


def test_generating_the_letter_logs_no_nik(client, thrice_failed, caplog):
    with caplog.at_level(logging.DEBUG):
        client.get(LETTER)

    assert thrice_failed.identity.nik not in caplog.text


def test_the_downloaded_letter_passes_the_upload_checks_itself(client, thrice_failed):
    """A letter signed digitally and sent back as it is must be accepted."""
    content = client.get(LETTER).content

    response = upload(client, SimpleUploadedFile("surat.pdf", content, content_type="application/pdf"))

    assert response.status_code == 302
    assert Complaint.objects.get().letter.read() == content


# --- Upload ----------------------------------------------------------------------------------------------


def test_a_signed_pdf_is_filed_and_the_page_shows_it_pending(client, thrice_failed):
    response = upload(client, signed_letter())

    assert response.status_code == 302 and response["Location"] == PAGE
    complaint = Complaint.objects.get(user=thrice_failed)
    assert complaint.status == ComplaintStatus.PENDING and complaint.letter_kind == "pdf"
    html = client.get(PAGE).content.decode()
    assert "Surat pernyataan sedang ditinjau" in html and 'name="letter"' not in html
    assert f"/dashboard/gagal-3-kali/{complaint.pk}/berkas/" in html
    assert 'data-status="pending"' in client.get("/dashboard/").content.decode()


def test_a_photo_of_the_letter_is_re_encoded_without_metadata(client, thrice_failed):
    image = Image.new("RGB", (1240, 1754), "white")
    exif = Image.Exif()
    exif[0x010F] = "samsung"  # Make
    buffer = io.BytesIO()
    image.save(buffer, "PNG", exif=exif)

    response = upload(client, SimpleUploadedFile("surat.png", buffer.getvalue(), content_type="image/png"))

    assert response.status_code == 302
    complaint = Complaint.objects.get()
    stored = complaint.letter.read()
    assert complaint.letter_kind == "jpeg" and stored.startswith(b"\xff\xd8")
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert complaint.letter.name.endswith(".jpg") and "surat.png" not in complaint.letter.name


def test_a_bad_upload_is_refused_in_indonesian_and_nothing_is_filed(client, thrice_failed):
    response = upload(
        client,
        SimpleUploadedFile("surat.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"),
    )

    assert response.status_code == 400
    assert "Berkas HTML tidak bisa diterima. Kirim berkas PDF, JPG, atau PNG." in response.content.decode()
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize("bad", BAD_UPLOADS, ids=lambda bad: bad.name)
def test_the_statement_upload_answers_the_shared_catalogue(bad):
    """The catalogue the KTP photo tests use; a PDF, JPG or PNG upload answers each entry as it says."""
    expected = bad.expected(DOCUMENT_KINDS)
    form = ComplaintLetterForm(data={}, files={"letter": bad.upload()})

    if expected is None:
        assert form.is_valid(), form.errors
        assert form.cleaned_data["letter"].kind is FileKind.PDF
    else:
        assert not form.is_valid()
        assert [error.code for error in form.errors.as_data()["letter"]] == [expected]


def test_a_jpeg_named_pdf_is_refused(client, thrice_failed):
    response = upload(client, SimpleUploadedFile("surat.pdf", jpeg(), content_type="application/pdf"))

    assert response.status_code == 400 and Complaint.objects.count() == 0


def test_posting_when_not_allowed_changes_nothing(client, private_media):
    user = ApplicantFactory(test_passed=True)
    lost_waves(user, 1)
    client.force_login(user)

    response = upload(client, signed_letter())

    assert response.status_code == 302 and Complaint.objects.count() == 0
    assert "setelah 3 kali tidak lolos seleksi" in client.get(PAGE).content.decode()


# --- Who sees a letter -----------------------------------------------------------------------------------


@pytest.fixture
def filed(client, thrice_failed):
    upload(client, signed_letter())
    return Complaint.objects.get()


def test_the_owner_sees_their_letter_never_cached(client, filed):
    response = client.get(f"/dashboard/gagal-3-kali/{filed.pk}/berkas/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_reviewer_sees_it_once_past_the_staff_second_factor(client, filed):
    who = reviewer()
    client.force_login(who)
    assert client.get(f"/dashboard/gagal-3-kali/{filed.pk}/berkas/").status_code == 404  # password only

    login_verified(client, who)

    assert client.get(f"/dashboard/gagal-3-kali/{filed.pk}/berkas/").status_code == 200


@pytest.mark.parametrize("who", ["another applicant", "staff who are not reviewers"])
def test_nobody_else_does_not_even_whether_it_exists(client, filed, who):
    client.force_login(ApplicantFactory(test_passed=True) if who == "another applicant" else UserFactory(is_staff=True))

    assert client.get(f"/dashboard/gagal-3-kali/{filed.pk}/berkas/").status_code == 404
    assert client.get(f"/dashboard/gagal-3-kali/{filed.pk + 1}/berkas/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, filed):
    client.logout()

    response = client.get(f"/dashboard/gagal-3-kali/{filed.pk}/berkas/")

    assert response.status_code == 302 and "/masuk/" in response["Location"]


# --- The decision, as the applicant sees it --------------------------------------------------------------


def test_a_rejection_shows_its_reason_on_the_dashboard(client, filed):
    complaint_decide(complaint=filed, acting_user=reviewer(), approve=False, reason="Meterai tidak ditempel.")

    html = client.get("/dashboard/").content.decode()

    assert 'data-status="rejected"' in html and "Meterai tidak ditempel." in html
    assert "setelah mengikuti seleksi gelombang berikutnya" in html


def test_an_approval_shows_the_priority_on_the_dashboard(client, filed):
    complaint_decide(complaint=filed, acting_user=reviewer(), approve=True)

    html = client.get("/dashboard/").content.decode()

    assert 'data-status="approved"' in html and "prioritas" in html


def test_the_dashboard_stays_within_its_query_budget_with_a_complaint(client, filed, django_assert_max_num_queries):
    with django_assert_max_num_queries(11):
        client.get("/dashboard/")


def test_the_page_in_english(client, thrice_failed):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(PAGE).content.decode()

    assert "Download the statement letter (PDF)" in html
