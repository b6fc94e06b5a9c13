"""A real Celery worker consumes the "notifications" queue on Redis and delivers what was enqueued.

Everything else in tests/notifications runs tasks eagerly; this is the one test of the production path:
on_commit → broker → worker thread → claim → send → mark, with the worker's own database connection.
"""

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_received
from django.conf import settings
from django.db import OperationalError, connection
from django.utils import timezone

from notifications.models import Message, Status
from notifications.tasks import outbox_sweep_task
from prakerja.celery import app
from tests.helpers import require_service
from tests.notifications.helpers import sms_enqueue

QUEUE = "notifications"
WAIT_SECONDS = 30

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _wait_until_sent(message: Message) -> Message:
    """Poll the database until the worker marked ``message`` sent, for at most WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            message.refresh_from_db()
        except OperationalError:
            # SQLite's in-memory test database is shared with the worker thread in shared-cache mode, where
            # a read that meets the worker's write fails at once ("table is locked") instead of waiting.
            if connection.vendor != "sqlite":
                raise
        else:
            if message.status == Status.SENT:
                return message
        time.sleep(0.05)
    pytest.fail(f"the worker did not send message {message.pk} within {WAIT_SECONDS} s (status {message.status})")


@pytest.fixture
def worker() -> Iterator[list[str]]:
    """A worker thread consuming the notifications queue of the Redis broker, tasks no longer eager.

    Yields the names of the tasks the worker received from the broker, proving they did not run eagerly.
    """
    if not settings.REDIS_URL:
        require_service("redis")
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "broker_transport_options")}
    app.conf.update(task_always_eager=False, broker_url=settings.REDIS_URL, broker_transport_options={})
    with app.connection_for_write() as conn:
        # Leftovers of an interrupted run would be harmless (their ids do not exist) but slow the test.
        conn.default_channel.queue_purge(QUEUE)
    received: list[str] = []

    def on_received(request, **kwargs) -> None:
        received.append(request.name)

    task_received.connect(on_received, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[QUEUE], shutdown_timeout=30):
            yield received
    finally:
        task_received.disconnect(on_received)
        app.conf.update(saved)


def test_a_real_worker_delivers_an_enqueued_message_after_commit(worker, sms_outbox):
    # when (autocommit: the delivery task goes to the broker as soon as the row is written)
    message = sms_enqueue(key="worker:1")

    # then
    message = _wait_until_sent(message)
    assert worker == ["notifications.tasks.message_deliver_task"]
    assert message.attempts == 1
    assert [sms["idempotency_key"] for sms in sms_outbox] == ["worker:1"]


def test_a_real_worker_runs_the_sweep_for_a_message_whose_time_has_come(worker, sms_outbox):
    # given a message for later, whose time has now come
    message = sms_enqueue(key="worker:2", not_before=timezone.now() + timedelta(hours=1))
    past = timezone.now() - timedelta(seconds=1)
    Message.objects.filter(pk=message.pk).update(not_before=past, next_attempt_at=past)

    # when beat's task reaches the worker
    outbox_sweep_task.delay()

    # then
    _wait_until_sent(message)
    assert "notifications.tasks.outbox_sweep_task" in worker
    assert [sms["idempotency_key"] for sms in sms_outbox] == ["worker:2"]
