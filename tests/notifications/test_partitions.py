"""A bulk enqueue's rows are a batch of their own; on PostgreSQL, a partition of the outbox (migration 0009).

Each announcement is written as a table and attached with the outbox's indexes, its ids drawn from the outbox's
identity like every other message's; statements that name rows by id name their batch, so that they read one
partition; a cancelled announcement's empty partition goes. The migration itself turns an outbox with rows into
partition 0 without losing a row or an id."""

import re

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from notifications.models import SINGLES_BATCH, Channel, Message, Status
from notifications.services import (
    _claim_statement,
    message_enqueue,
    messages_cancel,
    messages_claim,
    messages_enqueue_bulk,
    outbox_sweep,
)
from tests.clock import T0
from tests.factories import UserFactory
from tests.helpers import manage_in

pytestmark = pytest.mark.django_db

TABLE = Message._meta.db_table


def announce(users, *, key_prefix: str) -> list[Message]:
    # (``pk__in`` of no users would be a query Django refuses to run: none of them is a query of no rows.)
    who = {"pk__in": [u.pk for u in users]} if users else {"email": "nobody@example.invalid"}
    recipients = User.objects.filter(**who).annotate(user_id=F("pk"), recipient=F("email"))
    messages_enqueue_bulk(
        channel=Channel.EMAIL,
        template="tests/plain",
        context={},
        recipients=recipients,
        key_prefix=key_prefix,
        not_before=T0,
    )
    return list(Message.objects.filter(idempotency_key__startswith=f"{key_prefix}:").order_by("pk"))


def single(key: str) -> Message:
    return message_enqueue(
        channel=Channel.EMAIL,
        recipient=f"{key}@example.com",
        template="tests/plain",
        context={},
        idempotency_key=key,
    )


def partitions() -> dict[str, int]:
    """The outbox's partitions on PostgreSQL, each with its number of indexes attached to the outbox's."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT part.inhrelid::regclass::text,
                      (SELECT COUNT(*) FROM pg_index i JOIN pg_inherits attached ON attached.inhrelid = i.indexrelid
                       WHERE i.indrelid = part.inhrelid)
               FROM pg_inherits part WHERE part.inhparent = %s::regclass""",
            [TABLE],
        )
        return dict(cursor.fetchall())


def indexes_of_outbox() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_index WHERE indrelid = %s::regclass", [TABLE])
        return cursor.fetchone()[0]


def test_an_announcement_is_a_batch_of_its_own_and_its_ids_follow_the_outboxs():
    before = single("before")
    rows = announce([UserFactory() for _ in range(3)], key_prefix="result:1")
    after = single("after")

    assert before.batch == after.batch == SINGLES_BATCH
    assert {row.batch for row in rows} == {rows[0].shared_body_id} != {SINGLES_BATCH}
    assert before.pk < min(row.pk for row in rows) <= max(row.pk for row in rows) < after.pk
    assert Message.objects.count() == len({before.pk, after.pk, *(row.pk for row in rows)}) == 5


def test_on_postgresql_an_announcement_is_a_partition_with_every_index_of_the_outbox(postgresql):
    [row, *_rest] = announce([UserFactory() for _ in range(3)], key_prefix="result:1")
    announce([], key_prefix="result:2")  # reaches no one: no partition, no body

    assert partitions() == {f"{TABLE}_0": indexes_of_outbox(), f"{TABLE}_{row.batch}": indexes_of_outbox()}
    # the outbox's unique (body, user) holds in the partition too
    row.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save(force_insert=True)


def test_on_postgresql_an_announcement_after_the_outbox_was_emptied_and_its_ids_restarted(postgresql):
    # given: an announcement, then the outbox and the bodies emptied with their ids started again (a test's flush):
    # the next announcement's batch number is the first one's again, and its emptied partition is still there
    def flush():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE}, notifications_sharedbody RESTART IDENTITY")

    flush()
    [first] = announce([UserFactory()], key_prefix="result:1")
    flush()

    # when
    [again] = announce([UserFactory()], key_prefix="result:1")

    # then
    assert again.batch == first.batch and set(partitions()) == {f"{TABLE}_0", f"{TABLE}_{again.batch}"}


def test_the_sweep_sends_every_message_of_two_announcements_and_the_single_ones_once(mailoutbox):
    first = announce([UserFactory() for _ in range(3)], key_prefix="result:1")
    second = announce([UserFactory() for _ in range(2)], key_prefix="result:2")
    singles = [single("one"), single("two")]

    report = outbox_sweep()

    assert report.sent == 7 and len(mailoutbox) == 7
    assert sorted(email.to[0] for email in mailoutbox) == sorted(
        message.recipient for message in [*first, *second, *singles]
    )
    assert set(Message.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


def test_a_claim_by_ids_looks_in_the_single_messages_unless_told_otherwise():
    [row] = announce([UserFactory()], key_prefix="result:1")
    alone = single("alone")

    assert [message.pk for message in messages_claim(ids=[row.pk, alone.pk])] == [alone.pk]
    assert [message.pk for message in messages_claim(ids=[row.pk], batch=None)] == [row.pk]


def test_on_postgresql_a_tasks_claim_plans_to_read_partition_0_alone(postgresql):
    announce([UserFactory()], key_prefix="result:1")
    alone = single("alone")
    now = timezone.now()

    sql, params = _claim_statement(ids=[alone.pk], batch=SINGLES_BATCH, limit=1, now=now, leased_until=now)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (COSTS OFF) {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())

    # both of the claim's UPDATEs read partition 0, and nothing of the announcement's partition
    assert set(re.findall(rf" on ({TABLE}_\d+)", plan)) == {f"{TABLE}_0"}, plan


def test_cancelling_an_announcement_removes_its_waiting_messages_and_on_postgresql_its_partition():
    rows = announce([UserFactory() for _ in range(3)], key_prefix="result:1")
    kept = single("kept")

    assert messages_cancel(key_prefix="result:1") == 3

    assert list(Message.objects.all()) == [kept]
    if connection.vendor == "postgresql":
        assert set(partitions()) == {f"{TABLE}_0"}
        assert f"{TABLE}_{rows[0].batch}" not in connection.introspection.table_names()


def test_cancelling_an_announcement_partly_sent_keeps_its_partition_and_its_history(mailoutbox):
    rows = announce([UserFactory() for _ in range(2)], key_prefix="result:1")
    Message.objects.filter(pk=rows[0].pk).update(status=Status.SENT)

    assert messages_cancel(key_prefix="result:1") == 1

    assert list(Message.objects.values_list("pk", "status")) == [(rows[0].pk, Status.SENT)]
    if connection.vendor == "postgresql":
        assert f"{TABLE}_{rows[0].batch}" in partitions()


# --- The migration, on a database of its own --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_migration_makes_the_outbox_with_its_rows_partition_0(scratch_database):
    manage_in(scratch_database, "migrate", "notifications", "0008", "--verbosity", "0")
    with psycopg.connect(scratch_database, autocommit=True) as db:
        db.execute(
            f"""INSERT INTO {TABLE} (channel, recipient, recipient_digest, template, subject, body, html_body,
                    sensitive, idempotency_key, status, attempts, next_attempt_at, last_error, created_at)
                SELECT 'email', 'r', '', 't', '', 'b', '', false, 'key:' || i, 'pending', 0, now(), '', now()
                FROM generate_series(1, 5) AS i"""
        )

    manage_in(scratch_database, "migrate", "notifications", "0009", "--verbosity", "0")

    with psycopg.connect(scratch_database, autocommit=True) as db:
        assert db.execute(f"SELECT id, batch FROM {TABLE} ORDER BY id").fetchall() == [(i, 0) for i in range(1, 6)]
        assert db.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass", [TABLE]
        ).fetchall() == [(f"{TABLE}_0",)]
        # the identity goes on after the rows', and the key is still unique among single messages
        insert = f"""INSERT INTO {TABLE} (channel, recipient, recipient_digest, template, subject, body, html_body,
                         sensitive, idempotency_key, status, attempts, next_attempt_at, last_error, created_at)
                     VALUES ('email', 'r', '', 't', '', 'b', '', false, %s, 'pending', 0, now(), '', now())
                     RETURNING id"""
        assert db.execute(insert, ["key:6"]).fetchone() == (6,)
        with pytest.raises(psycopg.errors.UniqueViolation):
            db.execute(insert, ["key:1"])
