from enum import StrEnum


class VerificationErrorCode(StrEnum):
    ALREADY_DONE = "already_done"
    PREVIOUS_STEP_MISSING = "previous_step_missing"
    NIK_TAKEN = "nik_taken"
    NIK_NOT_FOUND = "nik_not_found"
    KK_MISMATCH = "kk_mismatch"
    BIRTH_DATE_MISMATCH = "birth_date_mismatch"
    NAME_MISMATCH = "name_mismatch"
    SEX_MISMATCH = "sex_mismatch"
    REGISTRY_UNAVAILABLE = "registry_unavailable"
    PHONE_TAKEN = "phone_taken"
    OTP_RESEND_TOO_SOON = "otp_resend_too_soon"
    OTP_DAILY_LIMIT = "otp_daily_limit"
    OTP_NO_CODE = "otp_no_code"
    OTP_EXPIRED = "otp_expired"
    OTP_WRONG = "otp_wrong"
    OTP_VOIDED = "otp_voided"


class VerificationError(Exception):
    """A rule refused the step. ``fields`` names the form fields at fault, when the fault is theirs."""

    def __init__(self, code: VerificationErrorCode, *, fields: tuple[str, ...] = (), **params) -> None:
        super().__init__(code)
        self.code = code
        self.fields = fields
        self.params = params
