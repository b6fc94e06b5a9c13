"""No personal data in logs or error reports (issue #15; DESIGN §8: "never logged").

The code logs ids, never NIK, KK, names or numbers; this is the net under that rule, for what a library, an
exception message or a careless line lets through:

- ``PersonalDataLogFilter``, on every handler in ``LOGGING``, rewrites each record's message, and its exception
  and stack text, with NIK/KK-shaped 16-digit numbers, Indonesian mobile numbers and email addresses masked
  as the portal shows them to staff (3273••••••••0001, +62812••••5678, s•••@gmail.com).
- ``PersonalDataReporterFilter`` and ``PersonalDataExceptionReporter`` (``DEFAULT_EXCEPTION_REPORTER_FILTER``
  and ``DEFAULT_EXCEPTION_REPORTER``): a 500's report, mailed to admins, hides every form field and local
  variable named like personal data (names, address, NIK, KK, birth date, numbers, codes, passwords), on any
  view, and masks the same patterns in what is left: other fields, the query string, local variables, the
  exception's message and the user's name.
"""

import logging
import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# A NIK or KK: 16 digits not part of a longer number, nor the decimals of one (a duration: 0.1952000000000675s).
_SIXTEEN_DIGITS = re.compile(r"(?<![\d])(?<!\d\.)\d{16}(?![\d])")
# An Indonesian mobile number as people write it: +62 8…, 62 8…, 08…, with spaces or dashes between digits.
_MOBILE = re.compile(r"(?<![\w+])(?<!\d\.)(?:\+62|62|0)[ -]?8(?:[ -]?\d){7,11}(?![\d])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Fields and variables whose value is personal whatever it looks like (a name cannot be recognised by its form).
PERSONAL_NAMES = frozenset(
    {
        "nik",
        "kk",
        "birth_date",
        "full_name",
        "mother_name",
        "address",
        "number",
        "phone",
        "new_number",
        "recipient",
        "email",
        "new_email",
        "code",
        "password",
        "password1",
        "password2",
        "old_password",
        "new_password1",
        "new_password2",
    }
)
# The same names as keyword arguments, dict keys or dataclass fields in a repr: full_name='Siti Aminah'.
_NAMED_VALUE = re.compile(
    r"""(?P<name>\b(?:full_name|mother_name|address|nik|kk|birth_date)\b['"]?\s*[=:]\s*)"""
    r"""(?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|datetime\.date\([^)]*\))"""
)
HIDDEN = SafeExceptionReporterFilter.cleansed_substitute
BULLET = "•"

# The masks are the ones staff see (notifications.masking, verification.identifiers), written out here: this
# module imports no app, as the filter is built when logging is configured, before the apps are loaded.


def _identifier_mask(match: re.Match) -> str:
    return match.group(0)[:4] + BULLET * 8 + match.group(0)[-4:]


def _mobile_mask(match: re.Match) -> str:
    digits = re.sub(r"[ -]", "", match.group(0))
    head = 6 if digits.startswith("+") else 4
    return digits[:head] + BULLET * (len(digits) - head - 4) + digits[-4:]


def _email_mask(match: re.Match) -> str:
    local, _at, domain = match.group(0).rpartition("@")
    return f"{local[:1]}{BULLET * 3}@{domain}"


def pii_redact(text: str) -> str:
    """``text`` with every NIK/KK-shaped number, Indonesian mobile number and email address masked, and the values
    of personal fields written as ``name=value`` hidden."""
    text = _NAMED_VALUE.sub(lambda m: m.group("name") + HIDDEN, text)
    text = _SIXTEEN_DIGITS.sub(_identifier_mask, text)
    text = _MOBILE.sub(_mobile_mask, text)
    return _EMAIL.sub(_email_mask, text)


class PersonalDataLogFilter(logging.Filter):
    """Masks personal data in a record before any handler formats it (see the module's docstring). Never drops a
    record. The message is formatted here (``msg % args``) so that arguments are masked too."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is the logging module's to report
            message = str(record.msg)
        record.msg, record.args = pii_redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = pii_redact(record.exc_text)
        if record.stack_info:
            record.stack_info = pii_redact(record.stack_info)
        return True


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, plus: personal fields hidden on every view (not only where ``sensitive_post_parameters``
    says so) and the patterns of ``pii_redact`` masked in the other fields and in local variables."""

    def is_active(self, request) -> bool:
        return True  # with DEBUG on too: the debug page is screenshotted and pasted into tickets

    def get_post_parameters(self, request):
        parameters = super().get_post_parameters(request)
        if not parameters:
            return parameters
        cleansed = parameters.copy()
        for key in cleansed:
            if key.lower() in PERSONAL_NAMES:
                cleansed[key] = HIDDEN
            elif hasattr(cleansed, "setlist"):
                cleansed.setlist(key, [pii_redact(str(value)) for value in parameters.getlist(key)])
            else:
                cleansed[key] = pii_redact(str(cleansed[key]))
        return cleansed

    def get_safe_request_meta(self, request) -> dict:
        # QUERY_STRING, PATH_INFO, REQUEST_URI, the Referer: any can hold a number.
        meta = super().get_safe_request_meta(request)
        return {key: pii_redact(value) if isinstance(value, str) else value for key, value in meta.items()}

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, HIDDEN if name in PERSONAL_NAMES else (pii_redact(value) if isinstance(value, str) else value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]


class PersonalDataExceptionReporter(ExceptionReporter):
    """Django's report, with the patterns of ``pii_redact`` masked in what its filter does not see: the query
    string, the variables as printed, the exception's message and the user's name (an email)."""

    def get_traceback_data(self) -> dict:
        data = super().get_traceback_data()
        for frame in data.get("frames", []):
            if "vars" in frame:
                frame["vars"] = [(name, pii_redact(value)) for name, value in frame["vars"]]
        if self.request is not None:
            data["request_GET_items"] = [(key, pii_redact(value)) for key, value in self.request.GET.items()]
        for key in ("exception_value", "exception_notes", "request_insecure_uri", "user_str"):
            if isinstance(data.get(key), str):
                data[key] = pii_redact(data[key])
        return data
