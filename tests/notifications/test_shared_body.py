"""Bulk messages store their text once (``SharedBody``), and every reader of a message finds it there: delivery,
retention, erasure, "Data saya" and the demo inbox."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from notifications import sms
from notifications.models import Message, SharedBody, Status
from notifications.selectors import messages_of
from notifications.services import (
    IDEMPOTENCY_HEADER,
    message_bodies_purge,
    messages_cancel,
    messages_enqueue_bulk,
    messages_erase_for,
    outbox_sweep,
)
from tests.clock import T0
from tests.factories import UserFactory
from tests.helpers import stored

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
MEMORY_SMS = "notifications.sms.MemoryBackend"


def announce(users, *, channel="email", key_prefix="result:1", not_before=None) -> int:
    recipients = User.objects.filter(pk__in=[u.pk for u in users]).annotate(user_id=F("pk"), recipient=F("email"))
    return messages_enqueue_bulk(
        channel=channel,
        template="tests/hello",
        context={"name": "Peserta"},
        recipients=recipients,
        key_prefix=key_prefix,
        not_before=not_before,
    )


def test_a_bulk_message_writes_its_text_once_for_all_its_rows():
    users = [UserFactory() for _ in range(5)]

    assert announce(users) == 5

    [shared] = SharedBody.objects.all()
    assert shared.subject == "Salam untuk Peserta" and shared.text.startswith("Halo Peserta")
    rows = [stored(message, "subject", "body", "html_body") for message in Message.objects.all()]
    assert rows == [("", "", "")] * 5
    assert set(Message.objects.values_list("shared_body", flat=True)) == {shared.pk}
    message = Message.objects.first()
    assert (message.email_subject, message.text, message.html_text) == (
        shared.subject,
        shared.body,
        shared.html_body,
    )


def test_a_bulk_message_to_nobody_leaves_no_body_behind():
    assert announce([UserFactory.build(pk=0)]) == 0
    assert not SharedBody.objects.exists()


def test_each_recipient_gets_the_shared_text_with_their_own_key_and_the_bodies_load_once(frozen):
    users = [UserFactory() for _ in range(4)]
    announce(users)

    with CaptureQueriesContext(connection) as queries:
        report = outbox_sweep(now=T0)

    assert report.sent == 4
    assert sorted(email.to[0] for email in mail.outbox) == sorted(u.email for u in users)
    assert {(email.subject, email.body) for email in mail.outbox} == {
        ("Salam untuk Peserta", SharedBody.objects.get().body)
    }
    assert {email.extra_headers[IDEMPOTENCY_HEADER] for email in mail.outbox} == {
        f"result:1:{u.pk}:email" for u in users
    }
    assert all(email.alternatives[0][1] == "text/html" for email in mail.outbox)
    # One statement reads the body for the whole batch (PostgreSQL's claim itself; elsewhere one SELECT).
    assert len([q for q in queries.captured_queries if SharedBody._meta.db_table in q["sql"]]) == 1
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}


def test_an_sms_announcement_sends_the_shared_text(settings, frozen):
    from verification.models import PhoneNumber

    settings.SMS_BACKEND = MEMORY_SMS
    users = [UserFactory() for _ in range(2)]
    for n, user in enumerate(users):
        PhoneNumber.objects.create(user=user, number=f"+62812000000{n:02d}", verified_at=user.date_joined)
    recipients = User.objects.filter(pk__in=[u.pk for u in users]).annotate(
        user_id=F("pk"), recipient=F("phone__number"), recipient_digest=F("phone__number_digest")
    )
    messages_enqueue_bulk(
        channel="sms", template="tests/hello", context={"name": "Peserta"}, recipients=recipients, key_prefix="r"
    )
    sms.outbox.clear()

    assert outbox_sweep(now=T0).sent == 2

    sent = sms.outbox
    assert sorted(sms["recipient"] for sms in sent) == ["+6281200000000", "+6281200000001"]
    assert {sms["body"] for sms in sent} == {SharedBody.objects.get().body}


def test_retention_blanks_a_shared_body_once_every_row_is_sent_and_old(settings, frozen):
    settings.MESSAGE_BODY_RETENTION = 30 * DAY
    users = [UserFactory() for _ in range(3)]
    announce(users)
    first, second, third = Message.objects.order_by("pk")
    Message.objects.filter(pk__in=[first.pk, second.pk]).update(status=Status.SENT, sent_at=T0)
    Message.objects.filter(pk=third.pk).update(status=Status.SENT, sent_at=T0 + 10 * DAY)

    # One row is not old yet: the body stays, for it.
    assert message_bodies_purge(now=T0 + 31 * DAY) == 2
    shared = SharedBody.objects.get()
    assert shared.purged_at is None and shared.body.startswith("Halo Peserta")
    assert Message.objects.get(pk=third.pk).text.startswith("Halo Peserta")
    assert Message.objects.get(pk=first.pk).text == ""

    assert message_bodies_purge(now=T0 + 41 * DAY) == 1
    shared.refresh_from_db()
    assert (shared.body, shared.html_body, shared.purged_at) == ("", "", T0 + 41 * DAY)
    assert stored(shared, "body", "html_body") == ("", "")
    # The subject is the template's, the same for everyone, and stays for delivery accounting as a row's does.
    assert shared.subject == "Salam untuk Peserta"


def test_a_shared_body_stays_while_a_row_waits_to_be_sent(settings, frozen):
    settings.MESSAGE_BODY_RETENTION = 30 * DAY
    users = [UserFactory() for _ in range(2)]
    announce(users, not_before=T0 + 60 * DAY)
    Message.objects.filter(pk=Message.objects.order_by("pk").first().pk).update(status=Status.SENT, sent_at=T0)

    message_bodies_purge(now=T0 + 31 * DAY)

    assert SharedBody.objects.get().purged_at is None


def test_a_cancelled_announcement_leaves_a_body_that_retention_blanks(settings, frozen):
    users = [UserFactory() for _ in range(2)]
    announce(users)
    messages_cancel(key_prefix="result:1")

    message_bodies_purge(now=T0)

    assert SharedBody.objects.get().purged_at == T0


def test_erasure_finds_the_applicants_bulk_messages_and_leaves_the_others(frozen):
    leaving, staying = UserFactory(), UserFactory()
    announce([leaving, staying])
    Message.objects.filter(user=leaving).update(status=Status.SENT, sent_at=T0)
    announce([leaving, staying], key_prefix="result:2")  # not sent yet

    assert [m.text.startswith("Halo Peserta") for m in messages_of(user=leaving, now=T0)] == [True, True]

    assert messages_erase_for(user=leaving, now=T0) == 2

    [kept] = Message.objects.filter(user=leaving)
    assert (kept.recipient, kept.text, kept.email_subject, kept.purged_at) == ("", "", "", T0)
    assert [m.text.startswith("Halo Peserta") for m in messages_of(user=staying, now=T0)] == [True, True]


def test_data_saya_lists_a_bulk_message_in_a_fixed_number_of_queries(django_assert_max_num_queries, frozen):
    user = UserFactory()
    for n in range(3):
        announce([user], key_prefix=f"result:{n}")

    with django_assert_max_num_queries(1):
        messages = messages_of(user=user, now=T0)
        texts = [(m.email_subject, m.text) for m in messages]

    assert len(texts) == 3 and all(subject == "Salam untuk Peserta" for subject, _text in texts)


def test_the_demo_inbox_shows_a_bulk_message(client, settings, frozen):
    settings.DEMO_INBOX_ENABLED = True
    announce([UserFactory()])

    response = client.get("/kotak-masuk/")

    assert response.status_code == 200
    assert "Salam untuk Peserta" in response.content.decode() and "Halo Peserta" in response.content.decode()
