"""A delivery batch costs the same statements whatever its size: the claim and the "sent" mark are set-based, and
nothing is read, written or logged per message (docs/PERFORMANCE.md, "Outbox delivery")."""

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from notifications.models import Channel, Message, Status
from notifications.services import messages_claim, messages_enqueue_bulk, messages_send
from notifications.tasks import message_deliver_task
from tests.clock import T0
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _announce(count: int, *, key_prefix: str, name: str = "Peserta") -> list[int]:
    """``count`` emails of one announcement (one shared body), due at T0; their ids."""
    users = [UserFactory() for _ in range(count)]
    recipients = User.objects.filter(pk__in=[u.pk for u in users]).annotate(user_id=F("pk"), recipient=F("email"))
    messages_enqueue_bulk(
        channel="email",
        template="tests/hello",
        context={"name": name},
        recipients=recipients,
        key_prefix=key_prefix,
        not_before=T0,
    )
    return list(Message.objects.filter(idempotency_key__startswith=key_prefix).values_list("pk", flat=True))


def _singles(count: int, *, key_prefix: str) -> list[int]:
    """``count`` emails written one by one, as message_enqueue writes them (batch 0), due at T0; their ids."""
    messages = Message.objects.bulk_create(
        Message(
            channel=Channel.EMAIL,
            recipient=f"peserta{number}@example.com",
            template="tests/hello",
            body="Halo",
            idempotency_key=f"{key_prefix}:{number}",
            next_attempt_at=T0,
        )
        for number in range(count)
    )
    return [message.pk for message in messages]


def _queries_to_send(ids: list[int]) -> list[str]:
    # An announcement's rows, by id: in whatever batch they are (a delivery task's are in batch 0).
    with CaptureQueriesContext(connection) as queries:
        report = messages_send(ids=ids, batch=None, now=T0)
    assert report.sent == len(ids)
    return [query["sql"] for query in queries]


def test_a_batch_costs_the_same_queries_with_3_messages_as_with_60(mailoutbox):
    small = _announce(3, key_prefix="small")
    large = _announce(60, key_prefix="large")

    assert len(_queries_to_send(small)) == len(_queries_to_send(large))
    assert len(mailoutbox) == 63
    if connection.vendor == "postgresql":
        # the claim (with the rows' shared body) and the "sent" mark
        assert len(_queries_to_send(_announce(30, key_prefix="more"))) == 2


def test_a_deliver_task_costs_the_same_queries_with_3_messages_as_with_60(mailoutbox):
    small = _singles(3, key_prefix="small")
    large = _singles(60, key_prefix="large")

    counts = []
    for ids in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert message_deliver_task.delay(ids).get() == len(ids)
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_claimed_messages_read_their_shared_text_without_a_query_and_the_rest_on_demand():
    [pk] = _announce(1, key_prefix="one")

    with CaptureQueriesContext(connection) as queries:
        [claimed] = messages_claim(ids=[pk], batch=None, now=T0)
        texts = (claimed.email_subject, claimed.text, claimed.html_text, claimed.recipient, claimed.status)
    assert texts[0] == "Salam untuk Peserta" and texts[1].startswith("Halo Peserta")
    assert texts[4] == Status.SENDING
    if connection.vendor == "postgresql":
        assert len(queries) == 1

    # what the claim does not return (times, the last error) is read when asked for, like a deferred field
    assert claimed.created_at == Message.objects.get(pk=pk).created_at


def test_a_batch_of_two_announcements_reads_each_text_once_and_gives_every_message_its_own():
    first = _announce(3, key_prefix="first", name="Peserta")
    second = _announce(2, key_prefix="second", name="Budi")

    with CaptureQueriesContext(connection) as queries:
        claimed = messages_claim(ids=[*first, *second], batch=None, now=T0)
        texts = {message.pk: message.text for message in claimed}

    assert sorted(texts) == sorted([*first, *second])
    assert all(texts[pk].startswith("Halo Peserta") for pk in first)
    assert all(texts[pk].startswith("Halo Budi") for pk in second)
    # one instance per body, shared by its messages (select_related would build one per row)
    assert len({id(message.shared_body) for message in claimed}) == 2
    if connection.vendor == "postgresql":
        assert len(queries) == 1


def _sent_mark_and_commit(*, channel: Channel) -> tuple[str, tuple]:
    """The "sent" mark's SQL for one message on ``channel``, and synchronous_commit after it."""
    message = Message.objects.create(
        channel=channel,
        recipient="+6281212345678" if channel == Channel.SMS else "siti@example.com",
        template="tests/hello",
        body="Halo",
        idempotency_key=f"mark:{channel}",
        next_attempt_at=T0,
    )
    with CaptureQueriesContext(connection) as queries:
        assert messages_send(ids=[message.pk], now=T0).sent == 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        after = cursor.fetchone()
    [_claim, mark] = [query["sql"] for query in queries]
    return mark, after


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_sent_mark_of_sms_only_does_not_wait_for_the_disk_but_of_an_email_does(
    postgresql, mailoutbox
):
    sms_mark, sms_after = _sent_mark_and_commit(channel=Channel.SMS)
    email_mark, email_after = _sent_mark_and_commit(channel=Channel.EMAIL)

    # a lost SMS mark is sent again with the same key, which the gateway honours; SMTP has no such key
    assert "set_config('synchronous_commit', 'off', true)" in sms_mark
    assert "set_config" not in email_mark
    # the setting was the mark's own transaction's
    assert sms_after == email_after == ("on",)


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_claim_outside_a_transaction_does_not_wait_for_the_disk(postgresql):
    [pk] = _announce(1, key_prefix="lazy")

    with CaptureQueriesContext(connection) as queries:
        assert len(messages_claim(ids=[pk], batch=None, now=T0)) == 1

    [claim] = [query["sql"] for query in queries]
    assert "set_config('synchronous_commit', 'off', true)" in claim
    # the setting was the claim's own transaction's: the connection's next ones commit synchronously again
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)


def test_on_postgresql_a_claim_inside_the_callers_transaction_leaves_its_commit_alone(postgresql):
    [pk] = _announce(1, key_prefix="inside")

    with transaction.atomic():
        assert len(messages_claim(ids=[pk], batch=None, now=T0)) == 1
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("on",)
