"""Links sent by email that prove access to an address: signed, expiring, single-use.

An email verification token carries the user's id and a keyed digest of the address (never the address
itself: links end up in mail logs and browser histories). It is single-use because verifying sets
``email_verified_at``, and a token for a verified account is refused as used. An email change token works
the same way (``EmailChangeTokens``). Time comes from ``time.time`` through Django's signer, which tests
freeze instead of sleeping.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.errors import AccountError, AccountErrorCode
from accounts.models import User


def signed_payload(token: str, *, salt: str, max_age: timedelta) -> dict:
    """What a link's token signed under ``salt`` carries; raises AccountError(LINK_EXPIRED / LINK_INVALID)."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise AccountError(AccountErrorCode.LINK_EXPIRED) from None
    except signing.BadSignature:
        raise AccountError(AccountErrorCode.LINK_INVALID) from None
    if not isinstance(payload, dict):
        raise AccountError(AccountErrorCode.LINK_INVALID)
    return payload


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
        payload = signed_payload(token, salt=self.salt, max_age=self.max_age)
        user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
        if user is None or not constant_time_compare(payload.get("e", ""), self._email_digest(user)):
            raise AccountError(AccountErrorCode.LINK_INVALID)
        if user.email_verified:
            raise AccountError(AccountErrorCode.LINK_USED)
        return user


email_verification_tokens = EmailVerificationTokens()


# A day: long enough to reach another mailbox, short enough that a forgotten link does not stay a way in.
EMAIL_CHANGE_MAX_AGE = timedelta(hours=24)


class EmailChangeTokens:
    """Links that confirm a new email ("Ganti email"): signed, expiring, single use.

    The token names the pending change by id and carries a keyed digest of the change and of the account's
    email and password as they are when the link is made, never an address. So the link stops working once
    the email or the password changes (the owner, told by the old address, makes a new password), and once
    it has been used, since then the email has changed. The id lets a used link be told apart from a void
    one; ``max_age`` is checked by Django's signer against ``time.time``, which tests freeze.
    """

    salt = "accounts.email-change"

    def __init__(self, *, max_age: timedelta = EMAIL_CHANGE_MAX_AGE) -> None:
        self.max_age = max_age

    def _digest(self, *, change_id: int, user: User, new_email: str) -> str:
        value = f"{change_id}:{user.pk}:{user.email}:{user.password}:{new_email}"
        return salted_hmac(self.salt, value, algorithm="sha256").hexdigest()[:32]

    def make(self, *, change_id: int, user: User, new_email: str) -> str:
        digest = self._digest(change_id=change_id, user=user, new_email=new_email)
        return signing.dumps({"c": change_id, "h": digest}, salt=self.salt)

    def change_id(self, token: str) -> int:
        """The pending change the token names; raises AccountError(LINK_INVALID / LINK_EXPIRED)."""
        payload = self._payload(token)
        if not isinstance(payload.get("c"), int):
            raise AccountError(AccountErrorCode.LINK_INVALID)
        return payload["c"]

    def check(self, token: str, *, change_id: int, user: User, new_email: str) -> None:
        """Raise AccountError(LINK_INVALID) unless the token was made for this change and this account's
        email and password as they are now."""
        digest = self._payload(token).get("h", "")
        if not isinstance(digest, str) or not constant_time_compare(
            digest, self._digest(change_id=change_id, user=user, new_email=new_email)
        ):
            raise AccountError(AccountErrorCode.LINK_INVALID)

    def _payload(self, token: str) -> dict:
        return signed_payload(token, salt=self.salt, max_age=self.max_age)


email_change_tokens = EmailChangeTokens()
