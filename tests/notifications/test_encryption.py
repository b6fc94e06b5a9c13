"""What the outbox keeps at rest: every body encrypted, a phone number recipient encrypted and found by its blind
index, an email recipient in clear; and what the sending code reads: the plain values (issue #15)."""

import pytest

from notifications.models import Message
from notifications.services import messages_claim
from prakerja.crypto import IdentifierKind, pii_digest, pii_is_token
from tests.helpers import stored
from tests.notifications.helpers import EMAIL, PHONE, email_enqueue, sms_enqueue

pytestmark = pytest.mark.django_db


def test_an_sms_keeps_its_number_and_text_encrypted_and_its_number_findable_by_index():
    message = sms_enqueue()

    recipient, digest, body = stored(message, "recipient", "recipient_digest", "body")

    assert pii_is_token(recipient) and pii_is_token(body)
    assert PHONE not in recipient and "Siti" not in body
    assert digest == pii_digest(PHONE, kind=IdentifierKind.PHONE)
    assert Message.objects.get(recipient_digest=digest).recipient == PHONE


def test_an_email_keeps_its_address_in_clear_and_its_text_and_html_encrypted():
    message = email_enqueue()

    recipient, digest, body, html_body = stored(message, "recipient", "recipient_digest", "body", "html_body")

    assert (recipient, digest) == (EMAIL, "")
    assert pii_is_token(body) and pii_is_token(html_body) and "Siti" not in body + html_body
    assert Message.objects.get(recipient=EMAIL).body.startswith("Halo Siti")


def test_the_sending_code_reads_plain_values(sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sms_enqueue()

    [sent] = sms_outbox
    assert sent["recipient"] == PHONE and sent["body"].startswith("Halo Siti")


def test_a_claim_hands_the_worker_plain_values():
    sms_enqueue(key="a")

    [claimed] = messages_claim(limit=10)

    assert claimed.recipient == PHONE and claimed.body.startswith("Halo Siti")
