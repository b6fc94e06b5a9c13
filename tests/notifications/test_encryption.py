"""What the outbox keeps at rest: every body encrypted, a phone number recipient encrypted and found by its blind
index, an email recipient in clear; and what the sending code reads: the plain values (issue #15)."""

import pytest
from django.db.models import F

from accounts.models import User
from notifications.models import Message, SharedBody
from notifications.services import messages_claim, messages_enqueue_bulk
from prakerja.crypto import IdentifierKind, pii_digest, pii_is_token
from tests.factories import UserFactory
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


def test_a_bulk_announcement_stores_its_text_once_encrypted_and_copies_each_number_as_stored():
    from verification.models import PhoneNumber

    users = [UserFactory() for _ in range(3)]
    for n, user in enumerate(users):
        PhoneNumber.objects.create(user=user, number=f"+62812000000{n:02d}", verified_at=user.date_joined)
    recipients = User.objects.filter(pk__in=[u.pk for u in users]).annotate(
        user_id=F("pk"), recipient=F("phone__number"), recipient_digest=F("phone__number_digest")
    )

    messages_enqueue_bulk(channel="sms", template="tests/plain", context={}, recipients=recipients, key_prefix="b")

    rows = [stored(message, "recipient", "recipient_digest", "body") for message in Message.objects.order_by("pk")]
    phones = {user.pk: stored(user.phone, "number", "number_digest") for user in users}
    assert [row[:2] for row in rows] == [phones[user.pk] for user in users]  # the phone's own token and index
    assert {row[2] for row in rows} == {""}  # the text is the shared body's, once
    [shared] = SharedBody.objects.all()
    assert pii_is_token(stored(shared, "body")[0]) and Message.objects.first().text == "Kode Anda ."
    assert {m.recipient for m in Message.objects.all()} == {f"+62812000000{n:02d}" for n in range(3)}
