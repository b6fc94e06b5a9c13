"""The reviewer's workbench: a complaint's page shows the letter framed (sandboxed) beside the applicant's
particulars (no KTP photo, NIK masked) and the cited waves; the decision with its checklist and reason opens the
oldest pending case next; the list shows how long each case has waited, oldest first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ComplaintFactory, UserFactory, reviewer
from tests.helpers import login_verified
from waves.models import Complaint, ComplaintStatus

pytestmark = pytest.mark.django_db

LIST = "/admin/waves/complaint/"


@pytest.fixture
def desk(client, private_media):
    user = reviewer()
    login_verified(client, user)
    client.user = user
    return client


@pytest.fixture
def cases(private_media):
    """Three pending complaints, sent 3 days, 2 days and 1 day ago; the middle one first in the table."""
    now = timezone.now()
    middle = ComplaintFactory(submitted_at=now - timedelta(days=2))
    oldest = ComplaintFactory(submitted_at=now - timedelta(days=3))
    newest = ComplaintFactory(submitted_at=now - timedelta(days=1))
    return oldest, middle, newest


def decide(client, complaint, **data):
    return client.post(f"{LIST}{complaint.pk}/putuskan/", data)


def test_the_page_shows_the_letter_framed_beside_the_case(desk, cases):
    complaint = cases[0]
    identity = complaint.user.identity

    response = desk.get(f"{LIST}{complaint.pk}/change/")

    html = response.content.decode()
    assert f'src="/dashboard/gagal-3-kali/{complaint.pk}/berkas/?tampil=1"' in html
    assert "frame-src 'self'" in response["Content-Security-Policy"]
    assert complaint.user.personal_data.full_name in html
    assert identity.nik_masked in html and identity.nik not in html
    assert "/verifikasi/foto-ktp/" not in html and "foto-ktp" not in html
    assert "Pendaftar mengunggah surat ini" in html and "Anda" not in html.split('id="content"')[1].split("</main>")[0]
    for label in ("Surat ditandatangani pendaftar", "Bermeterai Rp10.000", "Nama di surat sama"):
        assert label in html
    assert f'href="{LIST}{cases[1].pk}/change/"' in html  # "Berikutnya": the oldest other pending case


def test_the_letter_is_framed_only_on_request_and_stays_sandboxed(desk, cases):
    url = f"/dashboard/gagal-3-kali/{cases[0].pk}/berkas/"

    framed = desk.get(url, {"tampil": "1"})
    plain = desk.get(url)

    assert framed["Content-Disposition"].startswith("inline")
    assert framed["Content-Security-Policy"] == "sandbox; frame-ancestors 'self'"
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    assert plain["Content-Disposition"].startswith("attachment") and plain["Content-Security-Policy"] == "sandbox"
    assert plain["X-Frame-Options"] == "DENY"


def test_an_image_letter_is_shown_as_an_image(desk, private_media):
    complaint = ComplaintFactory(letter_kind="jpeg")

    html = desk.get(f"{LIST}{complaint.pk}/change/").content.decode()

    assert 'data-testid="letter-image"' in html and "letter-frame" not in html


def test_a_decision_stores_the_checklist_and_reason_then_opens_the_oldest_pending_case(desk, cases):
    oldest, middle, newest = cases

    response = decide(desk, newest, decision="reject", rejection="unsigned", checklist=["meterai", "name_matches"])

    assert response.status_code == 302 and response.url == f"{LIST}{oldest.pk}/change/"
    decided = Complaint.objects.get(pk=newest.pk)
    assert (decided.status, decided.rejection_reason, decided.reviewer) == (
        ComplaintStatus.REJECTED,
        "unsigned",
        desk.user,
    )
    assert decided.checklist == {"signed": False, "meterai": True, "name_matches": True, "waves_match": False}

    assert decide(desk, oldest, decision="approve").url == f"{LIST}{middle.pk}/change/"
    assert Complaint.objects.get(pk=oldest.pk).checklist == dict.fromkeys(
        ("signed", "meterai", "name_matches", "waves_match"), False
    )  # nothing ticked is an answer too
    assert decide(desk, middle, decision="approve").url == LIST  # none left: back to the list


def test_a_rejection_without_a_reason_decides_nothing(desk, cases):
    response = decide(desk, cases[0], decision="reject")

    assert response.status_code == 302 and response.url == f"{LIST}{cases[0].pk}/change/"
    assert Complaint.objects.get(pk=cases[0].pk).status == ComplaintStatus.PENDING
    page = desk.get(response.url).content.decode()
    assert "Pilih alasan penolakan" in page


def test_the_decision_is_post_only_and_needs_the_review_permission(client, cases):
    staff = UserFactory(is_staff=True)
    login_verified(client, staff)

    assert client.post(f"{LIST}{cases[0].pk}/putuskan/", {"decision": "approve"}).status_code == 403
    login_verified(client, reviewer())
    assert client.get(f"{LIST}{cases[0].pk}/putuskan/").status_code == 405
    assert Complaint.objects.get(pk=cases[0].pk).status == ComplaintStatus.PENDING


def test_the_list_is_oldest_first_and_shows_how_long_each_waited(desk, cases):
    response = desk.get(LIST)

    assert [c.pk for c in response.context["cl"].result_list] == [c.pk for c in cases]
    html = response.content.decode()
    assert "lama menunggu" in html.lower() and "3\xa0hari" in html
