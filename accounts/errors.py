from enum import StrEnum


class AccountErrorCode(StrEnum):
    LINK_INVALID = "link_invalid"
    LINK_EXPIRED = "link_expired"
    LINK_USED = "link_used"
    RESEND_TOO_SOON = "resend_too_soon"
    LOGIN_CODE_WRONG = "login_code_wrong"
    TOTP_WRONG = "totp_wrong"
    TOTP_THROTTLED = "totp_throttled"
    EMAIL_TAKEN = "email_taken"
    PUBLIC_TEXTS_OUTDATED = "public_texts_outdated"
    # Deleting an account ("Hapus akun")
    PASSWORD_WRONG = "password_wrong"  # noqa: S105 - an error code
    ACCOUNT_CLOSED = "account_closed"  # already deleted (a double submit), or deactivated
    STAFF_ACCOUNT = "staff_account"  # staff accounts are closed by an administrator, not from the portal


class AccountError(Exception):
    """A domain rule refused the request; views turn ``code`` into a translated message."""

    def __init__(self, code: AccountErrorCode, **params) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
