"""Email verification links: signed, expiring, single-use.

The token carries the user's id and a keyed digest of the address (never the address itself: links end up
in mail logs and browser histories). It is single-use because verifying sets ``email_verified_at``, and a
token for a verified account is refused as used. Time comes from ``time.time`` through Django's signer,
which tests freeze instead of sleeping.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.errors import AccountError, AccountErrorCode
from accounts.models import User


class EmailVerificationTokens:
    salt = "accounts.email-verification"

    def __init__(self, *, max_age: timedelta | None = None) -> None:
        self.max_age = max_age if max_age is not None else settings.EMAIL_VERIFICATION_MAX_AGE

    def _email_digest(self, user: User) -> str:
        return salted_hmac(self.salt, user.email, algorithm="sha256").hexdigest()[:24]

    def make(self, user: User) -> str:
        return signing.dumps({"u": user.pk, "e": self._email_digest(user)}, salt=self.salt)

    def user_for(self, token: str) -> User:
        """The user the token verifies; raises AccountError(LINK_INVALID / LINK_EXPIRED / LINK_USED)."""
        try:
            payload = signing.loads(token, salt=self.salt, max_age=self.max_age)
        except signing.SignatureExpired:
            raise AccountError(AccountErrorCode.LINK_EXPIRED) from None
        except signing.BadSignature:
            raise AccountError(AccountErrorCode.LINK_INVALID) from None
        user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
        if user is None or not constant_time_compare(payload.get("e", ""), self._email_digest(user)):
            raise AccountError(AccountErrorCode.LINK_INVALID)
        if user.email_verified:
            raise AccountError(AccountErrorCode.LINK_USED)
        return user


email_verification_tokens = EmailVerificationTokens()
