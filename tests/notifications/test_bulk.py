"""Bulk enqueue from a query and cancellation by key prefix: how other apps write many messages at once without
knowing the outbox's columns or key format."""

import pytest
from django.db.models import F

from accounts.models import User
from notifications.models import Message, Status
from notifications.services import messages_cancel, messages_enqueue_bulk
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_one_message_per_row_of_the_query_rendered_once_keyed_by_prefix_user_and_channel():
    users = [UserFactory() for _ in range(3)]
    recipients = User.objects.filter(pk__in=[u.pk for u in users]).annotate(user_id=F("pk"), recipient=F("email"))

    written = messages_enqueue_bulk(
        channel="email",
        template="tests/plain",
        context={"name": "Budi"},
        recipients=recipients,
        key_prefix="demo:7",
    )

    messages = list(Message.objects.order_by("user_id"))
    assert written == 3 == len(messages)
    assert [m.idempotency_key for m in messages] == [f"demo:7:{u.pk}:email" for u in sorted(users, key=lambda u: u.pk)]
    assert [m.recipient for m in messages] == [u.email for u in sorted(users, key=lambda u: u.pk)]
    assert len({(m.subject, m.body) for m in messages}) == 1 and messages[0].status == Status.PENDING


def test_cancelling_a_prefix_removes_only_its_unsent_messages():
    users = [UserFactory() for _ in range(3)]
    recipients = User.objects.filter(pk__in=[u.pk for u in users]).annotate(user_id=F("pk"), recipient=F("email"))
    for prefix in ("result:1", "result:12"):
        messages_enqueue_bulk(
            channel="email", template="tests/plain", context={}, recipients=recipients, key_prefix=prefix
        )
    gone = Message.objects.filter(idempotency_key__startswith="result:1:").first()
    Message.objects.filter(pk=gone.pk).update(status=Status.SENT)

    assert messages_cancel(key_prefix="result:1") == 2

    assert set(Message.objects.values_list("idempotency_key", flat=True)) == {
        gone.idempotency_key,
        *(f"result:12:{u.pk}:email" for u in users),
    }
