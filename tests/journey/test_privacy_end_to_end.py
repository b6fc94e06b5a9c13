"""The personal-data guarantees together (issue #15), tried as the people involved would: staff look at an
applicant's photo and letter (recorded), the applicant downloads their data and deletes the account, and then
the same staff, the applicant's other phone, and a key rotation meet what is left. Each guarantee has its own
tests elsewhere; this is the path through all of them, where one part could undo another."""

import io
import json

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from audit.models import Action, Entry
from tests.factories import PASSWORD, ApplicantFactory, ComplaintFactory, UserFactory, staff_user
from tests.helpers import login_verified
from verification.models import KtpPhoto
from waves.models import Complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(private_media):
    """An applicant with a stored KTP photo and a pending "gagal 3 kali" letter, both real files."""
    return ComplaintFactory(user=ApplicantFactory(test_passed=True, ktp_photo__stored=True)).user


def logged_in(user) -> Client:
    client = Client()
    response = client.post("/masuk/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def staff_client(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def test_staff_views_the_download_the_deletion_and_a_rotation_afterwards(settings, applicant):
    superuser = staff_client(UserFactory(verified=True, is_staff=True, is_superuser=True))
    reviewer = staff_client(staff_user(Role.REVIEWER))
    photo, complaint = KtpPhoto.objects.get(user=applicant), Complaint.objects.get(user=applicant)
    photo_url = reverse("verification:ktp_photo_file", args=[photo.pk, "image"])
    letter_url = reverse("waves:complaint_file", args=[complaint.pk])
    values = [
        applicant.email,
        applicant.identity.nik,
        applicant.identity.kk,
        applicant.personal_data.full_name,
        applicant.personal_data.mother_name,
        applicant.personal_data.address,
        applicant.phone.number,
    ]

    # Staff look: each look is recorded.
    assert superuser.get(photo_url).status_code == 200
    assert reviewer.get(letter_url).status_code == 200
    assert reviewer.get(photo_url).status_code == 404  # reviewers never see KTP photos
    looks = set(Entry.objects.values_list("action", flat=True))
    assert {Action.KTP_PHOTO_VIEW, Action.COMPLAINT_LETTER_VIEW} <= looks

    # The applicant downloads everything, on one phone, and deletes the account from another.
    phone, other_phone = logged_in(applicant), logged_in(applicant)
    download = phone.get("/dashboard/data-saya/unduh/")
    assert download.status_code == 200
    held = json.loads(download.content)
    assert held["nik"] == applicant.identity.nik and held["nama_ibu_kandung"] == applicant.personal_data.mother_name
    assert other_phone.post("/dashboard/hapus-akun/", {"password": PASSWORD}).status_code == 302

    # The first phone's session is over: the download now asks for a login.
    after = phone.get("/dashboard/data-saya/unduh/")
    assert after.status_code == 302 and "/masuk/" in after["Location"]
    # The same staff find nothing, and a refusal records nothing.
    entries = Entry.objects.count()
    assert superuser.get(photo_url).status_code == 404
    assert reviewer.get(letter_url).status_code == 404
    assert Entry.objects.count() == entries
    # The audit log kept every look, and names no value of the applicant.
    assert {Action.KTP_PHOTO_VIEW, Action.COMPLAINT_LETTER_VIEW} <= set(Entry.objects.values_list("action", flat=True))
    for entry in Entry.objects.all():
        text = json.dumps([entry.roles, entry.target_type, entry.target_id, entry.details], cls=DjangoJSONEncoder)
        assert not [value for value in values if value in text], entry

    # A rotation of both keys afterwards finds everything readable and leaves nothing to do.
    settings.PII_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.PII_ENCRYPTION_KEYS]
    settings.PII_BLIND_INDEX_KEYS = ["another-blind-index-key", *settings.PII_BLIND_INDEX_KEYS]
    for command in ("pii_rotate_keys", "pii_reindex"):
        call_command(command, stdout=io.StringIO(), stderr=io.StringIO())
        call_command(command, "--check", stdout=io.StringIO(), stderr=io.StringIO())
