"""Claiming and delivering outbox rows: idempotency keys, retries with backoff, not_before, leases."""

from datetime import timedelta

import pytest
from django.core import mail
from freezegun import freeze_time

from notifications.models import Message, Status
from notifications.services import (
    IDEMPOTENCY_HEADER,
    message_retry_delay,
    messages_claim,
    messages_deliver,
    messages_requeue,
    outbox_sweep,
)
from notifications.sms import get_sms_backend
from notifications.tasks import message_deliver_task, outbox_sweep_task
from tests.clock import T0
from tests.notifications import backends
from tests.notifications.helpers import EMAIL, PHONE, email_enqueue, sms_enqueue

pytestmark = pytest.mark.django_db

DOWN_SMS = "tests.notifications.backends.DownSmsBackend"
MEMORY_SMS = "notifications.sms.MemoryBackend"


@pytest.fixture(autouse=True)
def _clear_backend_calls():
    backends.calls.clear()


def _sweep() -> int:
    return outbox_sweep_task.delay().get()


def test_an_email_is_delivered_with_its_idempotency_key_header_and_marked_sent(django_capture_on_commit_callbacks):
    # when
    with freeze_time(T0), django_capture_on_commit_callbacks(execute=True):
        message = email_enqueue(key="verify:7")

    # then
    [email] = mail.outbox
    assert email.to == [EMAIL]
    assert email.subject == "Salam untuk Siti"
    assert email.body == message.body
    assert email.extra_headers[IDEMPOTENCY_HEADER] == "verify:7"
    assert email.alternatives[0][1] == "text/html"
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.sent_at == T0
    assert message.attempts == 1
    assert message.leased_until is None


def test_an_sms_is_delivered_with_its_idempotency_key_and_marked_sent(django_capture_on_commit_callbacks, sms_outbox):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        message = sms_enqueue(key="otp:7:1")

    # then
    assert sms_outbox == [
        {"sender": "PRAKERJA", "recipient": PHONE, "body": message.body, "idempotency_key": "otp:7:1"}
    ]
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_a_second_run_of_the_same_deliver_task_sends_nothing(django_capture_on_commit_callbacks, sms_outbox):
    # given a delivered message
    with django_capture_on_commit_callbacks(execute=True):
        message = sms_enqueue()

    # when the broker hands the same task to a worker again
    sent = message_deliver_task.delay([message.pk]).get()

    # then
    assert sent == 0
    assert len(sms_outbox) == 1


def test_a_deliver_task_leaves_a_message_another_worker_is_sending_alone(
    django_capture_on_commit_callbacks, sms_outbox
):
    # given another worker claimed the message and is sending it
    with django_capture_on_commit_callbacks():
        message = sms_enqueue()
    claimed = messages_claim(ids=[message.pk])

    # when
    assert message_deliver_task.delay([message.pk]).get() == 0
    report = messages_deliver(messages=claimed)

    # then only the claim holder sent it
    assert report.sent == 1
    assert len(sms_outbox) == 1


def test_a_backend_error_retries_later_and_the_sweep_delivers_after_that_time(
    settings, django_capture_on_commit_callbacks, sms_outbox
):
    # given the SMS gateway is down
    settings.SMS_BACKEND = DOWN_SMS
    with freeze_time(T0) as clock:
        # when
        with django_capture_on_commit_callbacks(execute=True):
            message = sms_enqueue(key="otp:9:1")

        # then the row waits for a later attempt, and its error names no phone number
        message.refresh_from_db()
        assert message.status == Status.PENDING
        assert message.attempts == 1
        assert message.next_attempt_at == T0 + settings.OUTBOX_RETRY_BASE
        assert message.leased_until is None
        assert message.last_error == "ConnectionError: gateway unavailable for +62812••••5678"

        # given the gateway is back
        settings.SMS_BACKEND = MEMORY_SMS

        # when the sweep runs before the retry time, then nothing is sent
        clock.tick(settings.OUTBOX_RETRY_BASE - timedelta(seconds=1))
        assert _sweep() == 0
        assert sms_outbox == []

        # when it runs once the retry time has come, then it is sent
        clock.tick(timedelta(seconds=1))
        assert _sweep() == 1

    assert [sms["idempotency_key"] for sms in sms_outbox] == ["otp:9:1"]
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 2


def test_an_email_backend_error_is_retried_too(settings, django_capture_on_commit_callbacks):
    # given
    settings.EMAIL_BACKEND = "tests.notifications.backends.DownEmailBackend"

    # when
    with freeze_time(T0), django_capture_on_commit_callbacks(execute=True):
        message = email_enqueue()

    # then
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert message.last_error == "ConnectionRefusedError: SMTP server refused the connection"
    assert message.next_attempt_at == T0 + settings.OUTBOX_RETRY_BASE


def test_the_wait_between_attempts_doubles_up_to_a_cap(settings):
    # given
    settings.OUTBOX_RETRY_BASE = timedelta(seconds=30)
    settings.OUTBOX_RETRY_MAX = timedelta(hours=1)

    # then
    assert [message_retry_delay(attempts).total_seconds() for attempts in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert message_retry_delay(8) == timedelta(hours=1)
    assert message_retry_delay(1000) == timedelta(hours=1)


def test_consecutive_failures_wait_longer_each_time(settings, django_capture_on_commit_callbacks):
    # given
    settings.SMS_BACKEND = DOWN_SMS
    with freeze_time(T0) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            message = sms_enqueue()

        # when the second attempt fails too
        clock.tick(settings.OUTBOX_RETRY_BASE)
        _sweep()

    # then
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at == T0 + settings.OUTBOX_RETRY_BASE + 2 * settings.OUTBOX_RETRY_BASE


def test_a_message_fails_for_good_after_the_maximum_attempts(settings, django_capture_on_commit_callbacks):
    # given
    settings.SMS_BACKEND = DOWN_SMS
    settings.OUTBOX_MAX_ATTEMPTS = 3
    with freeze_time(T0) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            message = sms_enqueue()

        # when the sweep keeps trying, long after every retry time
        for _ in range(5):
            clock.tick(settings.OUTBOX_RETRY_MAX)
            _sweep()

    # then
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == 3
    assert message.last_error.startswith("ConnectionError")
    assert len(backends.calls) == 3


def test_the_sweep_never_sends_before_not_before(django_capture_on_commit_callbacks, sms_outbox):
    # given a result announced at 19:00 WIB, written in the morning
    announce_at = T0 + timedelta(hours=10)
    with freeze_time(T0) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            message = sms_enqueue(key="result:1", not_before=announce_at)

        # when the sweep runs up to one second before the announcement
        assert _sweep() == 0
        clock.move_to(announce_at - timedelta(seconds=1))
        assert _sweep() == 0
        assert message_deliver_task.delay([message.pk]).get() == 0

        # then nothing was sent; at the announcement it is
        assert sms_outbox == []
        clock.move_to(announce_at)
        assert _sweep() == 1
    assert [sms["idempotency_key"] for sms in sms_outbox] == ["result:1"]


def test_an_expired_lease_is_claimed_again_and_delivered_once_more_with_the_same_key(
    settings, django_capture_on_commit_callbacks, sms_outbox
):
    # given a worker claimed a message, sent it, and died before recording it
    with freeze_time(T0) as clock:
        with django_capture_on_commit_callbacks():
            message = sms_enqueue(key="otp:3:1")
        [claimed] = messages_claim(ids=[message.pk])
        get_sms_backend().send(recipient=claimed.recipient, body=claimed.body, idempotency_key=claimed.idempotency_key)

        # when the sweep runs while the lease holds, then it leaves the message alone
        clock.tick(settings.OUTBOX_LEASE - timedelta(seconds=1))
        assert _sweep() == 0

        # when it runs after the lease ran out
        clock.tick(timedelta(seconds=1))
        assert _sweep() == 1

        # then it was sent exactly once more, with the same key, and not again
        clock.tick(settings.OUTBOX_LEASE * 10)
        assert _sweep() == 0
    assert [sms["idempotency_key"] for sms in sms_outbox] == ["otp:3:1", "otp:3:1"]
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 2


def test_a_late_worker_cannot_overwrite_the_claim_of_the_worker_that_took_over(
    settings, django_capture_on_commit_callbacks, sms_outbox
):
    # given worker A claimed a message, stalled past its lease, and worker B claimed it again
    with freeze_time(T0), django_capture_on_commit_callbacks():
        message = sms_enqueue()
    claimed_by_a = messages_claim(ids=[message.pk], now=T0)
    claimed_by_b = messages_claim(now=T0 + settings.OUTBOX_LEASE)
    assert [m.attempts for m in claimed_by_b] == [2]

    # when A wakes up (believing its lease still holds) and finishes
    report_a = messages_deliver(messages=claimed_by_a, now=T0 + timedelta(seconds=1))

    # then A's outcome is not recorded: the row is still B's
    assert report_a.sent == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENDING, 2)

    # when B finishes, then B's outcome is
    report_b = messages_deliver(messages=claimed_by_b, now=T0 + settings.OUTBOX_LEASE + timedelta(seconds=1))
    assert report_b.sent == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert {sms["idempotency_key"] for sms in sms_outbox} == {message.idempotency_key}


def test_a_message_whose_lease_ran_out_during_a_slow_batch_is_not_sent_by_that_batch(
    settings, django_capture_on_commit_callbacks, sms_outbox
):
    # given a batch claimed at T0
    with freeze_time(T0), django_capture_on_commit_callbacks():
        message = sms_enqueue()
    claimed = messages_claim(now=T0)

    # when its turn comes only after the lease ran out
    report = messages_deliver(messages=claimed, now=T0 + settings.OUTBOX_LEASE)

    # then it is left for the sweep, which sends it
    assert report.skipped == 1
    assert sms_outbox == []
    assert outbox_sweep(now=T0 + settings.OUTBOX_LEASE).sent == 1
    assert len(sms_outbox) == 1
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_a_message_whose_worker_died_on_its_last_attempt_fails_for_good(
    settings, django_capture_on_commit_callbacks, sms_outbox
):
    # given
    settings.OUTBOX_MAX_ATTEMPTS = 1
    with freeze_time(T0), django_capture_on_commit_callbacks():
        message = sms_enqueue()
    messages_claim(now=T0)

    # when
    report = outbox_sweep(now=T0 + settings.OUTBOX_LEASE)

    # then
    assert report.sent == 0
    assert sms_outbox == []
    message.refresh_from_db()
    assert message.status == Status.FAILED


def test_the_sweep_delivers_everything_due_in_batches(settings, django_capture_on_commit_callbacks, sms_outbox):
    # given five messages and batches of two
    settings.OUTBOX_BATCH_SIZE = 2
    with freeze_time(T0), django_capture_on_commit_callbacks():
        for number in range(5):
            sms_enqueue(key=f"bulk:{number}")

    # when
    assert len(messages_claim(now=T0 + timedelta(minutes=1), limit=2)) == 2
    sent = outbox_sweep(now=T0 + timedelta(minutes=2)).sent

    # then the two claimed above wait for their lease to run out; the sweep sent the other three
    assert sent == 3
    assert outbox_sweep(now=T0 + timedelta(hours=1)).sent == 2
    assert sorted(sms["idempotency_key"] for sms in sms_outbox) == [f"bulk:{n}" for n in range(5)]


def test_one_failing_channel_does_not_hold_back_the_rest_of_the_batch(settings, django_capture_on_commit_callbacks):
    # given
    settings.SMS_BACKEND = DOWN_SMS
    with django_capture_on_commit_callbacks():
        sms = sms_enqueue()
        email = email_enqueue()

    # when
    report = outbox_sweep()

    # then
    assert (report.sent, report.retrying) == (1, 1)
    assert len(mail.outbox) == 1
    assert Message.objects.get(pk=sms.pk).status == Status.PENDING
    assert Message.objects.get(pk=email.pk).status == Status.SENT


def test_requeueing_a_failed_message_gives_it_one_more_attempt(
    settings, django_capture_on_commit_callbacks, sms_outbox
):
    # given a message that failed for good while the gateway was down
    settings.SMS_BACKEND = DOWN_SMS
    settings.OUTBOX_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=True):
        message = sms_enqueue()
    message.refresh_from_db()
    assert message.status == Status.FAILED

    # when the operator requeues it once the gateway is back
    settings.SMS_BACKEND = MEMORY_SMS
    with django_capture_on_commit_callbacks(execute=True):
        count = messages_requeue(ids=[message.pk])

    # then
    assert count == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(sms_outbox) == 1


def _leases_and_due_messages(settings, django_capture_on_commit_callbacks) -> dict[str, Message]:
    """An expired lease on its last attempt ("last"), an expired lease with attempts left ("retried"), two due
    messages ("due", and "early" only from not_before) and one not yet due ("later"), by key; 2 attempts at most."""
    settings.OUTBOX_MAX_ATTEMPTS = 2
    with freeze_time(T0), django_capture_on_commit_callbacks():
        messages = {key: sms_enqueue(key=key) for key in ("last", "retried", "due")}
        messages["later"] = sms_enqueue(key="later", not_before=T0 + timedelta(hours=1))
        messages["early"] = sms_enqueue(key="early", not_before=T0 + timedelta(minutes=2))
    Message.objects.filter(pk=messages["last"].pk).update(status=Status.SENDING, attempts=2, leased_until=T0)
    Message.objects.filter(pk=messages["retried"].pk).update(status=Status.SENDING, attempts=1, leased_until=T0)
    return messages


def test_a_claim_takes_expired_leases_first_gives_up_on_the_last_attempt_and_returns_the_rows_as_stored(
    settings, django_capture_on_commit_callbacks
):
    # given an expired lease on its last attempt, an expired lease with attempts left, two due messages
    # (one of them only from not_before) and one not yet due
    messages = _leases_and_due_messages(settings, django_capture_on_commit_callbacks)
    last, later = messages["last"], messages["later"]

    # when a batch of two is claimed, then the expired lease comes first, then the earliest due message
    now = T0 + timedelta(minutes=5)
    first = messages_claim(now=now, limit=2)
    assert [m.idempotency_key for m in first] == ["retried", "due"]
    assert [m.attempts for m in first] == [2, 1]
    last.refresh_from_db()
    assert (last.status, last.leased_until, last.last_error) == (
        Status.FAILED,
        None,
        "Lease expired on the last attempt",
    )

    # and the claimed objects are the rows as stored, lease included
    for message in first:
        stored = Message.objects.get(pk=message.pk)
        assert [getattr(message, f.attname) for f in Message._meta.concrete_fields] == [
            getattr(stored, f.attname) for f in Message._meta.concrete_fields
        ]
        assert message.status == Status.SENDING
        assert message.leased_until == now + settings.OUTBOX_LEASE
        assert message.text == stored.text

    # when the rest is claimed, then the message before its not_before is not
    assert [m.idempotency_key for m in messages_claim(now=now)] == ["early"]
    assert messages_claim(now=now) == []
    assert messages_claim(ids=[later.pk], now=now) == []
    assert messages_claim(ids=[], now=now) == []
    assert messages_deliver(messages=first, now=now).sent == 2


def test_a_claim_by_ids_takes_every_due_one_of_them_and_gives_up_on_the_last_attempt(
    settings, django_capture_on_commit_callbacks
):
    # given, as above: an expired lease on its last attempt, an expired lease with attempts left, two due messages
    # (one of them only from not_before) and one not yet due
    messages = _leases_and_due_messages(settings, django_capture_on_commit_callbacks)
    last, retried, due, later, early = (messages[key] for key in ("last", "retried", "due", "later", "early"))
    ids = [early.pk, later.pk, due.pk, retried.pk, last.pk]
    now = T0 + timedelta(minutes=5)

    # when fewer than all of them may be claimed, then as any claim: the expired lease first, then the earliest due
    assert [m.idempotency_key for m in messages_claim(ids=ids, now=now, limit=2)] == ["retried", "due"]
    Message.objects.filter(pk__in=[retried.pk, due.pk]).update(status=Status.PENDING, leased_until=None)
    Message.objects.filter(pk=retried.pk).update(status=Status.SENDING, attempts=1, leased_until=T0)
    Message.objects.filter(pk=due.pk).update(attempts=0)

    # when all of them may be, then every due one is, in due order, and the last attempt is given up
    claimed = messages_claim(ids=ids, now=now)
    assert [(m.idempotency_key, m.attempts, m.leased_until) for m in claimed] == [
        ("retried", 2, now + settings.OUTBOX_LEASE),
        ("due", 1, now + settings.OUTBOX_LEASE),
        ("early", 1, now + settings.OUTBOX_LEASE),
    ]
    assert Message.objects.get(pk=last.pk).status == Status.FAILED
    assert Message.objects.get(pk=later.pk).status == Status.PENDING
    # and the claimed objects are the rows as stored
    for message in claimed:
        stored = Message.objects.get(pk=message.pk)
        assert (message.status, message.attempts, message.text) == (stored.status, stored.attempts, stored.text)
    assert messages_claim(ids=ids, now=now) == []


def test_a_batch_of_mixed_attempt_numbers_is_marked_sent_and_a_stale_claim_is_not(
    settings, django_capture_on_commit_callbacks, sms_outbox
):
    # given a message claimed for the second time and two claimed for the first time
    with freeze_time(T0), django_capture_on_commit_callbacks():
        messages = [sms_enqueue(key=f"mixed:{n}") for n in range(3)]
    Message.objects.filter(pk=messages[0].pk).update(attempts=1)
    claimed = messages_claim(now=T0)
    assert sorted(m.attempts for m in claimed) == [1, 1, 2]

    # when one of them was taken over by another worker before the batch finished
    stale = next(m for m in claimed if m.attempts == 1)
    Message.objects.filter(pk=stale.pk).update(attempts=5)
    report = messages_deliver(messages=claimed, now=T0 + timedelta(seconds=1))

    # then the others are marked sent, the taken-over one is left to its new holder
    assert report.sent == 2
    statuses = dict(Message.objects.values_list("pk", "status"))
    assert statuses.pop(stale.pk) == Status.SENDING
    assert set(statuses.values()) == {Status.SENT}


def test_on_postgresql_a_claim_is_one_statement_and_marking_a_batch_sent_another(
    django_capture_on_commit_callbacks, sms_outbox
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("the one-statement claim is PostgreSQL's")
    with freeze_time(T0), django_capture_on_commit_callbacks():
        for number in range(5):
            sms_enqueue(key=f"one:{number}")
    with CaptureQueriesContext(connection) as queries:
        claimed = messages_claim(now=T0)
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert messages_deliver(messages=claimed, now=T0).sent == 5
    assert len(queries) == 1
