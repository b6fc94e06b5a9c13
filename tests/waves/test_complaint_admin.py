"""Reviewing "gagal 3 kali" complaints in Django admin: the reviewers' group and its permissions, the list, the
letter, and the approve/reject actions (single and bulk, a reason required to reject)."""

import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role
from tests.factories import ComplaintFactory, UserFactory, reviewer
from tests.helpers import login_verified
from waves.models import Complaint, ComplaintStatus

pytestmark = pytest.mark.django_db

LIST = "/admin/waves/complaint/"


@pytest.fixture
def complaints(private_media):
    """Two pending complaints, built straight into the table (their eligibility is tested elsewhere)."""
    return ComplaintFactory.create_batch(2)


@pytest.fixture
def reviewer_client(client):
    user = reviewer()
    login_verified(client, user)
    client.user = user
    return client


def act(client, action: str, complaints, **extra):
    data = {"action": action, "_selected_action": [c.pk for c in complaints], **extra}
    return client.post(LIST, data)


def test_the_reviewers_group_holds_only_the_review_permissions():
    group = Group.objects.get(name=Role.REVIEWER)

    assert set(group.permissions.values_list("content_type__app_label", "codename")) == {
        ("waves", "view_complaint"),
        ("waves", "review_complaint"),
    }


def test_the_list_shows_status_wave_count_date_and_a_masked_nik(reviewer_client, complaints):
    html = reviewer_client.get(LIST).content.decode()

    for complaint in complaints:
        identity = complaint.user.identity
        assert complaint.user.email in html
        assert identity.nik_masked in html and identity.nik not in html
    assert "Menunggu peninjauan" in html
    assert "lama menunggu" in html.lower()


def test_search_by_email_and_by_full_nik(reviewer_client, complaints):
    first = complaints[0]

    by_email = reviewer_client.get(LIST, {"q": first.user.email})
    by_nik = reviewer_client.get(LIST, {"q": first.user.identity.nik})

    assert [c.pk for c in by_email.context["cl"].result_list] == [first.pk]
    assert [c.pk for c in by_nik.context["cl"].result_list] == [first.pk]


@pytest.mark.parametrize("typed", ["as shown", "with dots", "with spaces"])
def test_search_by_the_masked_nik_as_the_list_shows_it(reviewer_client, complaints, typed):
    nik = complaints[1].user.identity.nik
    term = {
        "as shown": complaints[1].user.identity.nik_masked,
        "with dots": f"{nik[:4]}........{nik[-4:]}",
        "with spaces": f"{nik[:4]} {nik[-4:]}",
    }[typed]

    found = reviewer_client.get(LIST, {"q": term})

    assert complaints[1].pk in [c.pk for c in found.context["cl"].result_list]
    assert all(
        c.user.identity.nik_masked == complaints[1].user.identity.nik_masked for c in found.context["cl"].result_list
    )


def test_filter_by_status(reviewer_client, complaints):
    Complaint.objects.filter(pk=complaints[0].pk).update(
        status=ComplaintStatus.APPROVED, reviewer=reviewer_client.user, decided_at=complaints[0].submitted_at
    )

    pending = reviewer_client.get(LIST, {"status__exact": "pending"})

    assert [c.pk for c in pending.context["cl"].result_list] == [complaints[1].pk]


def test_the_change_page_shows_the_letter_and_no_field_can_be_edited(reviewer_client, complaints):
    complaint = complaints[0]

    html = reviewer_client.get(f"{LIST}{complaint.pk}/change/").content.decode()

    assert f"/dashboard/gagal-3-kali/{complaint.pk}/berkas/" in html
    assert 'name="decision_reason"' not in html and 'name="status"' not in html
    assert 'data-testid="approve"' in html and 'data-testid="reject"' in html
    assert reviewer_client.post(f"{LIST}{complaint.pk}/change/", {"status": "approved"}).status_code == 403
    assert reviewer_client.post(f"{LIST}{complaint.pk}/delete/", {"post": "yes"}).status_code == 403


def test_reviewers_cannot_see_or_edit_applicant_data(reviewer_client, complaints):
    for url in (
        "/admin/accounts/user/",
        "/admin/verification/identityverification/",
        "/admin/verification/personaldata/",
        "/admin/verification/ktpphoto/",
        "/admin/waves/wave/",
    ):
        assert reviewer_client.get(url).status_code == 403, url


def test_staff_outside_the_group_cannot_review(client, complaints):
    login_verified(client, UserFactory(is_staff=True))

    assert client.get(LIST).status_code == 403


def test_reject_asks_for_a_reason_first_and_decides_nothing_without_one(reviewer_client, complaints):
    page = act(reviewer_client, "reject", complaints[:1])
    assert page.status_code == 200 and "Alasan penolakan" in page.content.decode()

    no_reason = act(reviewer_client, "reject", complaints[:1], confirm="yes", reason="  ")
    no_words = act(reviewer_client, "reject", complaints[:1], confirm="yes", rejection="lainnya", reason="  ")

    assert no_reason.status_code == 200 and "Pilih alasan penolakan" in no_reason.content.decode()
    assert no_words.status_code == 200 and "Tulis alasan penolakan" in no_words.content.decode()
    assert Complaint.objects.get(pk=complaints[0].pk).status == ComplaintStatus.PENDING


def test_a_rejection_with_its_reason_is_recorded_with_the_reviewer(reviewer_client, complaints):
    response = act(
        reviewer_client, "reject", complaints[:1], confirm="yes", rejection="lainnya", reason="Tanda tangan tidak ada."
    )

    assert response.status_code == 302
    complaint = Complaint.objects.get(pk=complaints[0].pk)
    assert complaint.status == ComplaintStatus.REJECTED
    assert complaint.reviewer == reviewer_client.user and complaint.decided_at is not None
    assert complaint.decision_reason == "Tanda tangan tidak ada."
    assert Complaint.objects.get(pk=complaints[1].pk).status == ComplaintStatus.PENDING


def test_bulk_approval(reviewer_client, complaints):
    response = act(reviewer_client, "approve", complaints, confirm="yes", reason="")

    assert response.status_code == 302
    assert set(Complaint.objects.values_list("status", "reviewer")) == {
        (ComplaintStatus.APPROVED, reviewer_client.user.pk)
    }


def test_a_decided_complaint_is_skipped_by_a_later_action(reviewer_client, complaints):
    act(reviewer_client, "approve", complaints[:1], confirm="yes")
    other = reviewer()
    login_verified(reviewer_client, other)

    act(reviewer_client, "reject", complaints, confirm="yes", rejection="unreadable", reason="Terlambat.")

    statuses = dict(Complaint.objects.values_list("pk", "status"))
    assert statuses == {complaints[0].pk: ComplaintStatus.APPROVED, complaints[1].pk: ComplaintStatus.REJECTED}
    assert Complaint.objects.get(pk=complaints[0].pk).reviewer != other
