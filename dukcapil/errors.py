"""What the mock registry can refuse, with a machine code the HTTP API returns as is."""

from enum import StrEnum


class RegistryErrorCode(StrEnum):
    UNAUTHORIZED = "unauthorized"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    MALFORMED_JSON = "malformed_json"
    NIK_REQUIRED = "nik_required"
    NIK_FORMAT = "nik_format"
    DATE_FORMAT = "date_format"
    FIELD_TYPE = "field_type"
    UNKNOWN_FIELD = "unknown_field"
    UNAVAILABLE = "unavailable"


class RegistryError(Exception):
    code: RegistryErrorCode

    def __init__(self, code: RegistryErrorCode) -> None:
        super().__init__(code.value)
        self.code = code


class RegistryRequestInvalid(RegistryError):
    """The question itself is malformed (HTTP 400): the caller's mistake, never worth a retry."""


class RegistryFailure(RegistryError):
    """The simulated registry failed to answer (HTTP 503), as the real one sometimes does."""

    def __init__(self) -> None:
        super().__init__(RegistryErrorCode.UNAVAILABLE)
