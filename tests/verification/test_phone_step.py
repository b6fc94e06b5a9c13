"""Step 5, "Verifikasi nomor HP": normalisation, the code's life, and every limit, with frozen time."""

import re
from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time

from notifications.models import Message
from prakerja.crypto import IdentifierKind, pii_digest
from tests.clock import T0, WIB
from tests.factories import ApplicantFactory, PhoneNumberFactory, UserFactory
from tests.helpers import stored
from verification.errors import VerificationError, VerificationErrorCode
from verification.models import OtpCode, PhoneNumber
from verification.otp import otp_send, otp_verify

pytestmark = pytest.mark.django_db

URL = "/dashboard/nomor-hp/"
NUMBER = "+6281234567890"

CHANGE_URL = "/dashboard/nomor-hp/ganti/"


def code_sent(sms_outbox=None) -> str:
    """The code in the newest OTP SMS, read from the outbox as the phone would receive it."""
    message = Message.objects.filter(template="verification/otp").latest("created_at", "id")
    return re.search(r"\b(\d{6})\b", message.text).group(1)


def error_code(call) -> VerificationErrorCode:
    with pytest.raises(VerificationError) as raised:
        call()
    return raised.value.code


@pytest.fixture
def phone_applicant(client, db):
    """An applicant at step 5: the KTP, personal data and photo done."""
    user = ApplicantFactory(ktp_photo_done=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize("typed", ["0812-3456-7890", "0812 3456 7890", "6281234567890", "+62 812-3456-7890"])
def test_numbers_typed_any_common_way_are_stored_as_e164(client, phone_applicant, sms_outbox, typed):
    with freeze_time(T0):
        client.post(URL, {"action": "send", "number": typed})

    assert OtpCode.objects.get().number == NUMBER
    assert Message.objects.get(template="verification/otp").recipient == NUMBER


@pytest.mark.parametrize(
    ("typed", "message"),
    [("021 5551234", "telepon rumah/kantor"), ("+65 9123 4567", "nomor HP Indonesia"), ("0812", "tidak valid")],
)
def test_numbers_that_cannot_receive_our_sms_are_refused_plainly(client, phone_applicant, typed, message):
    response = client.post(URL, {"action": "send", "number": typed})

    assert message in response.content.decode()
    assert f'value="{typed}"' in response.content.decode()
    assert not OtpCode.objects.exists()


def test_the_right_code_verifies_the_number_and_moves_the_journey(client, phone_applicant, sms_outbox):
    with freeze_time(T0):
        client.post(URL, {"action": "send", "number": "081234567890"})
        response = client.post(URL, {"action": "verify", "code": code_sent(sms_outbox)})

    assert response.status_code == 302
    assert PhoneNumber.objects.get(user=phone_applicant).number == NUMBER


def test_the_code_is_six_digits_and_never_stored_or_queued_in_clear(
    phone_applicant, sms_outbox, django_capture_on_commit_callbacks
):
    with freeze_time(T0), django_capture_on_commit_callbacks(execute=True):
        otp = otp_send(user=phone_applicant, number=NUMBER)
    code = code_sent(sms_outbox)

    assert len(code) == 6
    assert code not in otp.code_hash
    message = Message.objects.get(template="verification/otp")
    (body,) = stored(message, "body")
    assert message.sensitive and code not in body
    assert code in message.text


def test_the_sms_goes_out_on_the_otp_queue(phone_applicant, django_capture_on_commit_callbacks, monkeypatch):
    from notifications import tasks

    queued = []
    monkeypatch.setattr(tasks.message_deliver_task, "apply_async", lambda *args, **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(user=phone_applicant, number=NUMBER)

    assert queued[0]["queue"] == "otp"


def test_a_code_expires_after_five_minutes(phone_applicant, sms_outbox):
    with freeze_time(T0):
        otp_send(user=phone_applicant, number=NUMBER)
    code = code_sent(sms_outbox)

    with freeze_time(T0 + timedelta(minutes=5, seconds=1)):
        assert error_code(lambda: otp_verify(user=phone_applicant, code=code)) == VerificationErrorCode.OTP_EXPIRED
    assert not PhoneNumber.objects.exists()


def test_a_code_is_single_use(phone_applicant, sms_outbox):
    with freeze_time(T0):
        otp_send(user=phone_applicant, number=NUMBER)
        otp_verify(user=phone_applicant, code=code_sent(sms_outbox))

        assert (
            error_code(lambda: otp_verify(user=phone_applicant, code=code_sent(sms_outbox)))
            == VerificationErrorCode.OTP_NO_CODE
        )


def test_five_wrong_guesses_void_the_code_even_for_the_right_one_after(phone_applicant, sms_outbox):
    with freeze_time(T0):
        otp_send(user=phone_applicant, number=NUMBER)
        right = code_sent(sms_outbox)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        codes = [error_code(lambda: otp_verify(user=phone_applicant, code=wrong)) for _ in range(5)]

        assert codes == [VerificationErrorCode.OTP_WRONG] * 4 + [VerificationErrorCode.OTP_VOIDED]
        assert error_code(lambda: otp_verify(user=phone_applicant, code=right)) == VerificationErrorCode.OTP_VOIDED


def test_wrong_guesses_say_how_many_are_left(client, phone_applicant, sms_outbox):
    with freeze_time(T0):
        client.post(URL, {"action": "send", "number": NUMBER})
        wrong = f"{(int(code_sent(sms_outbox)) + 1) % 1_000_000:06d}"
        response = client.post(URL, {"action": "verify", "code": wrong})

    assert "Sisa 4 kali percobaan" in response.content.decode()


def test_a_new_code_voids_the_previous_one_and_is_bound_to_its_own_number(phone_applicant, sms_outbox):
    with freeze_time(T0):
        otp_send(user=phone_applicant, number=NUMBER)
    first = code_sent(sms_outbox)
    with freeze_time(T0 + timedelta(seconds=61)):
        otp_send(user=phone_applicant, number="+6285612345678")
        second = code_sent(sms_outbox)

        assert error_code(lambda: otp_verify(user=phone_applicant, code=first)) == VerificationErrorCode.OTP_WRONG
        otp_verify(user=phone_applicant, code=second)

    assert PhoneNumber.objects.get().number == "+6285612345678"


def test_a_resend_waits_sixty_seconds(client, phone_applicant):
    with freeze_time(T0):
        client.post(URL, {"action": "send", "number": NUMBER})
    with freeze_time(T0 + timedelta(seconds=30)):
        response = client.post(URL, {"action": "send", "number": NUMBER})
        assert "Tunggu 31 detik" in response.content.decode()
    with freeze_time(T0 + timedelta(seconds=60)):
        client.post(URL, {"action": "send", "number": NUMBER})

    assert OtpCode.objects.count() == 2


def test_five_codes_a_day_per_number_then_a_clear_wait_until_midnight_wib(phone_applicant):
    others = [UserFactory(verified=True) for _ in range(6)]
    start = datetime(2026, 11, 30, 18, 0, tzinfo=WIB)
    for n in range(5):
        with freeze_time(start + timedelta(minutes=n)):
            otp_send(user=others[n], number=NUMBER)

    with freeze_time(start + timedelta(minutes=10)), pytest.raises(VerificationError) as raised:
        otp_send(user=others[5], number=NUMBER)
    assert raised.value.code == VerificationErrorCode.OTP_DAILY_LIMIT
    assert raised.value.params["until"] == datetime(2026, 12, 1, 0, 0, tzinfo=WIB)

    with freeze_time(datetime(2026, 12, 1, 0, 0, 1, tzinfo=WIB)):
        otp_send(user=others[5], number=NUMBER)


# The day is Jakarta's whatever zone the site displays in (prakerja/timeutil.py): TIME_ZONE is only for display.
DISPLAY_ZONES = pytest.mark.parametrize("display_zone", ["Asia/Jakarta", "UTC"])


@DISPLAY_ZONES
def test_the_day_is_counted_in_wib_not_utc(phone_applicant, settings, display_zone):
    settings.TIME_ZONE = display_zone
    # 23:58 WIB on the 30th is 16:58 UTC; 00:01 WIB on the 1st is still the 30th in UTC.
    for n in range(5):
        with freeze_time(datetime(2026, 11, 30, 23, 50, tzinfo=WIB) + timedelta(minutes=n * 2)):
            otp_send(user=phone_applicant, number=NUMBER)

    with freeze_time(datetime(2026, 12, 1, 0, 1, tzinfo=WIB)):
        otp_send(user=phone_applicant, number=NUMBER)

    assert OtpCode.objects.count() == 6


@DISPLAY_ZONES
def test_the_daily_cap_does_not_reset_at_midnight_utc(phone_applicant, settings, display_zone):
    settings.TIME_ZONE = display_zone
    # 05:00 WIB on 1 December is 22:00 UTC on 30 November; 07:01 WIB is 00:01 UTC, a new day in UTC only.
    for n in range(5):
        with freeze_time(datetime(2026, 12, 1, 5, 0, tzinfo=WIB) + timedelta(minutes=n * 2)):
            otp_send(user=phone_applicant, number=NUMBER)

    with freeze_time(datetime(2026, 12, 1, 7, 1, tzinfo=WIB)), pytest.raises(VerificationError) as raised:
        otp_send(user=phone_applicant, number=NUMBER)

    assert raised.value.code == VerificationErrorCode.OTP_DAILY_LIMIT
    assert raised.value.params["until"] == datetime(2026, 12, 2, 0, 0, tzinfo=WIB)
    with freeze_time(datetime(2026, 12, 2, 0, 0, tzinfo=WIB)):
        otp_send(user=phone_applicant, number=NUMBER)


def test_five_codes_a_day_per_account_across_numbers(phone_applicant):
    numbers = [f"+62812345678{n:02d}" for n in range(6)]
    for n in range(5):
        with freeze_time(T0 + timedelta(minutes=2 * n)):
            otp_send(user=phone_applicant, number=numbers[n])

    with freeze_time(T0 + timedelta(minutes=12)):
        assert (
            error_code(lambda: otp_send(user=phone_applicant, number=numbers[5]))
            == VerificationErrorCode.OTP_DAILY_LIMIT
        )


@DISPLAY_ZONES
def test_the_daily_limit_message_names_the_time_in_wib(client, phone_applicant, settings, display_zone):
    settings.TIME_ZONE = display_zone
    for n in range(5):
        with freeze_time(T0 + timedelta(minutes=2 * n)):
            client.post(URL, {"action": "send", "number": NUMBER})
    with freeze_time(T0 + timedelta(minutes=12)):
        response = client.post(URL, {"action": "send", "number": NUMBER})

    assert "2 Desember 2026, 00.00 WIB" in response.content.decode()


def test_sending_to_many_numbers_from_one_address_hits_the_ip_limit(client):
    applicants = ApplicantFactory.create_batch(61, ktp_photo_done=True)
    with freeze_time(T0):
        for n, applicant in enumerate(applicants):
            client.force_login(applicant)
            response = client.post(URL, {"action": "send", "number": f"+628123456{n:04d}"}, REMOTE_ADDR="10.9.9.10")

    assert OtpCode.objects.count() == 60
    assert "Terlalu banyak percobaan" in response.content.decode()


def test_a_number_verified_by_another_account_is_refused(phone_applicant, sms_outbox):
    owner = UserFactory(verified=True)
    PhoneNumberFactory(user=owner, number=NUMBER, verified_at=T0)

    assert error_code(lambda: otp_send(user=phone_applicant, number=NUMBER)) == VerificationErrorCode.PHONE_TAKEN
    assert sms_outbox == []


def test_changing_the_number_frees_the_old_one(client, phone_applicant, sms_outbox, password):
    with freeze_time(T0):
        otp_send(user=phone_applicant, number=NUMBER)
        otp_verify(user=phone_applicant, code=code_sent(sms_outbox))
    with freeze_time(T0 + timedelta(minutes=2)):
        client.post(CHANGE_URL, {"action": "send", "number": "085612345678", "password": password})
        client.post(CHANGE_URL, {"action": "verify", "code": code_sent(sms_outbox)})
    assert PhoneNumber.objects.get(user=phone_applicant).number == "+6285612345678"

    newcomer = UserFactory(verified=True)
    with freeze_time(T0 + timedelta(minutes=4)):
        otp_send(user=newcomer, number=NUMBER)
        otp_verify(user=newcomer, code=code_sent(sms_outbox))
    assert PhoneNumber.objects.get(user=newcomer).number == NUMBER


@pytest.mark.parametrize("typed", ["", "bukan-kata-sandinya"])
def test_changing_the_number_needs_the_accounts_password(client, phone_applicant, sms_outbox, typed):
    with freeze_time(T0):
        otp_send(user=phone_applicant, number=NUMBER)
        otp_verify(user=phone_applicant, code=code_sent(sms_outbox))
    sms_outbox.clear()

    with freeze_time(T0 + timedelta(minutes=2)):
        response = client.post(CHANGE_URL, {"action": "send", "number": "085612345678", "password": typed})

    assert response.status_code == 200
    assert "password" in response.context["phone_form"].errors
    assert 'value="085612345678"' in response.content.decode()  # the number typed is kept
    assert (
        sms_outbox == []
        and not OtpCode.objects.filter(number_digest=pii_digest("+6285612345678", kind=IdentifierKind.PHONE)).exists()
    )


def test_a_changed_number_is_told_to_the_old_number_and_the_email(client, phone_applicant, sms_outbox, password):
    with freeze_time(T0):
        otp_send(user=phone_applicant, number=NUMBER)
        otp_verify(user=phone_applicant, code=code_sent(sms_outbox))
    with freeze_time(T0 + timedelta(minutes=2)):
        client.post(CHANGE_URL, {"action": "send", "number": "085612345678", "password": password})
        client.post(CHANGE_URL, {"action": "verify", "code": code_sent(sms_outbox)})

    to_old = Message.objects.get(template="verification/phone_changed_sms")
    by_email = Message.objects.get(template="verification/phone_changed")
    assert to_old.recipient == NUMBER and "+62856••••5678" in to_old.body
    assert by_email.recipient == phone_applicant.email and "Jika bukan Anda" in by_email.body
    assert "085612345678" not in to_old.body + by_email.body and "+6285612345678" not in to_old.body


def test_verifying_the_first_number_notifies_nobody(phone_applicant, sms_outbox):
    with freeze_time(T0):
        otp_send(user=phone_applicant, number=NUMBER)
        otp_verify(user=phone_applicant, code=code_sent(sms_outbox))

    assert not Message.objects.filter(template__startswith="verification/phone_changed").exists()


def test_no_code_reaches_the_logs(client, phone_applicant, sms_outbox, caplog):
    caplog.set_level("DEBUG")
    with freeze_time(T0):
        client.post(URL, {"action": "send", "number": NUMBER})
        code = code_sent(sms_outbox)
        client.post(URL, {"action": "verify", "code": "000000" if code != "000000" else "111111"})
        client.post(URL, {"action": "verify", "code": code})

    assert code not in caplog.text


def test_the_right_code_is_not_counted_as_a_wrong_guess(phone_applicant, sms_outbox):
    with freeze_time(T0):
        otp_send(user=phone_applicant, number=NUMBER)
        right = code_sent(sms_outbox)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        error_code(lambda: otp_verify(user=phone_applicant, code=wrong))
        otp_verify(user=phone_applicant, code=right)

    assert OtpCode.objects.get().wrong_guesses == 1
