""" "Gagal 3 kali" in a real browser: the applicant downloads the filled-in letter and uploads it back from a
phone; a reviewer rejects it in Django admin with a fixable reason; the applicant sees the decision and uploads
a corrected letter at once."""

import pytest
from playwright.sync_api import expect

from tests.browser.actions import assert_accessible, log_in, staff_log_in
from tests.browser.conftest import DESKTOP, browser_page
from tests.factories import ApplicantFactory, lost_waves, reviewer
from waves.models import Complaint, ComplaintStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_applicant_files_the_statement_and_a_reviewer_rejects_it(page, browser, live_server, private_media):
    applicant = ApplicantFactory(test_passed=True)
    lost_waves(applicant, 3)
    log_in(page, applicant.email)

    page.get_by_role("link", name="Ajukan surat pernyataan").click()
    expect(page.get_by_text("Seleksi yang belum berhasil: 3 gelombang")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh surat pernyataan (PDF)").click()
    letter = download.value
    assert letter.suggested_filename == "surat-pernyataan-gagal-3-kali.pdf"
    letter_path = letter.path()
    with open(letter_path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.get_by_label("Surat pernyataan yang sudah ditandatangani").set_input_files(letter_path)
    page.get_by_role("button", name="Unggah surat pernyataan").click()
    expect(page.get_by_text("Surat pernyataan Anda sudah kami terima")).to_be_visible()
    expect(page.get_by_text("Surat pernyataan sedang ditinjau")).to_be_visible()
    assert_accessible(page)

    with browser_page(browser, live_server.url, DESKTOP) as desk:  # the reviewer, at a desk
        who = reviewer()
        staff_log_in(desk, who, "/admin/waves/complaint/")  # the portal's login page, then the second factor
        complaint = review(desk, applicant)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.REJECTED and complaint.reviewer == who
    page.goto("/dashboard/")
    expect(page.get_by_text("Surat pernyataan ditolak")).to_be_visible()
    expect(page.get_by_text("Meterai belum ditempel.")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_test_id("rejection-reason")).to_have_text("Tanpa meterai")
    fixable = page.get_by_test_id("complaint-fixable")  # a fixable reason: upload again at once, not a wave later
    fixable.get_by_role("link", name="Unggah surat yang diperbaiki").click()
    assert_accessible(page)
    page.get_by_label("Surat pernyataan yang sudah ditandatangani").set_input_files(letter_path)
    page.get_by_role("button", name="Unggah surat pernyataan").click()
    expect(page.get_by_text("Surat pernyataan Anda sudah kami terima")).to_be_visible()
    expect(page.get_by_text("Surat pernyataan sedang ditinjau")).to_be_visible()
    assert_accessible(page)
    assert Complaint.objects.filter(user=applicant).count() == 2


def review(desk, applicant) -> Complaint:
    """The reviewer opens the letter in the admin, refuses to reject it without a reason, then rejects it for a
    missing meterai (a fixable reason) with a note to the applicant."""
    assert_accessible(desk)  # the list of complaints
    complaint = Complaint.objects.get()
    desk.get_by_role("link", name=applicant.email).click()
    letter = desk.get_by_test_id("letter-frame").element_handle().content_frame()
    letter.wait_for_load_state()
    assert letter.url.endswith(f"/dashboard/gagal-3-kali/{complaint.pk}/berkas/?tampil=1")  # shown, not blocked
    with desk.expect_download() as reviewed:  # served as an attachment, never rendered in the admin's origin
        desk.get_by_role("link", name="Unduh surat").click()
    assert reviewed.value.suggested_filename == f"surat-pernyataan-{complaint.pk}.pdf"
    assert_accessible(desk)
    desk.get_by_test_id("reject").click()  # without a reason first
    expect(desk.get_by_text("Pilih alasan penolakan")).to_be_visible()
    assert_accessible(desk)
    desk.get_by_label("Bermeterai Rp10.000, tanda tangan di atas meterai").uncheck()
    desk.get_by_label("Alasan penolakan").select_option("no_meterai")
    desk.get_by_label("Catatan untuk pendaftar").fill("Meterai belum ditempel.")
    desk.get_by_test_id("reject").click()
    expect(desk.get_by_text(f"Pengaduan #{complaint.pk} ditolak.")).to_be_visible()
    assert_accessible(desk)
    return complaint
