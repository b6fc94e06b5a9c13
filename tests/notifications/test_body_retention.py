"""Retention of message bodies (issue #15, item 6; docs/PRIVACY.md): the text of a sent or finally failed SMS or
email is blanked MESSAGE_BODY_RETENTION after it was sent or last tried; the row stays, for delivery
accounting. Time is passed in (``now``) or frozen; batches are counted in statements, never timed."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from notifications.models import Channel, Message, Status
from notifications.services import message_bodies_purge, messages_requeue
from notifications.tasks import message_bodies_purge_task
from prakerja.crypto import pii_encrypt
from tests.clock import T0

pytestmark = pytest.mark.django_db


DAY = timedelta(days=1)


def message(key: str, *, status=Status.SENT, at=T0, sensitive=False, **fields) -> Message:
    """A message written and, for "sent", sent at ``at``; "failed" had its last attempt then."""
    body = "Halo Siti, kode Anda 123456. Nomor kartu 1234567890123456."
    return Message.objects.create(
        channel=Channel.EMAIL,
        recipient="siti.aminah@example.com",
        template="tests/hello",
        subject="Salam untuk Siti",
        body=pii_encrypt(body) if sensitive else body,
        html_body="" if sensitive else f"<p>{body}</p>",
        sensitive=sensitive,
        idempotency_key=key,
        status=status,
        attempts=1,
        created_at=at,
        next_attempt_at=at,
        sent_at=at if status == Status.SENT else None,
        **fields,
    )


def statements(queries, verb: str) -> list[str]:
    table = Message._meta.db_table
    return [q["sql"] for q in queries if q["sql"].startswith(verb) and table in q["sql"].split("WHERE")[0]]


def test_the_body_of_a_message_sent_thirty_days_ago_is_blanked_and_its_row_kept(settings):
    settings.MESSAGE_BODY_RETENTION = 30 * DAY
    old = message("old", sensitive=True)
    recent = message("recent", at=T0 + 2 * DAY)

    purged = message_bodies_purge(now=T0 + 31 * DAY)

    assert purged == 1
    old.refresh_from_db()
    assert (old.body, old.html_body, old.text, old.purged_at) == ("", "", "", T0 + 31 * DAY)
    # What delivery accounting needs stays.
    assert (old.channel, old.template, old.subject, old.status, old.attempts, old.sent_at) == (
        Channel.EMAIL,
        "tests/hello",
        "Salam untuk Siti",
        Status.SENT,
        1,
        T0,
    )
    recent.refresh_from_db()
    assert recent.purged_at is None and "Halo Siti" in recent.text


def test_a_message_is_blanked_only_once_it_is_sent_or_has_failed_for_good(settings):
    settings.MESSAGE_BODY_RETENTION = 30 * DAY
    failed = message("failed", status=Status.FAILED)
    pending = message("pending", status=Status.PENDING, not_before=T0 + 60 * DAY)
    sending = message("sending", status=Status.SENDING, leased_until=T0 + 40 * DAY)
    failed_lately = message("failed-lately", status=Status.FAILED, at=T0 + 20 * DAY)

    message_bodies_purge(now=T0 + 31 * DAY)

    assert set(Message.objects.exclude(purged_at=None).values_list("idempotency_key", flat=True)) == {"failed"}
    for kept in (pending, sending, failed_lately):
        kept.refresh_from_db()
        assert kept.body.startswith("Halo Siti")
    failed.refresh_from_db()
    assert failed.body == ""


def test_a_blanked_failed_message_is_never_sent_again(settings):
    settings.MESSAGE_BODY_RETENTION = 30 * DAY
    failed = message("failed", status=Status.FAILED)
    message_bodies_purge(now=T0 + 31 * DAY)

    assert messages_requeue(ids=[failed.pk], now=T0 + 32 * DAY) == 0
    failed.refresh_from_db()
    assert failed.status == Status.FAILED


def test_the_purge_works_in_bounded_batches_and_a_second_run_finds_nothing(settings):
    settings.MESSAGE_BODY_RETENTION = 30 * DAY
    for number in range(5):
        message(f"old-{number}")
    message("recent", at=T0 + 10 * DAY)

    with CaptureQueriesContext(connection) as first:
        purged = message_bodies_purge(now=T0 + 31 * DAY, batch_size=2)
    with CaptureQueriesContext(connection) as second:
        again = message_bodies_purge(now=T0 + 31 * DAY, batch_size=2)

    assert purged == 5 and again == 0
    # Batches of 2, 2 and 1: one UPDATE each, each in its own transaction, and nothing else on the table.
    assert len(statements(first.captured_queries, "UPDATE")) == 3
    assert len(statements(first.captured_queries, "SELECT")) == 0
    assert len(statements(second.captured_queries, "UPDATE")) == 1
    assert Message.objects.filter(purged_at=None).get().idempotency_key == "recent"


def test_beat_runs_the_purge_with_the_configured_period(settings):
    settings.MESSAGE_BODY_RETENTION = 30 * DAY
    message("old")

    with freeze_time(T0 + 29 * DAY):
        assert message_bodies_purge_task.apply().get() == 0
    with freeze_time(T0 + 30 * DAY + timedelta(seconds=1)):
        assert message_bodies_purge_task.apply().get() == 1
    assert settings.CELERY_BEAT_SCHEDULE["notifications-purge-bodies"]["task"] == message_bodies_purge_task.name
