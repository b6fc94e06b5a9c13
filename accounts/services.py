"""Every write to accounts: sign-up, email verification, password reset requests."""

import math
import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.errors import AccountError, AccountErrorCode
from accounts.models import User, normalize_email
from accounts.roles import Role
from accounts.tokens import email_verification_tokens
from notifications.models import Channel
from notifications.selectors import message_last_created_at
from notifications.services import message_enqueue

EMAIL_VERIFICATION_TEMPLATE = "accounts/email_verification"


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
    )


def user_signup(*, email: str, password: str, now: datetime | None = None) -> User | None:
    """Create an account and send its verification email; ``None`` when the email already has an account.

    The caller shows the same page either way, so sign-up never reveals whether an address is registered;
    the owner of an existing account gets a note instead (at most one an hour), so a person who forgot
    they signed up learns how to get back in.
    """
    now = now or timezone.now()
    email = normalize_email(email)
    # Hash before the transaction opens: it is the slow part (Argon2, ~130 ms) and needs no lock.
    password_hash = make_password(password)
    with transaction.atomic():
        try:
            # The savepoint lets a concurrent sign-up with the same email lose cleanly on the unique index.
            with transaction.atomic():
                user = User.objects.create(email=email, password=password_hash, date_joined=now)
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
    )
