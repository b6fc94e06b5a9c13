"""A bulk row's idempotency key is held unique without the key's index (which leaves bulk rows out, so that an
announcement's million rows do not enter it): by its body, one per prefix, channel and template; by one row per
user and body; and by kinds of one channel that cannot meet on a row. Every read that used the indexes changed
still finds its rows through an index (checked on PostgreSQL with sequential scans priced out)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Value, When
from django.urls import reverse

from accounts.models import User
from notifications.models import Channel, Message, SharedBody, Status
from notifications.selectors import messages_of, messages_with_key
from notifications.services import BulkKind, message_enqueue, messages_enqueue_bulk, messages_enqueue_bulk_kinds
from tests.clock import T0
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def recipients_of(users):
    return User.objects.filter(pk__in=[u.pk for u in users]).annotate(user_id=F("pk"), recipient=F("email"))


def announce(users, *, key_prefix="result:1") -> int:
    return messages_enqueue_bulk(
        channel="email", template="tests/plain", context={}, recipients=recipients_of(users), key_prefix=key_prefix
    )


def test_a_second_announcement_under_the_same_prefix_is_refused_before_it_writes_a_row():
    # given
    users = [UserFactory() for _ in range(3)]
    announce(users)

    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        announce(users)
    assert Message.objects.count() == 3 and SharedBody.objects.count() == 1


def test_a_bulk_row_per_user_and_body():
    # given
    user = UserFactory()
    announce([user])
    row = Message.objects.get()

    # when / then: the same user and body again
    row.pk = None
    row.idempotency_key = "other"
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save(force_insert=True)


def test_kinds_of_one_channel_that_could_reach_the_same_row_are_refused():
    users = [UserFactory()]
    kinds = [BulkKind(Channel.EMAIL, "tests/plain", {}), BulkKind(Channel.EMAIL, "tests/hello", {})]

    with pytest.raises(ValueError, match="may reach the same row"):
        messages_enqueue_bulk_kinds(kinds=kinds, recipients=recipients_of(users), key_prefix="result:1")

    assert not Message.objects.exists() and not SharedBody.objects.exists()


def test_kinds_of_one_channel_split_by_a_column_each_reach_their_rows():
    # given
    chosen, other = UserFactory(), UserFactory()
    recipients = recipients_of([chosen, other]).annotate(
        chosen=Case(When(pk=chosen.pk, then=Value(True)), default=Value(False), output_field=BooleanField())
    )
    kinds = [
        BulkKind(Channel.EMAIL, "tests/plain", {}, when=("chosen", True)),
        BulkKind(Channel.EMAIL, "tests/hello", {"name": "Peserta"}, when=("chosen", False)),
    ]

    # when
    written = messages_enqueue_bulk_kinds(kinds=kinds, recipients=recipients, key_prefix="result:1")

    # then
    assert written == 2
    assert dict(Message.objects.values_list("user_id", "template")) == {
        chosen.pk: "tests/plain",
        other.pk: "tests/hello",
    }


def test_a_message_of_its_own_is_still_found_by_its_key_when_enqueued_again():
    user = UserFactory()
    announce([user], key_prefix="welcome")
    own = {"channel": "email", "recipient": user.email, "template": "tests/plain", "context": {}, "user": user}
    first = message_enqueue(idempotency_key="welcome:x", **own)

    again = message_enqueue(idempotency_key="welcome:x", **own)

    assert again.pk == first.pk and Message.objects.count() == 2


def test_the_admin_finds_a_bulk_row_and_a_row_of_its_own_by_their_exact_keys(admin_client):
    # given
    users = [UserFactory() for _ in range(2)]
    announce(users)
    own = message_enqueue(
        channel="email", recipient="a@example.com", template="tests/plain", context={}, idempotency_key="otp:1"
    )
    changelist = reverse("admin:notifications_message_changelist")

    # when
    bulk_key = f"result:1:{users[1].pk}:email"
    found = [m.idempotency_key for m in admin_client.get(changelist, {"q": bulk_key}).context["cl"].result_list]
    found_own = [m.pk for m in admin_client.get(changelist, {"q": "otp:1"}).context["cl"].result_list]

    # then
    assert found == [bulk_key] and found_own == [own.pk]


# --- On PostgreSQL: the plans ---------------------------------------------------------------------------------


def plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test's transaction: a tiny table must still show
    return queryset.explain()


@pytest.fixture
def outbox():
    if connection.vendor != "postgresql":
        pytest.skip("the plans are PostgreSQL's")
    users = [UserFactory() for _ in range(3)]
    announce(users)
    message_enqueue(channel="email", recipient="a@example.com", template="tests/plain", context={}, idempotency_key="k")
    return users


def test_on_postgresql_every_read_by_key_user_or_body_uses_an_index(outbox):
    user = outbox[0]
    bulk_key = f"result:1:{user.pk}:email"
    still_needed = Message.objects.filter(shared_body=OuterRef("pk"), purged_at__isnull=True)
    reads = {
        # message_enqueue's look-up of an existing key
        "key": Message.objects.filter(idempotency_key="k", shared_body__isnull=True),
        # the admin's search, for a row of its own and a bulk row
        "admin own": messages_with_key(Message.objects.all(), "k"),
        "admin bulk": messages_with_key(Message.objects.all(), bulk_key),
        # retention: the bodies none of whose rows still needs them (services.shared_bodies_purge)
        "bodies": SharedBody.objects.filter(purged_at__isnull=True).exclude(Exists(still_needed)),
        # erasure and "Data saya" (services.messages_erase_for, selectors.messages_of), and Django's SET_NULL
        "user": Message.objects.filter(user=user).exclude(status=Status.SENT),
    }

    plans = {name: plan(queryset) for name, queryset in reads.items()}

    for name, text in plans.items():
        assert "Seq Scan on notifications_message" not in text, (name, text)
    assert "notif_msg_key_unique" in plans["key"]
    assert "notif_msg_key_unique" in plans["admin bulk"] and "notifications_message_user_id" in plans["admin bulk"]
    assert "notif_msg_shared_user_unique" in plans["bodies"]
    assert "notifications_message_user_id" in plans["user"]
    assert len(messages_of(user=user, now=T0)) == 1
