"""Every write to accounts: sign-up, email verification, passwords, email changes, login codes, staff
authenticators."""

import json
import math
import secrets
import uuid
from datetime import datetime, timedelta
from importlib import import_module

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.errors import AccountError, AccountErrorCode
from accounts.models import EmailChange, LoginCode, PrivacyPolicyText, TermsText, User, normalize_email
from accounts.roles import Role
from accounts.tokens import email_change_tokens, email_verification_tokens
from notifications.masking import mask_email
from notifications.models import Channel
from notifications.selectors import message_last_created_at, messages_queued_since
from notifications.services import message_enqueue
from prakerja.codes import code_guess_reserve
from prakerja.erasure import ERASED_REPR, admin_log_scrub
from prakerja.retention import purge_in_batches, rows_delete_in_batches
from prakerja.versioning import text_version_publish

EMAIL_VERIFICATION_TEMPLATE = "accounts/email_verification"


def applicant_lock(*, user: User) -> None:
    """Hold ``user``'s row until the surrounding transaction ends.

    A join of a wave is checked against what the applicant declared and verified, and those may change only until
    the join. The join and every such change (journey.guards.until_joining_a_wave) take this lock before they read,
    so one waits for the other: the join then reads the corrected declaration, or the correction finds the join.
    """
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def _verification_email_enqueue(*, user: User, now: datetime) -> None:
    token = email_verification_tokens.make(user)
    message_enqueue(
        channel=Channel.EMAIL,
        recipient=user.email,
        template=EMAIL_VERIFICATION_TEMPLATE,
        context={
            "verify_url": settings.SITE_URL + reverse("accounts:email_verify", args=[token]),
            "valid_days": settings.EMAIL_VERIFICATION_MAX_AGE.days,
        },
        idempotency_key=f"email-verification:{user.pk}:{uuid.uuid4().hex}",
        user=user,
        sensitive=True,  # the link acts for the account
    )


def user_signup(
    *,
    email: str,
    password: str,
    privacy_policy_version: int | None = None,
    terms_version: int | None = None,
    now: datetime | None = None,
) -> User | None:
    """Create an account and send its verification email; ``None`` when the email already has an account.

    The caller shows the same page either way, so sign-up never reveals whether an address is registered;
    the owner of an existing account gets a note instead (at most one an hour), so a person who forgot
    they signed up learns how to get back in.

    The account records the Kebijakan Privasi and Syarat dan Ketentuan its owner accepted: the versions the
    sign-up page showed (``*_version``), which must still be the current ones (PUBLIC_TEXTS_OUTDATED: the
    page shows the new ones first). ``None`` for a version: the current one, which is what the checkbox
    links to.
    """
    now = now or timezone.now()
    email = normalize_email(email)
    privacy_policy = PrivacyPolicyText.objects.filter(is_current=True).first()
    terms = TermsText.objects.filter(is_current=True).first()
    for shown, current in ((privacy_policy_version, privacy_policy), (terms_version, terms)):
        if shown is not None and current is not None and shown != current.version:
            raise AccountError(AccountErrorCode.PUBLIC_TEXTS_OUTDATED)
    # Hash before the transaction opens: it is the slow part (Argon2, ~130 ms) and needs no lock.
    password_hash = make_password(password)
    with transaction.atomic():
        try:
            # The savepoint lets a concurrent sign-up with the same email lose cleanly on the unique index.
            with transaction.atomic():
                user = User.objects.create(
                    email=email,
                    password=password_hash,
                    date_joined=now,
                    privacy_policy_text=privacy_policy,
                    terms_text=terms,
                )
        except IntegrityError:
            _signup_existing_notify(email=email, now=now)
            return None
        user.groups.add(Group.objects.get(name=Role.APPLICANT))
        _verification_email_enqueue(user=user, now=now)
    return user


def _signup_existing_notify(*, email: str, now: datetime) -> None:
    existing = User.objects.filter(email=email).first()
    if existing is None:
        return
    message_enqueue(
        channel=Channel.EMAIL,
        recipient=existing.email,
        template="accounts/signup_existing",
        context={
            "login_url": settings.SITE_URL + reverse("accounts:login"),
            "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
        },
        idempotency_key=f"signup-existing:{existing.pk}:{now:%Y%m%d%H}",
        user=existing,
    )


@transaction.atomic
def email_verification_send(*, user: User, now: datetime | None = None) -> None:
    """Send a fresh verification link ("Kirim ulang"), at most once per cooldown."""
    now = now or timezone.now()
    # Lock the user row so two quick clicks cannot both pass the cooldown check.
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email_verified:
        raise AccountError(AccountErrorCode.LINK_USED)
    last_sent = message_last_created_at(user=user, template=EMAIL_VERIFICATION_TEMPLATE)
    if last_sent is not None:
        wait = (last_sent + settings.EMAIL_VERIFICATION_RESEND_COOLDOWN - now).total_seconds()
        if wait > 0:
            raise AccountError(AccountErrorCode.RESEND_TOO_SOON, seconds=math.ceil(wait))
    _verification_email_enqueue(user=user, now=now)


def email_verify(*, token: str, now: datetime | None = None) -> User:
    """Mark the address in ``token`` verified; raises AccountError when the link is bad, expired or used."""
    now = now or timezone.now()
    user = email_verification_tokens.user_for(token)
    # Conditional update: of two clicks racing on the same link, exactly one verifies.
    updated = User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(email_verified_at=now)
    if not updated:
        raise AccountError(AccountErrorCode.LINK_USED)
    user.email_verified_at = now
    return user


@transaction.atomic
def password_reset_request(*, email: str, now: datetime | None = None) -> None:
    """Email a reset link if an active account has this address; silent otherwise (no account probing)."""
    now = now or timezone.now()
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    message_enqueue(
        channel=Channel.EMAIL,
        recipient=user.email,
        template="accounts/password_reset",
        context={
            "reset_url": settings.SITE_URL + reverse("accounts:password_reset_confirm", args=[uid, token]),
            "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
        idempotency_key=f"password-reset:{user.pk}:{uuid.uuid4().hex}",
        user=user,
        sensitive=True,  # the link acts for the account
    )


# --- Passwords ----------------------------------------------------------------------------------------


@transaction.atomic
def password_set(*, user: User, password: str, now: datetime | None = None) -> User:
    """Give ``user`` a new password (changed while logged in, or through a reset link) and tell them by email.

    Every session of the account made before ends on its next request: Django keys each session to a hash
    of the password (``get_session_auth_hash``). The caller keeps its own session with
    ``update_session_auth_hash``. The email says what to do if it was not them.
    """
    now = now or timezone.now()
    user.set_password(password)
    user.save(update_fields=["password"])
    message_enqueue(
        channel=Channel.EMAIL,
        recipient=user.email,
        template="accounts/password_changed",
        context={
            "changed_at": now,
            "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
        },
        idempotency_key=f"password-changed:{user.pk}:{uuid.uuid4().hex}",
        user=user,
    )
    return user


# --- Email change ("Ganti email") -----------------------------------------------------------------------

EMAIL_CHANGE_LINK_TEMPLATE = "accounts/email_change_link"
EMAIL_CHANGE_REQUESTED_TEMPLATE = "accounts/email_change_requested"
EMAIL_CHANGED_TEMPLATE = "accounts/email_changed"
EMAIL_CHANGE_DOUBLE_SUBMIT = timedelta(minutes=1)


@transaction.atomic
def email_change_request(*, user: User, new_email: str, now: datetime | None = None) -> EmailChange:
    """Ask to move ``user`` to ``new_email`` (the caller has checked the password): a link goes to the new
    address and a notice to the current one; nothing changes until the link is opened.

    When another account already has ``new_email`` no link goes there, and the caller shows the same page:
    whether an address has an account is for its owner to know, so the notice to the current address goes
    out either way. A request voids the account's earlier ones, so only the newest link works.
    """
    now = now or timezone.now()
    new_email = normalize_email(new_email)
    # One request at a time per account (the lock orders two submits): a second tap on the same address within
    # the minute is the same request, not a new link that voids the one on its way; a later or different
    # request voids the earlier.
    user = User.objects.select_for_update().get(pk=user.pk)
    pending = EmailChange.objects.filter(user=user, confirmed_at__isnull=True, voided_at__isnull=True)
    same = pending.filter(new_email=new_email, created_at__gt=now - EMAIL_CHANGE_DOUBLE_SUBMIT).first()
    if same is not None:
        return same
    pending.update(voided_at=now)
    change = EmailChange.objects.create(user=user, old_email=user.email, new_email=new_email, created_at=now)
    if not User.objects.filter(email=new_email).exists():
        token = email_change_tokens.make(change_id=change.pk, user=user, new_email=new_email)
        message_enqueue(
            channel=Channel.EMAIL,
            recipient=new_email,
            template=EMAIL_CHANGE_LINK_TEMPLATE,
            context={
                "confirm_url": settings.SITE_URL + reverse("accounts:email_change_confirm", args=[token]),
                "valid_hours": int(email_change_tokens.max_age.total_seconds() // 3600),
            },
            idempotency_key=f"email-change:{change.pk}:link",
            user=user,
            sensitive=True,  # the link acts for the account
        )
    # In Indonesian, whatever the page's language: whoever asked may not be the person who reads the old
    # address (as for the phone number's notice).
    with translation.override(settings.LANGUAGE_CODE):
        message_enqueue(
            channel=Channel.EMAIL,
            recipient=user.email,
            template=EMAIL_CHANGE_REQUESTED_TEMPLATE,
            context={
                "new_email": mask_email(new_email),
                "requested_at": timezone.localtime(now),
                "password_reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
            },
            idempotency_key=f"email-change:{change.pk}:requested",
            user=user,
        )
    return change


def email_change_confirm(*, token: str, now: datetime | None = None) -> EmailChange:
    """Open the link sent to the new address: it becomes the account's email, verified, and the old address
    is told. Every other session of the account ends on its next request (the session auth hash covers the
    email); the caller keeps its own with ``update_session_auth_hash``.

    Raises AccountError: LINK_EXPIRED; LINK_INVALID for a bad link, one replaced by a newer request, or one
    made before the account's email or password changed; LINK_USED; EMAIL_TAKEN when another account has
    the address by now.
    """
    now = now or timezone.now()
    change_id = email_change_tokens.change_id(token)
    with transaction.atomic():
        user_id = EmailChange.objects.filter(pk=change_id).values_list("user_id", flat=True).first()
        # The account is locked before the change is read: of two clicks on one link, the second waits and
        # then finds the change confirmed.
        user = User.objects.select_for_update().filter(pk=user_id or 0, is_active=True).first()
        change = EmailChange.objects.filter(pk=change_id).first()
        if user is None or change is None:
            raise AccountError(AccountErrorCode.LINK_INVALID)
        if change.confirmed_at is not None:
            raise AccountError(AccountErrorCode.LINK_USED)
        if change.voided_at is not None:
            raise AccountError(AccountErrorCode.LINK_INVALID)
        email_change_tokens.check(token, change_id=change.pk, user=user, new_email=change.new_email)
        if User.objects.filter(email=change.new_email).exclude(pk=user.pk).exists():
            raise AccountError(AccountErrorCode.EMAIL_TAKEN)
        old_email = user.email
        try:
            # The unique index is the final word: of two accounts confirming one address at once, the second
            # waits on it and fails here once the first commits. The savepoint keeps the error clean.
            with transaction.atomic():
                User.objects.filter(pk=user.pk).update(email=change.new_email, email_verified_at=now)
        except IntegrityError:
            raise AccountError(AccountErrorCode.EMAIL_TAKEN) from None
        EmailChange.objects.filter(pk=change.pk).update(confirmed_at=now)
        with translation.override(settings.LANGUAGE_CODE):
            message_enqueue(
                channel=Channel.EMAIL,
                recipient=old_email,
                template=EMAIL_CHANGED_TEMPLATE,
                context={
                    "new_email": mask_email(change.new_email),
                    "changed_at": timezone.localtime(now),
                    "help_email": settings.PORTAL_HELP_CONTACTS["email"],
                },
                idempotency_key=f"email-change:{change.pk}:changed",
                user=user,
            )
    user.email, user.email_verified_at = change.new_email, now
    change.user, change.confirmed_at = user, now
    return change


# --- Login codes (step-up for an account under attack) --------------------------------------------------

LOGIN_CODE_TEMPLATE = "accounts/login_code"


def _login_code_hash(*, code_id: int, user_id: int, code: str) -> str:
    # Bound to the row and the account: a hash leaked from the database is useless without the key.
    return salted_hmac("accounts.login-code", f"{code_id}:{user_id}:{code}", algorithm="sha256").hexdigest()


@transaction.atomic
def login_code_send(*, user: User, replaces: int | None = None, now: datetime | None = None) -> LoginCode | None:
    """Email a fresh login code for one login attempt; ``None`` when the account's hourly cap is reached.

    ``replaces`` is the attempt's earlier code, void from now on either way. The cap counts every code of
    the account, whoever asked, so nobody can flood the owner's inbox; only someone with the right password
    causes a code at all. The caller shows the same page whether or not a code went out.
    """
    now = now or timezone.now()
    # One send at a time per account, so two parallel attempts cannot both slip under the cap.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if replaces is not None:
        LoginCode.objects.filter(pk=replaces, user=user, used_at__isnull=True, voided_at__isnull=True).update(
            voided_at=now
        )
    sent_last_hour = LoginCode.objects.filter(user=user, created_at__gt=now - timedelta(hours=1)).count()
    if sent_last_hour >= settings.LOGIN_CODE_MAX_PER_HOUR:
        return None
    length = settings.LOGIN_CODE_LENGTH
    code = f"{secrets.randbelow(10**length):0{length}d}"
    login_code = LoginCode.objects.create(
        user=user, code_hash="", created_at=now, expires_at=now + settings.LOGIN_CODE_VALIDITY
    )
    login_code.code_hash = _login_code_hash(code_id=login_code.pk, user_id=user.pk, code=code)
    login_code.save(update_fields=["code_hash"])
    message_enqueue(
        channel=Channel.EMAIL,
        recipient=user.email,
        template=LOGIN_CODE_TEMPLATE,
        context={
            "code": code,
            "minutes": int(settings.LOGIN_CODE_VALIDITY.total_seconds() // 60),
            "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
        },
        idempotency_key=f"login-code:{login_code.pk}",
        user=user,
        sensitive=True,
        queue=settings.OTP_QUEUE,
    )
    return login_code


def login_code_use(*, code_id: int | None, user_id: int | None, code: str, now: datetime | None = None) -> User:
    """Use the attempt's code and return its account; raises AccountError(LOGIN_CODE_WRONG) otherwise.

    One error for every failure (no code because the password was wrong, a wrong, expired, void or used
    code): the page after it must not tell which. Each entry takes a guess before it is compared
    (prakerja/codes.py), so parallel entries get at most LOGIN_CODE_MAX_GUESSES comparisons.
    """
    now = now or timezone.now()
    login_code = LoginCode.objects.select_related("user").filter(pk=code_id or 0, user_id=user_id or 0).first()
    if login_code is None or not login_code.user.is_active:
        raise AccountError(AccountErrorCode.LOGIN_CODE_WRONG)
    code_row = LoginCode.objects.filter(pk=login_code.pk)
    guesses = code_guess_reserve(code_row, max_guesses=settings.LOGIN_CODE_MAX_GUESSES, now=now)
    if guesses is None:
        raise AccountError(AccountErrorCode.LOGIN_CODE_WRONG)  # used, void, expired or out of guesses
    if not constant_time_compare(
        login_code.code_hash, _login_code_hash(code_id=login_code.pk, user_id=login_code.user_id, code=code)
    ):
        if guesses >= settings.LOGIN_CODE_MAX_GUESSES:
            code_row.filter(voided_at__isnull=True).update(voided_at=now)
        raise AccountError(AccountErrorCode.LOGIN_CODE_WRONG)
    # Single use, even when the right code arrives twice at once: only one UPDATE matches. The guess taken
    # above was not a wrong one, so it is given back.
    used = code_row.filter(used_at__isnull=True, voided_at__isnull=True).update(
        used_at=now, wrong_guesses=F("wrong_guesses") - 1
    )
    if not used:
        raise AccountError(AccountErrorCode.LOGIN_CODE_WRONG)
    return login_code.user


# --- Staff authenticator (TOTP, django-otp) -----------------------------------------------------------

STAFF_DEVICE_NAME = "Autentikator"


def staff_totp_device(*, user: User) -> TOTPDevice | None:
    """The staff member's confirmed authenticator, if they have set one up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


@transaction.atomic
def staff_totp_setup_start(*, user: User) -> TOTPDevice:
    """The authenticator being set up: the unconfirmed one from an earlier visit (so the QR code stays the
    same on reload), or a new one with a fresh secret. Refused once a confirmed one exists: a second
    device would let someone with only the password add their own."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    if staff_totp_device(user=user) is not None:
        raise AccountError(AccountErrorCode.TOTP_WRONG)
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=STAFF_DEVICE_NAME, confirmed=False)
    return device


def _totp_check(*, user: User, device: TOTPDevice, token: str, now: datetime) -> TOTPDevice:
    allowed, info = device.verify_is_allowed()
    if not allowed:
        wait = (info["locked_until"] - now).total_seconds()
        raise AccountError(AccountErrorCode.TOTP_THROTTLED, seconds=max(1, math.ceil(wait)))
    # django-otp locks the device row, checks the code (each time step once only), and counts a failure
    # for its exponential throttle.
    verified = verify_token(user, device.persistent_id, token)
    if verified is None:
        raise AccountError(AccountErrorCode.TOTP_WRONG)
    return verified


def staff_totp_setup_confirm(*, user: User, token: str, now: datetime | None = None) -> TOTPDevice:
    """Confirm the authenticator being set up with a code it shows; from then on it is the account's."""
    now = now or timezone.now()
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None or staff_totp_device(user=user) is not None:
        raise AccountError(AccountErrorCode.TOTP_WRONG)
    device = _totp_check(user=user, device=device, token=token, now=now)
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        TOTPDevice.objects.devices_for_user(user, confirmed=False).exclude(pk=device.pk).delete()
    device.confirmed = True
    return device


def staff_totp_verify(*, user: User, token: str, now: datetime | None = None) -> TOTPDevice:
    """Check a code from the staff member's authenticator; raises TOTP_WRONG or TOTP_THROTTLED."""
    now = now or timezone.now()
    device = staff_totp_device(user=user)
    if device is None:
        raise AccountError(AccountErrorCode.TOTP_WRONG)
    return _totp_check(user=user, device=device, token=token, now=now)


# --- The texts accepted at sign-up ----------------------------------------------------------------------


def privacy_policy_text_publish(
    *, title: str, body: str, acting_user: User | None = None, now: datetime | None = None
) -> PrivacyPolicyText:
    """Publish a new Kebijakan Privasi; /kebijakan-privasi/ shows it and sign-ups accept it from now on
    (accounts keep the version they accepted)."""
    return text_version_publish(PrivacyPolicyText, acting_user=acting_user, now=now, title=title, body=body)


def terms_text_publish(
    *, title: str, body: str, acting_user: User | None = None, now: datetime | None = None
) -> TermsText:
    """Publish new Syarat dan Ketentuan; /syarat-dan-ketentuan/ shows them and sign-ups accept them from now
    on (accounts keep the version they accepted)."""
    return text_version_publish(TermsText, acting_user=acting_user, now=now, title=title, body=body)


# --- Retention (docs/PRIVACY.md) ------------------------------------------------------------------------


def unverified_accounts_purge(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Delete the accounts whose email was never verified, UNVERIFIED_ACCOUNT_RETENTION after sign-up and after
    the last verification link sent to them; returns how many.

    Such an account has only ever been an email and a password: nothing else can be done before the email is
    verified (journey), so what goes with it is its own (group membership, login codes, email changes) and its
    messages keep their rows without it. Counting from the last link as well means a link that still works
    always finds its account. Staff accounts are never purged. A batch per transaction (prakerja/retention.py).
    """
    now = now or timezone.now()
    cutoff = now - settings.UNVERIFIED_ACCOUNT_RETENTION
    due = User.objects.filter(
        email_verified_at__isnull=True, date_joined__lt=cutoff, is_staff=False, is_superuser=False
    ).exclude(Exists(messages_queued_since(user=OuterRef("pk"), template=EMAIL_VERIFICATION_TEMPLATE, since=cutoff)))

    def purge_batch(size: int) -> int:
        # Locked, skipping an account another request holds (its owner is asking for a new link right now):
        # that one stays, and its new link moves its deadline.
        ids = list(
            due.select_for_update(skip_locked=True).order_by("date_joined", "pk").values_list("pk", flat=True)[:size]
        )
        if ids:
            User.objects.filter(pk__in=ids).delete()
        return len(ids)

    return purge_in_batches("unverified accounts", purge_batch, batch_size=batch_size)


def login_codes_purge(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Delete login codes that expired more than CODE_RETENTION ago, used or not; returns how many.

    Until then they count towards LOGIN_CODE_MAX_PER_HOUR and show support how an account was attacked; a code
    that can still be entered is never due. A batch per transaction (prakerja/retention.py).
    """
    now = now or timezone.now()
    cutoff = now - settings.CODE_RETENTION

    return rows_delete_in_batches("login codes", LoginCode.objects.filter(expires_at__lt=cutoff), batch_size=batch_size)


def sessions_expired_purge(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Delete the stored sessions that have expired; returns how many. What ``manage.py clearsessions`` does, in
    batches (prakerja/retention.py): a session holds who is logged in and, during sign-up and login, an address,
    and nothing needs it once it has expired. Engines that store nothing on the server (signed cookies) have
    nothing to purge."""
    engine = import_module(settings.SESSION_ENGINE)
    model = getattr(engine.SessionStore, "get_model_class", None)
    if model is None:
        engine.SessionStore.clear_expired()
        return 0
    due = model().objects.filter(expire_date__lt=now or timezone.now())
    return rows_delete_in_batches("sessions", due, batch_size=batch_size)


# --- Erasure: the account's part of deleting it (journey.services.account_delete, docs/PRIVACY.md) -------------

ERASED_EMAIL_DOMAIN = "invalid"  # RFC 2606: reserved, never routable


def erased_email(user_id: int) -> str:
    """The address an erased account keeps: unique (the column is), tied to nothing but the row's id, and
    undeliverable, so no message can ever reach anyone through it."""
    return f"deleted-{user_id}@{ERASED_EMAIL_DOMAIN}"


def account_erase(*, user: User, now: datetime | None = None) -> None:
    """Erase what the accounts app holds about ``user`` and close the account for good; the row stays.

    The row stays because the program's records point at it (cards issued, selection results, the audit log):
    it keeps its id, sign-up date and the versions of the texts accepted, and nothing that names a person. The
    email becomes ``deleted-<id>@invalid``, the password unusable, the account inactive and in no group. Gone:
    email-change requests (both addresses), login codes, authenticators, django-axes' records of logins under
    any of its addresses, and every session that belongs to it or mentions one of them. Changing the email and
    the password already ends every session on its next request (``User.get_session_auth_hash``); deleting
    them also removes what they hold (the address a sign-up typed, a login waiting for its code).

    Runs inside the caller's transaction, after the other apps' erasures (which may still read the account).
    """
    now = now or timezone.now()
    changes = EmailChange.objects.filter(user=user)
    addresses = {user.email, *changes.values_list("old_email", flat=True), *changes.values_list("new_email", flat=True)}
    addresses = {normalize_email(address) for address in addresses if address}
    changes.delete()
    LoginCode.objects.filter(user=user).delete()
    TOTPDevice.objects.filter(user=user).delete()
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__in=addresses).delete()
    sessions_end_for(user_id=user.pk, addresses=addresses)
    user.groups.clear()
    user.user_permissions.clear()
    admin_log_scrub(model=User, pks=[user.pk])
    for address in addresses:
        # Rows of other apps whose str() was the account (a declaration, a test) were named by its email.
        LogEntry.objects.filter(object_repr__icontains=address).update(object_repr=ERASED_REPR, change_message="")
    user.email = erased_email(user.pk)
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = user.is_superuser = False
    user.last_login = None
    user.save(update_fields=["email", "password", "is_active", "is_staff", "is_superuser", "last_login"])


def sessions_end_for(*, user_id: int, addresses: set[str]) -> int:
    """Delete every stored session logged in as ``user_id`` or holding one of ``addresses``; returns how many.

    Sessions are stored by key, not by account, so each stored session is read (in chunks, by the session
    engine's own decoding). That costs a pass over the sessions table per deleted account, which is rare; the
    sessions already stopped working when the account's email and password changed, so this removes only what
    they hold. A session engine that stores nothing in the database (cache, signed cookies) cannot be searched:
    its sessions end by that same change and expire on their own.
    """
    engine = import_module(settings.SESSION_ENGINE)
    store_class = engine.SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    model = store_class.get_model_class()
    owner = str(user_id)
    doomed = []
    for key, data in model.objects.values_list("session_key", "session_data").iterator(chunk_size=2000):
        decoded = store_class().decode(data)
        if not decoded:
            continue
        if decoded.get(SESSION_KEY) == owner or any(
            address in json.dumps(decoded, default=str, ensure_ascii=False).lower() for address in addresses
        ):
            doomed.append(key)
    for key in doomed:
        store_class(session_key=key).delete()  # the cache too, for cached_db
    return len(doomed)
