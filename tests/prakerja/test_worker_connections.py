"""A Celery worker keeps its database connection from one task to the next, as a web worker does between requests.

Celery's Django fixup closes every connection before and after each task unless ``CELERY_DB_REUSE_MAX`` is set;
a new PostgreSQL connection per task cost a delivery task of 100 messages more than its own work
(docs/PERFORMANCE.md, "Outbox delivery"). prakerja/celery.py sets it and closes connections as Django does around a
request instead: after DATABASE_CONN_MAX_AGE, or at once when broken.
"""

from collections.abc import Iterator

import pytest
from celery.fixups.django import DjangoWorkerFixup
from celery.signals import task_postrun, task_prerun
from django.db import connection

from notifications.tasks import message_deliver_task
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


def _run_task_signals() -> None:
    """What a worker sends around each task, the task itself aside."""
    task = message_deliver_task
    task_prerun.send(sender=task, task_id="t", task=task, args=([],), kwargs={})
    task_postrun.send(sender=task, task_id="t", task=task, args=([],), kwargs={}, retval=0, state="SUCCESS")


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
