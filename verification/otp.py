"""Phone verification by SMS one-time code (DESIGN §2 step 5): the portal's most attacked surface.

A code is 6 digits from ``secrets``, stored only as a keyed hash (bound to the code's row and number, so a
hash leaked from the database is useless without the key and cannot be replayed for another number), valid
for OTP_VALIDITY, single use. Each guess is counted on the code before the code is compared, and
OTP_MAX_GUESSES wrong ones void it. A new code may be sent OTP_RESEND_AFTER after the previous one and at
most OTP_MAX_PER_DAY times per number and per account per day in WIB; sending a new code voids the older
ones. The SMS goes through the outbox, encrypted at rest, on its own queue.

The clock is a parameter (``now``) everywhere, so every limit is tested with frozen time.
"""

import secrets
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User
from notifications.masking import mask_phone
from notifications.models import Channel
from notifications.services import message_enqueue
from prakerja.codes import code_guess_reserve
from prakerja.crypto import IdentifierKind, pii_digests
from prakerja.retention import rows_delete_in_batches
from prakerja.timeutil import wib_day_start, wib_next_day_start
from verification.errors import VerificationError, VerificationErrorCode
from verification.models import OtpCode, PhoneNumber

OTP_TEMPLATE = "verification/otp"
PHONE_CHANGED_TEMPLATE = "verification/phone_changed"


def _code_hash(*, otp_id: int, number: str, code: str) -> str:
    return salted_hmac("verification.otp", f"{otp_id}:{number}:{code}", algorithm="sha256").hexdigest()


def _active_codes(user: User, now: datetime):
    return OtpCode.objects.filter(user=user, used_at__isnull=True, voided_at__isnull=True, expires_at__gt=now)


@transaction.atomic
def otp_send(*, user: User, number: str, now: datetime | None = None) -> OtpCode:
    """Send a fresh code to ``number`` (E.164, already normalised), within the resend and daily limits."""
    now = now or timezone.now()
    # One send at a time per account: two quick taps on "Kirim" cannot both pass the limits.
    User.objects.select_for_update().get(pk=user.pk)
    # Numbers are stored encrypted: found by their blind index, under any configured key (prakerja/crypto.py).
    digests = pii_digests(number, kind=IdentifierKind.PHONE)
    if PhoneNumber.objects.filter(number_digest__in=digests).exclude(user=user).exists():
        raise VerificationError(VerificationErrorCode.PHONE_TAKEN, fields=("number",))

    last = OtpCode.objects.filter(user=user).order_by("-created_at").first()
    if last is not None and now < last.created_at + settings.OTP_RESEND_AFTER:
        wait = last.created_at + settings.OTP_RESEND_AFTER - now
        raise VerificationError(VerificationErrorCode.OTP_RESEND_TOO_SOON, seconds=int(wait.total_seconds()) + 1)
    today = wib_day_start(now)
    sent_today = (
        OtpCode.objects.filter(created_at__gte=today)
        .filter(Q(user=user) | Q(number_digest__in=digests))
        .values_list("user_id", "number_digest")
    )
    if (
        sum(1 for user_id, _n in sent_today if user_id == user.pk) >= settings.OTP_MAX_PER_DAY
        or sum(1 for _u, sent_digest in sent_today if sent_digest in digests) >= settings.OTP_MAX_PER_DAY
    ):
        raise VerificationError(VerificationErrorCode.OTP_DAILY_LIMIT, until=wib_next_day_start(now))

    _active_codes(user, now).update(voided_at=now)
    code = f"{secrets.randbelow(10**settings.OTP_LENGTH):0{settings.OTP_LENGTH}d}"
    otp = OtpCode.objects.create(
        user=user, number=number, code_hash="", created_at=now, expires_at=now + settings.OTP_VALIDITY
    )
    otp.code_hash = _code_hash(otp_id=otp.pk, number=number, code=code)
    otp.save(update_fields=["code_hash"])
    message_enqueue(
        channel=Channel.SMS,
        recipient=number,
        template=OTP_TEMPLATE,
        context={"code": code, "minutes": int(settings.OTP_VALIDITY.total_seconds() // 60)},
        idempotency_key=f"otp:{otp.pk}",
        user=user,
        sensitive=True,
        queue=settings.OTP_QUEUE,
    )
    return otp


def _guess_reserve(*, otp: OtpCode, now: datetime) -> int:
    """Count one guess on ``otp`` before it is compared (prakerja/codes.py); return how many guesses it has had,
    this one included, or raise the error that says why it cannot be guessed."""
    guesses = code_guess_reserve(OtpCode.objects.filter(pk=otp.pk), max_guesses=settings.OTP_MAX_GUESSES, now=now)
    if guesses is not None:
        return guesses
    otp.refresh_from_db(fields=["used_at", "voided_at"])
    if otp.used_at is not None:
        raise VerificationError(VerificationErrorCode.OTP_NO_CODE)
    if otp.voided_at is None and otp.expires_at <= now:
        raise VerificationError(VerificationErrorCode.OTP_EXPIRED)
    # Voided by a newer code, or its last guess was just taken by another request.
    raise VerificationError(VerificationErrorCode.OTP_VOIDED)


def otp_verify(*, user: User, code: str, now: datetime | None = None) -> PhoneNumber:
    """Check ``code`` against the account's active code; on success the code's number becomes the
    account's verified number (replacing, and so freeing, any earlier one)."""
    now = now or timezone.now()
    otp = OtpCode.objects.filter(user=user).order_by("-created_at").first()
    if otp is None or otp.used_at is not None:
        raise VerificationError(VerificationErrorCode.OTP_NO_CODE)
    if otp.voided_at is not None:
        raise VerificationError(VerificationErrorCode.OTP_VOIDED)
    if otp.expires_at <= now:
        raise VerificationError(VerificationErrorCode.OTP_EXPIRED)

    guesses = _guess_reserve(otp=otp, now=now)
    if not constant_time_compare(otp.code_hash, _code_hash(otp_id=otp.pk, number=otp.number, code=code)):
        remaining = settings.OTP_MAX_GUESSES - guesses
        if remaining <= 0:
            OtpCode.objects.filter(pk=otp.pk, voided_at__isnull=True).update(voided_at=now)
            raise VerificationError(VerificationErrorCode.OTP_VOIDED)
        raise VerificationError(VerificationErrorCode.OTP_WRONG, fields=("code",), remaining=remaining)

    with transaction.atomic():
        # Single use, even when the same right code arrives twice at once: only one UPDATE matches. The
        # guess reserved above was not a wrong one, so it is given back.
        used = OtpCode.objects.filter(pk=otp.pk, used_at__isnull=True, voided_at__isnull=True).update(
            used_at=now, wrong_guesses=F("wrong_guesses") - 1
        )
        if not used:
            raise VerificationError(VerificationErrorCode.OTP_NO_CODE)
        previous = PhoneNumber.objects.filter(user=user).values_list("number", flat=True).first()
        try:
            with transaction.atomic():
                phone, _created = PhoneNumber.objects.update_or_create(
                    user=user, defaults={"number": otp.number, "verified_at": now}
                )
        except IntegrityError:
            # Another account verified this number between our send and this check.
            raise VerificationError(VerificationErrorCode.PHONE_TAKEN, fields=("number",)) from None
        if previous and previous != otp.number:
            _phone_change_notify(user=user, previous=previous, new=otp.number, otp_id=otp.pk, now=now)
    return phone


def _phone_change_notify(*, user: User, previous: str, new: str, otp_id: int, now: datetime) -> None:
    """Tell the old number and the email that the number changed: the person who holds them is the one who
    would notice a takeover (results and codes go to the new number from now on)."""
    context = {
        "new_number": mask_phone(new),
        "changed_at": timezone.localtime(now),
        "help_email": settings.PORTAL_HELP_CONTACTS["email"],
        "password_reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        message_enqueue(
            channel=Channel.SMS,
            recipient=previous,
            template=PHONE_CHANGED_TEMPLATE + "_sms",
            context=context,
            idempotency_key=f"phone-changed:{otp_id}:sms",
            user=user,
        )
        message_enqueue(
            channel=Channel.EMAIL,
            recipient=user.email,
            template=PHONE_CHANGED_TEMPLATE,
            context=context,
            idempotency_key=f"phone-changed:{otp_id}:email",
            user=user,
        )


def otp_codes_purge(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Delete phone codes that expired more than CODE_RETENTION ago, used or not; returns how many.

    Until then they count towards OTP_MAX_PER_DAY (codes since midnight WIB: CODE_RETENTION is at least a
    day) and show support how a number was attacked; a code that can still be entered is never due. A batch
    per transaction (prakerja/retention.py).
    """
    now = now or timezone.now()
    cutoff = now - settings.CODE_RETENTION

    return rows_delete_in_batches("phone codes", OtpCode.objects.filter(expires_at__lt=cutoff), batch_size=batch_size)
