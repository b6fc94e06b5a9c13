"""Indonesian mobile numbers: what people type (08…, 62…, +62…, with spaces or dashes) to E.164."""

import re
from enum import StrEnum

import phonenumbers
from phonenumbers import PhoneNumberType

_SEPARATORS = re.compile(r"[\s\-().]")
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}

# phonenumbers loads a region's metadata on first use under a lock it never releases if the load raises (its
# acquire/release pair has no try/finally): one failed import in one thread leaves every later parse waiting
# forever. Indonesia's metadata is loaded here, at import, before any request or worker thread runs.
phonenumbers.PhoneMetadata.metadata_for_region("ID")


class PhoneErrorCode(StrEnum):
    INVALID = "phone_invalid"
    NOT_INDONESIAN = "phone_not_indonesian"
    NOT_MOBILE = "phone_not_mobile"


class PhoneError(ValueError):
    def __init__(self, code: PhoneErrorCode) -> None:
        super().__init__(code)
        self.code = code


def phone_normalize(typed: str) -> str:
    """The E.164 form of an Indonesian mobile number ("+6281234567890"); raises PhoneError."""
    digits = _SEPARATORS.sub("", typed or "")
    if digits.startswith("62"):
        digits = "+" + digits  # "62812…" typed without the plus
    try:
        parsed = phonenumbers.parse(digits, "ID")
    except phonenumbers.NumberParseException:
        raise PhoneError(PhoneErrorCode.INVALID) from None
    if parsed.country_code != 62:
        raise PhoneError(PhoneErrorCode.NOT_INDONESIAN)
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneError(PhoneErrorCode.INVALID)
    if phonenumbers.number_type(parsed) not in _MOBILE_TYPES:
        raise PhoneError(PhoneErrorCode.NOT_MOBILE)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
