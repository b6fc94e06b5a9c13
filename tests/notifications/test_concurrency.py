"""Concurrent workers on PostgreSQL: SKIP LOCKED lets them share due messages without waiting or overlap."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from freezegun import freeze_time

from notifications.services import messages_claim
from tests.clock import T0
from tests.helpers import require_service
from tests.notifications.helpers import sms_enqueue

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 10


def test_a_second_worker_claims_other_messages_while_the_first_still_holds_its_locks():
    # given five messages due at T0 (written earlier, so they wait for the sweep rather than go out at once)
    if connection.vendor != "postgresql":
        require_service("postgresql")
    with freeze_time(T0 - timedelta(minutes=1)):
        keys = {sms_enqueue(key=f"bulk:{n}", not_before=T0).pk for n in range(5)}

    # given worker A claimed two of them and has not committed yet
    claimed_by_a: list[int] = []
    a_claimed, a_may_commit = threading.Event(), threading.Event()

    def worker_a() -> None:
        try:
            with transaction.atomic():
                claimed_by_a.extend(m.pk for m in messages_claim(limit=2, now=T0))
                a_claimed.set()
                a_may_commit.wait(WAIT_SECONDS)
        finally:
            connection.close()

    thread = threading.Thread(target=worker_a)
    thread.start()
    try:
        assert a_claimed.wait(WAIT_SECONDS)

        # when worker B claims, refusing to wait for any lock (without SKIP LOCKED it would wait for A's)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
            claimed_by_b = [m.pk for m in messages_claim(limit=10, now=T0)]
    finally:
        a_may_commit.set()
        thread.join(WAIT_SECONDS)

    # then they share the messages without overlap
    assert len(claimed_by_a) == 2
    assert len(claimed_by_b) == 3
    assert set(claimed_by_a) | set(claimed_by_b) == keys
