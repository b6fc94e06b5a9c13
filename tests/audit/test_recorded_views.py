"""Every staff view of a KTP photo, a signed "gagal 3 kali" letter or an applicant's personal data shown in full
is in the audit log, with who, their role, which record, when and from where; an owner's own views are not, and
no entry holds the applicant's data."""

import json

import pytest
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import Action, Entry
from tests.factories import ApplicantFactory, UserFactory, staff_user
from tests.helpers import login_verified
from tests.uploads_catalogue import letter_pdf, phone_photo
from verification.models import KtpPhoto
from waves.models import Complaint, StatementText

pytestmark = pytest.mark.django_db

ADDRESS = "36.80.1.2"


@pytest.fixture
def applicant(settings, tmp_path):
    """An applicant with a stored KTP photo and a pending "gagal 3 kali" letter, both real files."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    user = ApplicantFactory(test_passed=True)
    photo = KtpPhoto.objects.get(user=user)
    photo.image.save("ktp.jpg", ContentFile(phone_photo()), save=False)
    photo.thumbnail.save("ktp-kecil.jpg", ContentFile(phone_photo()), save=False)
    photo.save()
    complaint = Complaint(
        user=user,
        text=StatementText.objects.get(),
        failed_selections=3,
        letter_kind="pdf",
        letter_bytes=len(letter_pdf()),
        submitted_at=timezone.now(),
    )
    complaint.letter.save("surat.pdf", ContentFile(letter_pdf()), save=False)
    complaint.save()
    return user


@pytest.fixture
def superuser(client):
    user = UserFactory(verified=True, is_staff=True, is_superuser=True)
    login_verified(client, user)
    return user


def the_entry(**fields) -> Entry:
    (entry,) = Entry.objects.filter(**fields)
    return entry


def assert_holds_nothing_of(applicant) -> None:
    """No entry names the applicant: not their email, NIK, KK, names, address, birth date or phone."""
    identity, personal_data = applicant.identity, applicant.personal_data
    secrets = [
        applicant.email,
        identity.nik,
        identity.kk,
        identity.birth_date.isoformat(),
        personal_data.full_name,
        personal_data.mother_name,
        personal_data.address,
        applicant.phone.number,
    ]
    for entry in Entry.objects.all():
        text = json.dumps([entry.roles, entry.target_type, entry.target_id, entry.details], cls=DjangoJSONEncoder)
        assert not [secret for secret in secrets if secret in text], entry


@pytest.mark.parametrize("variant", ["image", "thumbnail"])
def test_a_superuser_opening_a_ktp_photo_is_recorded(client, applicant, superuser, variant):
    photo = applicant.ktp_photo

    response = client.get(reverse("verification:ktp_photo_file", args=[photo.pk, variant]), REMOTE_ADDR=ADDRESS)

    assert response.status_code == 200
    entry = the_entry(action=Action.KTP_PHOTO_VIEW)
    assert (entry.acting_user, entry.roles) == (superuser, "superuser")
    assert (entry.target_type, entry.target_id) == ("verification.ktpphoto", str(photo.pk))
    assert entry.client_address == ADDRESS and entry.details == {"variant": variant}
    assert_holds_nothing_of(applicant)


def test_a_reviewer_opening_a_letter_is_recorded(client, applicant):
    reviewer = staff_user(Role.REVIEWER)
    login_verified(client, reviewer)
    complaint = Complaint.objects.get(user=applicant)

    response = client.get(reverse("waves:complaint_file", args=[complaint.pk]), REMOTE_ADDR=ADDRESS)

    assert response.status_code == 200
    entry = the_entry(action=Action.COMPLAINT_LETTER_VIEW)
    assert (entry.acting_user, entry.roles) == (reviewer, Role.REVIEWER)
    assert (entry.target_type, entry.target_id, entry.client_address) == ("waves.complaint", str(complaint.pk), ADDRESS)
    assert_holds_nothing_of(applicant)


def test_owners_opening_their_own_photo_and_letter_are_not_recorded_nor_are_refusals(client, applicant):
    complaint = Complaint.objects.get(user=applicant)
    photo_url = reverse("verification:ktp_photo_file", args=[applicant.ktp_photo.pk, "image"])
    letter_url = reverse("waves:complaint_file", args=[complaint.pk])
    client.force_login(applicant)
    assert client.get(photo_url).status_code == client.get(letter_url).status_code == 200

    login_verified(client, staff_user(Role.OPERATOR))  # may open neither
    assert client.get(photo_url).status_code == client.get(letter_url).status_code == 404

    assert not Entry.objects.exists()


def test_the_personal_data_record_page_is_recorded_its_masked_list_is_not(client, applicant, superuser):
    personal_data = applicant.personal_data

    client.get("/admin/verification/personaldata/", REMOTE_ADDR=ADDRESS)
    client.get(f"/admin/verification/personaldata/{personal_data.pk}/change/", REMOTE_ADDR=ADDRESS)

    (shown,) = Entry.objects.filter(action=Action.PERSONAL_DATA_VIEW)
    assert (shown.target_type, shown.target_id) == ("verification.personaldata", str(personal_data.pk))
    assert shown.details == {"fields": ["full_name", "mother_name", "address"]}
    assert (shown.acting_user, shown.client_address) == (superuser, ADDRESS)
    assert_holds_nothing_of(applicant)


def test_the_identity_pages_record_the_birth_date_shown_in_full(client, applicant, superuser):
    identity = applicant.identity

    client.get("/admin/verification/identityverification/")
    client.get(f"/admin/verification/identityverification/{identity.pk}/change/")

    (shown,) = Entry.objects.filter(action=Action.PERSONAL_DATA_VIEW)  # the list masks the birth date
    assert (shown.target_type, shown.target_id) == ("verification.identityverification", str(identity.pk))
    assert shown.details == {"fields": ["birth_date"]}


def test_a_reviewer_opening_a_complaint_with_the_full_name_is_recorded_its_masked_list_is_not(client, applicant):
    reviewer = staff_user(Role.REVIEWER)
    login_verified(client, reviewer)
    complaint = Complaint.objects.get(user=applicant)

    client.get("/admin/waves/complaint/")  # emails and masked NIKs only
    page = client.get(f"/admin/waves/complaint/{complaint.pk}/change/", REMOTE_ADDR=ADDRESS).content.decode()

    assert applicant.personal_data.full_name in page
    entry = the_entry(action=Action.PERSONAL_DATA_VIEW)
    assert (entry.acting_user, entry.roles, entry.client_address) == (reviewer, Role.REVIEWER, ADDRESS)
    assert (entry.target_type, entry.target_id) == ("waves.complaint", str(complaint.pk))
    assert entry.details == {"fields": ["full_name"]}


def test_a_page_refused_or_showing_nothing_records_nothing(client, applicant):
    login_verified(client, staff_user(Role.OPERATOR))
    assert client.get("/admin/verification/personaldata/").status_code == 403
    login_verified(client, UserFactory(verified=True, is_staff=True, is_superuser=True))
    assert client.get("/admin/verification/personaldata/", {"q": "tidak-ada@contoh.id"}).status_code == 200

    assert not Entry.objects.exists()
