"""A Celery worker keeps its database connection from one task to the next, as a web worker does between requests.

Celery's Django fixup closes every connection before and after each task unless ``CELERY_DB_REUSE_MAX`` is set;
a new PostgreSQL connection per task cost a delivery task of 100 messages more than its own work
(docs/PERFORMANCE.md, "Outbox delivery"). prakerja/celery.py sets it and closes connections as Django does around a
request instead: after DATABASE_CONN_MAX_AGE, or at once when broken. It also leaves out two round trips a delivery
task does not need: the health check of a connection that ended a task a moment ago, and, on a worker of the
outbox's queues only, kombu's emulated acknowledgements; such a worker also takes its next message while a task runs.
"""

from collections.abc import Iterator
from types import SimpleNamespace
from unittest import mock

import pytest
from celery.fixups.django import DjangoWorkerFixup
from celery.signals import task_postrun, task_prerun
from django.db import DatabaseError, connection

from notifications.tasks import message_deliver_task
from prakerja import celery
from prakerja.celery import app

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker_fixup() -> Iterator[DjangoWorkerFixup]:
    """The fixup a worker installs at start, with its handlers on the task signals."""
    fixup = DjangoWorkerFixup(app)
    task_prerun.connect(fixup.on_task_prerun)
    task_postrun.connect(fixup.on_task_postrun)
    try:
        yield fixup
    finally:
        task_prerun.disconnect(fixup.on_task_prerun)
        task_postrun.disconnect(fixup.on_task_postrun)


@pytest.fixture
def conn_max_age() -> Iterator[None]:
    """Lets a test set DATABASE_CONN_MAX_AGE (read when a connection opens); restored afterwards."""
    saved = connection.settings_dict["CONN_MAX_AGE"]
    try:
        yield
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = saved
        connection.close()


def _run_task_signals(body=lambda: None) -> None:
    """What a worker sends around each task, with ``body`` as the task's own work."""
    task = message_deliver_task
    task_prerun.send(sender=task, task_id="t", task=task, args=([],), kwargs={})
    body()
    task_postrun.send(sender=task, task_id="t", task=task, args=([],), kwargs={}, retval=0, state="SUCCESS")


def _query() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def test_a_worker_keeps_its_database_connection_between_tasks(worker_fixup, conn_max_age):
    # given a connection kept for a minute, as in production
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.close()
    connection.ensure_connection()
    opened = connection.connection

    # when three tasks run
    for _ in range(3):
        _run_task_signals()

    # then they all used the same connection
    assert worker_fixup.db_reuse_max
    assert connection.connection is opened


def test_a_worker_still_closes_a_connection_past_its_age(worker_fixup, conn_max_age):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is never closed")
    # given connections are not kept (DATABASE_CONN_MAX_AGE=0)
    connection.settings_dict["CONN_MAX_AGE"] = 0
    connection.close()
    connection.ensure_connection()

    # when a task ends
    _run_task_signals()

    # then its connection is closed, as after a request
    assert connection.connection is None


@pytest.fixture
def health_checks(conn_max_age) -> Iterator[mock.Mock]:
    """A kept connection with health checks on, as in production; yields the spy on its check."""
    saved = connection.settings_dict["CONN_HEALTH_CHECKS"]
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    connection.close()
    connection.ensure_connection()
    connection.health_check_enabled = True  # as connect() sets it; SQLite's in-memory test database never reopens
    celery._healthy_at.clear()
    try:
        with mock.patch.object(connection, "is_usable", wraps=connection.is_usable) as is_usable:
            yield is_usable
    finally:
        connection.settings_dict["CONN_HEALTH_CHECKS"] = saved
        connection.health_check_enabled = saved


def test_a_worker_checks_a_connection_only_when_it_has_not_ended_a_task_a_moment_ago(worker_fixup, health_checks):
    clock = [celery.time.monotonic()]
    with mock.patch.object(celery.time, "monotonic", side_effect=lambda: clock[0]):
        # a first task on the connection checks it, as the first request on a kept connection does
        _run_task_signals(_query)
        assert health_checks.call_count == 1

        # the next task, a moment later, uses it as it is
        clock[0] += celery.HEALTH_CHECK_SKIPPED_FOR_SECONDS / 2
        _run_task_signals(_query)
        assert health_checks.call_count == 1

        # after a pause, the connection is checked again before it is used
        clock[0] += celery.HEALTH_CHECK_SKIPPED_FOR_SECONDS
        _run_task_signals(_query)
        assert health_checks.call_count == 2


def test_a_worker_checks_a_connection_again_after_an_error(worker_fixup, health_checks):
    # given a task that fails in the database
    def failing() -> None:
        with pytest.raises(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    # when it ends and the next task starts at once
    _run_task_signals(failing)
    checks = health_checks.call_count
    _run_task_signals(_query)

    # then the connection was checked after the error (Django's own rule), which the next task takes as its check
    assert checks == 2  # before the failing task's first statement, and after its error
    assert health_checks.call_count == 2
    assert connection.connection is not None


def _worker_consuming(*queues: str) -> SimpleNamespace:
    """The parts of a starting worker the ack-emulation handler reads: its queues and its configuration."""
    conf = SimpleNamespace(broker_transport_options={"visibility_timeout": 3600})
    return SimpleNamespace(
        app=SimpleNamespace(
            amqp=SimpleNamespace(queues=SimpleNamespace(consume_from={queue: object() for queue in queues})), conf=conf
        )
    )


@pytest.mark.parametrize("queues", [("notifications",), ("otp",), ("notifications", "otp")])
def test_a_worker_of_the_outbox_queues_only_takes_messages_without_emulated_acknowledgements(queues):
    worker = _worker_consuming(*queues)

    celery._outbox_workers_without_ack_emulation(instance=worker)

    assert worker.app.conf.broker_transport_options == {"visibility_timeout": 3600, "ack_emulation": False}


@pytest.mark.parametrize("queues", [("otp", "default", "selection"), ("notifications", "default"), ()])
def test_a_worker_with_any_other_queue_keeps_emulated_acknowledgements(queues):
    worker = _worker_consuming(*queues)

    celery._outbox_workers_without_ack_emulation(instance=worker)

    assert worker.app.conf.broker_transport_options == {"visibility_timeout": 3600}


def _prefetch_count(queues: str, *, concurrency: int = 2, **options) -> int:
    """How many messages a worker started with ``queues`` takes ahead (its consumer, built but never started)."""
    with mock.patch("prakerja.checks.refuse_to_start"):  # the test settings are not a deployment's
        worker = app.WorkController(
            queues=queues, pool_cls="threads", concurrency=concurrency, hostname="prefetch@test", **options
        )
    return worker.consumer.initial_prefetch_count


@pytest.mark.parametrize("queues", ["notifications", "otp", "notifications,otp"])
def test_a_worker_of_the_outbox_queues_only_takes_the_next_message_during_a_task(queues):
    assert celery.OUTBOX_WORKER_PREFETCH_MULTIPLIER == 2
    assert _prefetch_count(queues, concurrency=4) == 8


def test_a_delivery_worker_keeps_a_higher_prefetch_multiplier_it_was_given():
    assert _prefetch_count("notifications", prefetch_multiplier=8) == 16


@pytest.mark.parametrize("queues", ["otp,default,selection", "notifications,default", "selection"])
def test_a_worker_with_any_other_queue_takes_one_message_per_thread(queues):
    # A selection runs for minutes: a second message held behind it would wait for all of them.
    assert _prefetch_count(queues, concurrency=4) == 4
