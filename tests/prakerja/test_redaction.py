"""No personal data in logs or error reports (prakerja/redaction.py): the net under "log ids, never values"."""

import logging
import sys

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.views.debug import get_exception_reporter_class

from prakerja.redaction import PersonalDataLogFilter, pii_redact

NIK = "3276011708950001"
KK = "3276010102150001"
PHONES = ("+6281212345678", "081212345678", "6281212345678", "0812-1234-5678", "+62 812 1234 5678")
EMAIL = "siti.aminah@gmail.com"
NAME = "Siti Aminah"


def test_numbers_and_addresses_are_masked_as_staff_see_them():
    text = f"nik {NIK}, kk {KK}, email {EMAIL}, order 12345, card 1234567890123456789"

    redacted = pii_redact(text)

    assert NIK not in redacted and "3276••••••••0001" in redacted and "3276••••••••0001" in redacted
    assert EMAIL not in redacted and "s•••@gmail.com" in redacted
    assert "order 12345" in redacted and "1234567890123456789" in redacted  # not 16 digits: left alone


@pytest.mark.parametrize("phone", PHONES)
def test_mobile_numbers_are_masked_however_they_are_written(phone):
    redacted = pii_redact(f"sms to {phone} failed")

    assert phone not in redacted and "5678" in redacted
    assert "1234" not in redacted.replace("5678", "")


def test_a_duration_with_many_decimals_is_no_nik_or_phone_number():
    # Celery logs "succeeded in 0.1952000000000675s"; masked, the engineer reading it sees a broken number.
    text = "succeeded in 0.1952000000000675s: 5; took 0.081212345678901s; NIK.3276011708950001"

    redacted = pii_redact(text)

    assert "0.1952000000000675s" in redacted and "0.081212345678901s" in redacted
    assert "3276••••••••0001" in redacted  # a dot before a NIK that is no decimal point still masks it


def test_named_personal_values_are_hidden_whatever_they_look_like():
    text = "PersonalDataInput(full_name='Siti Aminah', mother_name=\"Nurhayati\", address='Jl. Merdeka 1', sex='P')"

    redacted = pii_redact(text + " {'birth_date': datetime.date(1995, 8, 17)}")

    assert not {"Siti", "Nurhayati", "Merdeka", "1995"} & set(redacted.replace("'", " ").replace(",", " ").split())
    assert "sex='P'" in redacted


@pytest.fixture
def masked_caplog(caplog):
    """caplog, behind the filter the portal's handlers have (LOGGING["filters"]["personal_data"])."""
    assert settings.LOGGING["filters"]["personal_data"]["()"] == "prakerja.redaction.PersonalDataLogFilter"
    log_filter = PersonalDataLogFilter()
    caplog.handler.addFilter(log_filter)
    caplog.set_level(logging.INFO)
    yield caplog
    caplog.handler.removeFilter(log_filter)


def test_a_log_message_and_its_arguments_are_masked(masked_caplog):
    logging.getLogger("prakerja.tests").warning("code for %s sent to %s (nik %s)", EMAIL, PHONES[1], NIK)

    [record] = masked_caplog.records
    assert record.getMessage() == "code for s•••@gmail.com sent to 0812••••5678 (nik 3276••••••••0001)"
    assert NIK not in masked_caplog.text and PHONES[1] not in masked_caplog.text


def test_an_exceptions_text_is_masked_too(masked_caplog):
    try:
        raise ValueError(f"duplicate key (number)=({PHONES[0]}) for {NIK}")
    except ValueError:
        logging.getLogger("prakerja.tests").exception("saving failed")

    [record] = masked_caplog.records
    assert PHONES[0] not in record.exc_text and NIK not in record.exc_text
    assert "+62812••••5678" in record.exc_text and "saving failed" in masked_caplog.text
    assert PHONES[0] not in logging.Formatter().format(record)


def test_every_configured_handler_masks():
    handlers = settings.LOGGING["handlers"]

    assert handlers and all("personal_data" in handler.get("filters", []) for handler in handlers.values())
    configured = {
        handler
        for name in ("", "django", "django.request", "django.server", "celery")
        for handler in logging.getLogger(name).handlers
        # pytest's capture is not the portal's; a NullHandler writes nothing
        if not type(handler).__module__.startswith("_pytest") and not isinstance(handler, logging.NullHandler)
    }
    assert configured and all(
        any(isinstance(f, PersonalDataLogFilter) for f in handler.filters) for handler in configured
    )


def _report(request) -> str:
    full_name, nik, phone = NAME, NIK, PHONES[0]  # noqa: F841 - locals the report would print
    note = f"hp {phone}"  # noqa: F841 - a number in a variable of another name: masked by its form
    try:
        raise RuntimeError(f"registry refused {nik}")
    except RuntimeError:
        reporter = get_exception_reporter_class(request)(request, *sys.exc_info())
        return reporter.get_traceback_text() + reporter.get_traceback_html()


def test_an_error_report_hides_personal_fields_and_masks_the_rest(rf: RequestFactory):
    request = rf.post(
        f"/dashboard/data-diri/?to={PHONES[1]}",
        {"full_name": NAME, "mother_name": "Nurhayati", "address": "Jl. Merdeka 1", "note": f"hp {PHONES[0]}"},
    )

    report = _report(request)

    for value in (NAME, "Nurhayati", "Jl. Merdeka 1", NIK, PHONES[0], PHONES[1]):
        assert value not in report
    assert "full_name" in report and "3276••••••••0001" in report
