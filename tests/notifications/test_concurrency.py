"""Concurrent workers on PostgreSQL: SKIP LOCKED lets sweeps share due messages without waiting or overlap, and a task's
claim of the rows it names waits for a sweep that holds one, then leaves it or takes it as the sweep left it."""

import threading
import time
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


def _claim_by_id_while_a_sweep_holds_it(*, sweep_commits: bool) -> tuple[list, int]:
    """A sweep claims a due message and holds its transaction open; a delivery task claims the same message by id,
    which waits for the sweep's lock; then the sweep ends. What the task claimed, and the message's attempts."""
    if connection.vendor != "postgresql":
        require_service("postgresql")
    with freeze_time(T0 - timedelta(minutes=1)):
        message = sms_enqueue(key="otp:race", not_before=T0)

    sweep_claimed, sweep_may_end = threading.Event(), threading.Event()

    def sweep() -> None:
        try:
            with transaction.atomic():
                assert [m.pk for m in messages_claim(now=T0)] == [message.pk]
                sweep_claimed.set()
                sweep_may_end.wait(WAIT_SECONDS)
                transaction.set_rollback(not sweep_commits)
        finally:
            connection.close()

    task_claimed: list = []

    def task() -> None:
        try:
            task_claimed.extend(messages_claim(ids=[message.pk], now=T0))
        finally:
            connection.close()

    sweeping, claiming = threading.Thread(target=sweep), threading.Thread(target=task)
    sweeping.start()
    try:
        assert sweep_claimed.wait(WAIT_SECONDS)
        claiming.start()
        _until_a_backend_waits_for_a_lock()
    finally:
        sweep_may_end.set()
        sweeping.join(WAIT_SECONDS)
        claiming.join(WAIT_SECONDS)
    message.refresh_from_db()
    return task_claimed, message.attempts


def _until_a_backend_waits_for_a_lock() -> None:
    # Polls PostgreSQL's own view of the other connections, no sleep: the task's claim is queued behind the sweep's
    # row lock once a backend of this database waits on a lock.
    deadline = time.monotonic() + WAIT_SECONDS
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
    pytest.fail("the task's claim never waited for the sweep's lock")


def test_a_task_claiming_its_message_by_id_leaves_it_to_the_sweep_that_holds_it():
    # given a sweep holds a message's claim, and a delivery task claims it by id meanwhile

    # when the sweep commits, then the task, which waited, finds the message no longer due and leaves it
    task_claimed, attempts = _claim_by_id_while_a_sweep_holds_it(sweep_commits=True)

    assert task_claimed == []
    assert attempts == 1  # claimed once, by the sweep


def test_a_task_claiming_its_message_by_id_takes_it_when_the_sweep_that_held_it_rolls_back():
    # given a sweep holds a message's claim, and a delivery task claims it by id meanwhile

    # when the sweep's transaction rolls back, then the task, which waited instead of skipping it, claims it
    task_claimed, attempts = _claim_by_id_while_a_sweep_holds_it(sweep_commits=False)

    assert [m.attempts for m in task_claimed] == [1]
    assert attempts == 1
