"""Step 4, "Foto KTP", through HTTP: the photo is re-encoded, private, and every bad upload is refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape
from PIL import Image

from tests.factories import UserFactory, staff_user
from tests.helpers import login_verified
from tests.uploads_catalogue import BAD_UPLOADS, PHOTO_KINDS, phone_photo, screenshot_png
from verification.models import KtpPhoto

pytestmark = pytest.mark.django_db

URL = "/dashboard/foto-ktp/"


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_the_upload_field_asks_phones_for_the_camera(client, described_applicant):
    html = client.get(URL).content.decode()

    assert 'capture="environment"' in html
    assert 'accept="image/jpeg,image/png"' in html
    assert "Foto KTP" in html


def test_a_phone_photo_is_stored_re_encoded_without_metadata_and_the_journey_moves_on(
    client, described_applicant, settings
):
    response = client.post(URL, {"photo": SimpleUploadedFile("IMG_20240501.jpg", phone_photo(), "image/jpeg")})

    assert response.status_code == 302
    photo = KtpPhoto.objects.get(user=described_applicant)
    assert photo.from_camera and "SM-A515F" in photo.camera
    assert photo.size_bytes <= settings.KTP_PHOTO_STORED_MAX_BYTES
    assert "IMG_20240501" not in photo.image.name
    with Image.open(photo.image.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert stored.height > stored.width  # the phone held it sideways: orientation applied
    assert str(settings.PRIVATE_MEDIA_ROOT) in photo.image.path
    assert 'data-step="phone" data-state="current"' in client.get("/dashboard/").content.decode()


def test_a_screenshot_is_accepted_but_marked_as_not_from_a_camera(client, described_applicant):
    client.post(URL, {"photo": SimpleUploadedFile("layar.png", screenshot_png(), "image/png")})

    assert KtpPhoto.objects.get(user=described_applicant).from_camera is False


def test_the_photo_has_no_public_url_and_is_served_only_to_its_owner_and_those_allowed_to_see_photos(
    client, described_applicant
):
    client.post(URL, {"photo": SimpleUploadedFile("ktp.jpg", phone_photo(), "image/jpeg")})
    photo = KtpPhoto.objects.get()
    url = f"/verifikasi/foto-ktp/{photo.pk}/image/"

    with pytest.raises(ValueError, match="not accessible via a URL"):
        photo.image.url  # noqa: B018  (private storage builds no URL)
    owner = client.get(url)
    assert owner.status_code == 200 and owner["Content-Type"] == "image/jpeg"
    assert "no-store" in owner["Cache-Control"]
    assert owner["Content-Disposition"].startswith("attachment;")
    assert owner["Content-Security-Policy"] == "sandbox"

    client.force_login(UserFactory(verified=True))
    assert client.get(url).status_code == 404  # the same as for a photo that does not exist
    client.logout()
    assert client.get(url).status_code == 302
    login_verified(client, staff_user(None))
    assert client.get(url).status_code == 404  # is_staff alone opens nothing
    login_verified(client, UserFactory(verified=True, is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("bad", BAD_UPLOADS, ids=lambda bad: bad.name)
def test_every_bad_upload_is_refused_with_its_message_and_nothing_is_stored(client, described_applicant, settings, bad):
    response = client.post(URL, {"photo": bad.upload()})

    assert response.status_code == 200
    error = response.context["form"].errors.as_data()["photo"][0]
    assert error.code == bad.expected(PHOTO_KINDS)
    assert escape(error.messages[0]) in response.content.decode()
    assert not KtpPhoto.objects.exists()
    assert stored_files(settings.PRIVATE_MEDIA_ROOT) == []


def test_a_second_upload_after_finishing_is_refused_by_the_guard(client, described_applicant):
    client.post(URL, {"photo": SimpleUploadedFile("ktp.jpg", phone_photo(), "image/jpeg")})

    response = client.post(URL, {"photo": SimpleUploadedFile("ktp.jpg", phone_photo(), "image/jpeg")}, follow=True)

    assert "sudah selesai" in response.content.decode()
    assert KtpPhoto.objects.count() == 1
