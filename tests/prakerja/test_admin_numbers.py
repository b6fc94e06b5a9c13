"""Numbers in the admin read as staff read them, grouped by thousands (164.000), through prakerja.formats.thousands:
read-only fields and list columns, and the change list's counts."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import ApplicantFactory, KtpPhotoFactory

pytestmark = pytest.mark.django_db


def test_a_ktp_photos_pixels_and_bytes_are_grouped_in_its_record_and_the_list(admin_client):
    photo = KtpPhotoFactory(user=ApplicantFactory(identity_verified=True), original_bytes=3_000_000)

    record = admin_client.get(reverse("admin:verification_ktpphoto_change", args=[photo.pk])).content.decode()
    listed = admin_client.get(reverse("admin:verification_ktpphoto_changelist")).content.decode()

    assert "3.000.000" in record and "300.000" in record and "1.600" in record
    assert "3000000" not in record and "300000" not in record
    assert "1.600" in listed and "1.000" in listed


def test_the_change_lists_counts_are_grouped(admin_client):
    User.objects.bulk_create(User(email=f"massal{n}@contoh.id", password="!") for n in range(1_000))

    page = admin_client.get(reverse("admin:accounts_user_changelist")).content.decode()
    searched = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "massal"}).content.decode()

    assert "1.001 pengguna" in page  # with the admin's own account
    assert "1.000 buah" in searched and "1.001 total" in searched
    assert "Pilih seluruh 1.000 pengguna" in searched and "1.000 dipilih" in searched
