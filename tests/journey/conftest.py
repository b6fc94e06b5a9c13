"""Fixtures of the journey's tests: an applicant who has been everywhere, for "Data saya" and "Hapus akun"."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from accounts.services import email_change_request, login_code_send
from notifications.services import outbox_sweep
from tests.factories import (
    PASSWORD,
    ApplicantFactory,
    ComplaintFactory,
    ResidentFactory,
    UserFactory,
    WaveFactory,
    lost_waves,
)
from verification.models import PersonalData
from verification.otp import otp_send
from waves.selectors import agreement_current
from waves.services import enrollment_join


@pytest.fixture
def everywhere(db, private_media, settings):
    """An applicant who has done everything the portal records, with values found nowhere else: verified KTP,
    personal data, a stored KTP photo, a verified phone and a code sent to a new number, a declaration and a
    passed test, three lost waves (results announced, their emails sent), a "gagal 3 kali" letter, a pending
    enrollment in an open wave, an email change on its way, a login code, a session on their phone logged in
    through /masuk/, a failed login from elsewhere, a sign-up attempt with their address, and an admin's note on
    their personal data.

    Returns a namespace: ``user``, ``phone`` (their logged-in client), ``values`` (every personal value to look
    for afterwards), ``files`` (their private files' paths), ``wave`` (the open wave they joined)."""
    settings.RATELIMIT_ENABLE = False
    resident = ResidentFactory(
        full_name="Wulandari Kusumaningtyas",
        mother_name="Rahmawati Sulistyoningsih",
        birth_date=date(1988, 3, 21),
    )
    user = ApplicantFactory(
        test_passed=True,
        email="wulandari.k@contoh.id",
        resident=resident,
        personal_data={"address": "Jl. Anggrek Nelly Nomor 47, RT 003/RW 009"},
        ktp_photo={"stored": True},
    )
    phone_number = user.phone.number
    lost_waves(user, 3)
    ComplaintFactory(user=user)
    wave = WaveFactory(open=True)
    enrollment_join(user=user, wave=wave, agreement=agreement_current())
    other_number = "+6285799887766"
    otp_send(user=user, number=other_number)
    email_change_request(user=user, new_email="wulan.baru@contoh.id")
    login_code_send(user=user)
    outbox_sweep(now=timezone.now() + timedelta(minutes=1))  # the messages due so far are sent

    phone = Client()
    assert phone.post("/masuk/", {"username": user.email, "password": PASSWORD}).status_code == 302
    Client().post("/masuk/", {"username": user.email, "password": "salah-tebak"})
    Client().post("/daftar/", {"email": user.email, "password1": PASSWORD, "password2": PASSWORD, "terms": "on"})
    personal = PersonalData.objects.get(user=user)
    LogEntry.objects.create(
        user=UserFactory(verified=True, is_staff=True, is_superuser=True),
        content_type=ContentType.objects.get_for_model(PersonalData),
        object_id=str(personal.pk),
        object_repr=str(personal),
        action_flag=CHANGE,
        change_message=f"Alamat diperbaiki: {personal.address}",
    )

    identity = user.identity
    values = {
        "full name": personal.full_name,
        "mother's name": personal.mother_name,
        "address": personal.address,
        "birth date": identity.birth_date.isoformat(),
        "phone": phone_number,
        "phone, 08 form": "0" + phone_number.removeprefix("+62"),
        "other phone": other_number,
        "other phone, 08 form": "0" + other_number.removeprefix("+62"),
        "NIK": identity.nik,
        "KK": identity.kk,
        "email": user.email,
        "new email": "wulan.baru@contoh.id",
    }
    photo = user.ktp_photo
    complaint = user.complaints.get()
    files = [photo.image.path, photo.thumbnail.path, complaint.letter.path]
    return SimpleNamespace(user=user, phone=phone, values=values, files=files, wave=wave, resident=resident)


@pytest.fixture
def quiet(settings, tmp_path):
    """Pages walked many times over: private files in a temporary folder, no rate limits."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.RATELIMIT_ENABLE = False
