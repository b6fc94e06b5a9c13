""" "Hapus akun" (issue #15 item 5, UU PDP 27/2022): with the password re-entered, the account's personal data is
erased everywhere, its sessions end, a pending enrollment is withdrawn; what the program must keep (cards issued,
selection results, the audit log) stays without personal data, and the page says so beforehand.

The search test looks, after the deletion, through every text, character, JSON and binary column of every model
but the mock registry's, every stored session, and the private files, for any of the applicant's values.
"""

import contextlib
import json
import os
import re
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client
from django.utils import timezone

from accounts.errors import AccountError, AccountErrorCode
from accounts.models import User
from journey.services import account_delete
from notifications.models import Message, Status
from prakerja.crypto import pii_decrypt, pii_is_token
from tests.factories import PASSWORD, ApplicantFactory, ResidentFactory, WaveFactory, ktp_data, lost_wave, staff_user
from tests.helpers import login_verified
from verification.models import IdentityVerification, KtpPhoto, PersonalData, PhoneNumber, RetainedNikIndex
from waves.errors import WaveError, WaveErrorCode
from waves.models import Card, Complaint, Enrollment, Result, SelectionRun, WaveStatus
from waves.rules import kk_room

pytestmark = pytest.mark.django_db

DELETE = "/dashboard/hapus-akun/"
DONE = "/dashboard/hapus-akun/selesai/"
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.BinaryField)


def _searched(field: models.Field) -> bool:
    # Dates too (not times): a birth date is a date column, encrypted or not (EncryptedDateField is one).
    return isinstance(field, TEXT_FIELDS) or (
        isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
    )


def delete(client, password=PASSWORD):
    return client.post(DELETE, {"password": password})


# --- The page ---------------------------------------------------------------------------------------------


def test_the_page_says_what_is_erased_and_what_is_kept_before_the_form(client, applicant):
    response = client.get(DELETE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Yang kami hapus" in html and "Yang tetap disimpan, tanpa data pribadi, dan alasannya" in html
    for erased in ("NIK, nomor KK, dan tanggal lahir", "nama ibu kandung", "Foto KTP", "Nomor HP"):
        assert erased in html, erased
    for kept in ("Hasil seleksi gelombang", "Kartu Prakerja yang sudah diterbitkan", "Log audit"):
        assert kept in html, kept
    assert html.index("Yang kami hapus") < html.index('name="password"')
    assert re.search(r'<label\s+for="id_password"[^>]*>\s*Kata sandi\s*</label>', html)
    assert 'value="Hapus akun"' in html


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(DELETE)

    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_a_staff_account_cannot_be_deleted_here(client):
    staff = staff_user("Peninjau pengaduan")
    login_verified(client, staff)

    assert delete(client).status_code == 404
    with pytest.raises(AccountError) as error:
        account_delete(user=staff, password=PASSWORD)
    assert error.value.code == AccountErrorCode.STAFF_ACCOUNT
    staff.refresh_from_db()
    assert staff.is_active


# --- A wrong password -------------------------------------------------------------------------------------------


def test_a_wrong_password_erases_nothing_and_says_so(everywhere):
    user = everywhere.user

    response = delete(everywhere.phone, password="bukan-sandinya")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Kata sandi salah." in html
    assert 'name="password"' in html and "Yang kami hapus" in html  # the same page, ready for another try
    user.refresh_from_db()
    assert user.is_active and user.email == "wulandari.k@contoh.id" and user.check_password(PASSWORD)
    assert PersonalData.objects.filter(user=user).exists()
    assert IdentityVerification.objects.filter(user=user).exists()
    assert all(os.path.exists(path) for path in everywhere.files)
    assert Enrollment.objects.filter(user=user, pending=True).exists()
    assert everywhere.phone.get("/dashboard/").status_code == 200


def test_the_password_check_is_limited_per_account(everywhere, settings):
    settings.RATELIMIT_ENABLE = True
    for _ in range(5):
        delete(everywhere.phone, password="tebakan")

    response = delete(everywhere.phone)

    assert "Terlalu banyak percobaan" in response.content.decode()
    assert User.objects.get(pk=everywhere.user.pk).is_active


# --- The deletion ---------------------------------------------------------------------------------------------


def test_the_right_password_deletes_the_account_and_logs_out_everywhere(everywhere):
    user = everywhere.user
    laptop = Client()
    laptop.force_login(user)

    response = delete(everywhere.phone)

    assert response.status_code == 302 and response["Location"] == DONE
    page = everywhere.phone.get(DONE)
    assert page.status_code == 200 and "Akun Anda sudah dihapus" in page.content.decode()
    for client in (everywhere.phone, laptop):
        assert client.get("/dashboard/")["Location"].startswith("/masuk/")
    assert not [s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]
    user.refresh_from_db()
    assert user.email == f"deleted-{user.pk}@invalid"
    assert not user.is_active and not user.has_usable_password()
    assert not user.groups.exists()
    assert Client().post("/masuk/", {"username": "wulandari.k@contoh.id", "password": PASSWORD}).status_code == 200


def test_what_is_personal_goes_and_what_the_program_keeps_stays(everywhere):
    user = everywhere.user
    results_before = Result.objects.filter(enrollment__user=user).count()

    delete(everywhere.phone)

    for model in (IdentityVerification, PersonalData, KtpPhoto, PhoneNumber, Complaint):
        assert not model.objects.filter(user=user).exists(), model.__name__
    assert not any(os.path.exists(path) for path in everywhere.files)
    # The pending enrollment in the open wave is withdrawn; the three selected waves' records stay.
    assert not Enrollment.objects.filter(user=user, wave=everywhere.wave).exists()
    assert Enrollment.objects.filter(user=user).count() == 3
    assert Result.objects.filter(enrollment__user=user).count() == results_before == 3
    assert set(Result.objects.filter(enrollment__user=user).values_list("kk_digest", flat=True)) == {""}
    # Unsent messages are gone; sent ones keep their row, blank.
    mine = Message.objects.filter(user=user)
    assert mine.exists() and set(mine.values_list("status", flat=True)) == {Status.SENT}
    assert set(mine.values_list("recipient", "body", "html_body", "subject")) == {("", "", "", "")}


def test_nothing_of_the_applicant_is_left_in_any_table_session_or_file(everywhere, private_media):
    values = {name: value.lower() for name, value in everywhere.values.items()}
    # The search finds every value before the deletion, so it looks where they are (the 08 forms of the numbers are
    # looked for in case something stored a number as typed; the portal stores E.164).
    assert {name for name, _where in found_in_storage(values)} == set(values) - {
        "phone, 08 form",
        "other phone, 08 form",
    }

    delete(everywhere.phone)

    found = found_in_storage(values)
    assert not found, found
    left = [os.path.join(folder, name) for folder, _dirs, names in os.walk(private_media) for name in names]
    assert not left, left


def found_in_storage(values: dict[str, str]) -> list[tuple[str, str]]:
    """(value's name, where) for every place one of ``values`` (lowercase) is stored."""
    return [(name, where) for where, text in stored_texts() for name, value in values.items() if value in text.lower()]


def stored_texts():
    """(where, text) for every value of every text-like or date column of every model but the mock registry's; tokens
    decrypted (whatever encrypts a column, its plain text is what must be gone); every session decoded."""
    for model in apps.get_models():
        if model._meta.app_label == "dukcapil":
            continue
        fields = [field for field in model._meta.concrete_fields if _searched(field)]
        for field in fields:
            for value in model._base_manager.values_list(field.attname, flat=True).iterator():
                for text in _texts(value):
                    yield f"{model._meta.label}.{field.name}", text
    for session in Session.objects.all():
        yield "session", json.dumps(session.get_decoded(), default=str, ensure_ascii=False)


def _texts(value):
    if value is None:
        return
    if isinstance(value, bytes | memoryview):
        value = bytes(value).decode("utf-8", "replace")
    if isinstance(value, date):
        value = value.isoformat()
    elif not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
    yield value
    if pii_is_token(value):
        with contextlib.suppress(ValueError):  # not a token after all
            yield pii_decrypt(value)


def test_the_nik_is_free_for_a_new_account_afterwards(everywhere):
    resident = everywhere.resident
    delete(everywhere.phone)
    newcomer = ApplicantFactory(email="akun.baru@contoh.id")
    client = Client()
    client.force_login(newcomer)

    response = client.post("/dashboard/verifikasi-ktp/", ktp_data(resident))

    assert response.status_code == 302
    assert IdentityVerification.objects.get(user=newcomer).nik == resident.nik


def test_a_second_submit_finds_the_account_already_deleted(everywhere):
    user = everywhere.user
    stale = User.objects.get(pk=user.pk)  # the second request loaded the account before the first committed
    account_delete(user=user, password=PASSWORD)

    with pytest.raises(AccountError) as error:
        account_delete(user=stale, password=PASSWORD)

    assert error.value.code == AccountErrorCode.ACCOUNT_CLOSED


# --- The program's records ----------------------------------------------------------------------------------


def test_a_recipients_card_stays_and_still_counts_for_the_families_cap(frozen):
    family_kk = "3276010102150007"
    user = ApplicantFactory(selected=True, resident__family__kk=family_kk)
    card = Card.objects.get(user=user)
    sibling = ApplicantFactory(test_passed=True, resident=ResidentFactory(family__kk=family_kk))
    room_before = User.objects.filter(pk=sibling.pk).annotate(room=kk_room()).get().room

    account_delete(user=user, password=PASSWORD)

    card.refresh_from_db()
    assert card.user_id == user.pk and card.kk_digest and card.revoked_at is None
    assert SelectionRun.objects.filter(pk=card.result.run_id).exists()
    assert User.objects.filter(pk=sibling.pk).annotate(room=kk_room()).get().room == room_before == 1


def test_while_the_applicants_wave_is_being_selected_the_deletion_waits(db, frozen):
    user = ApplicantFactory(joined=True)
    wave = user.enrollments.get().wave
    frozen.move_to(wave.closes_at + timedelta(hours=1))
    from waves.services import wave_transition

    wave_transition(wave=wave, to=WaveStatus.SELECTING, acting_user=None)

    with pytest.raises(WaveError) as error:
        account_delete(user=user, password=PASSWORD)

    assert error.value.code == WaveErrorCode.SELECTION_RUNNING
    assert User.objects.get(pk=user.pk).is_active and IdentityVerification.objects.filter(user=user).exists()


def test_the_page_says_so_while_the_selection_runs(db, frozen):
    user = ApplicantFactory(joined=True)
    wave = user.enrollments.get().wave
    frozen.move_to(wave.closes_at + timedelta(hours=1))
    from waves.services import wave_transition

    wave_transition(wave=wave, to=WaveStatus.SELECTING, acting_user=None)
    client = Client()
    client.force_login(user)

    response = delete(client)

    assert response.status_code == 200
    assert "Seleksi gelombang yang Anda ikuti sedang berjalan" in response.content.decode()


def test_an_enrollment_in_a_closed_wave_waiting_for_its_selection_is_withdrawn(db, frozen):
    user = ApplicantFactory(joined=True)
    wave = user.enrollments.get().wave
    frozen.move_to(wave.closes_at + timedelta(hours=1))

    account_delete(user=user, password=PASSWORD)

    assert not Enrollment.objects.filter(wave=wave).exists()


def test_results_written_but_not_yet_announced_stay_and_a_void_withdraws_the_enrollment(db, frozen):
    from waves.selection import selection_run
    from waves.services import selection_void

    user = ApplicantFactory(test_passed=True)
    wave = lost_wave(user, announced=False)
    pending_announcement = Message.objects.filter(user=user, not_before__gt=timezone.now())
    assert pending_announcement.exists()

    account_delete(user=user, password=PASSWORD)

    enrollment = Enrollment.objects.get(user=user, wave=wave)
    assert enrollment.pending and Result.objects.filter(enrollment=enrollment).exists()
    assert not pending_announcement.exists()

    run = SelectionRun.objects.get(wave=wave)
    selection_void(run=run, acting_user=staff_user("Operator gelombang"))
    assert not Enrollment.objects.filter(pk=enrollment.pk).exists()
    rerun = selection_run(wave=wave, acting_user=None, seed=7)
    assert rerun.status == "succeeded" and rerun.results.count() == 1


def test_a_recipient_who_comes_back_with_the_same_nik_is_still_a_past_recipient(frozen):
    from dukcapil.models import Resident
    from waves.reasons import ResultReason
    from waves.rules import rule_failures

    user = ApplicantFactory(selected=True)
    resident = Resident.objects.get(nik=user.identity.nik)
    account_delete(user=user, password=PASSWORD)

    newcomer = ApplicantFactory(test_passed=True, resident=resident)
    failures = rule_failures(user_id=newcomer.pk, wave=WaveFactory(open=True))

    assert ResultReason.PAST_RECIPIENT in {rule.code for rule in failures}
    assert RetainedNikIndex.objects.filter(nik_digest=newcomer.identity.nik_digest).exists()
