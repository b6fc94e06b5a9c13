"""The Celery application. Configuration comes from Django settings (the CELERY_ namespace)."""

import os
import time
import weakref

from celery import Celery, signals
from django.db import InterfaceError, OperationalError, close_old_connections, connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prakerja.settings")

# Tasks that only read and write the database retry when it is briefly unreachable (a failover, a restart),
# backing off up to a minute; anything else is a bug to see, not to retry.
DATABASE_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 5,
}

# Celery's Django fixup closes every database connection before and after each task, unless this is set: then
# it closes them only every this many tasks. A new PostgreSQL connection per task (a backend process forked,
# authentication, cold catalog caches) cost a delivery task of 100 messages more than its own work
# (docs/PERFORMANCE.md, "Outbox delivery"); the handler below closes them as Django does around a request.
DB_REUSE_MAX = 1_000_000

app = Celery("prakerja")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(CELERY_DB_REUSE_MAX=DB_REUSE_MAX)
app.autodiscover_tasks()


# Django checks a kept connection (CONN_HEALTH_CHECKS, one "SELECT 1") before its first use in each request, and
# the handlers below treat a task as a request. A delivery worker runs a task every few milliseconds, each paying
# that round trip; a connection that ended a task in good health this recently is used without it. One that broke
# in between fails the task's first statement instead: the database retry (DATABASE_RETRY) runs the task again and
# the broken connection is closed after the failure, as after any error.
HEALTH_CHECK_SKIPPED_FOR_SECONDS = 1.0
_healthy_at: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _eager(task) -> bool:
    # A task run eagerly (tests, the caller's own process) leaves the caller's connection alone.
    return task is not None and getattr(task.request, "is_eager", False)


# Like Django's request_started and request_finished: a connection is kept for DATABASE_CONN_MAX_AGE, and dropped
# at once when it is broken (an error since the last commit and a failed check) or was left inside a transaction.
@signals.task_prerun.connect
def _database_connections_before_task(sender=None, **kwargs) -> None:
    if _eager(sender):
        return
    close_old_connections()
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        healthy_at = _healthy_at.get(conn)
        if (
            conn.connection is not None
            and healthy_at is not None
            and now - healthy_at < HEALTH_CHECK_SKIPPED_FOR_SECONDS
        ):
            conn.health_check_done = True


@signals.task_postrun.connect
def _database_connections_after_task(sender=None, **kwargs) -> None:
    if _eager(sender):
        return
    close_old_connections()  # closes a connection left broken by an error (checked) or past its age
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None:
            _healthy_at[conn] = now


@signals.celeryd_after_setup.connect
def _outbox_workers_without_ack_emulation(sender=None, instance=None, **kwargs) -> None:
    # On Redis, kombu emulates acknowledgements: every message a worker takes is copied into an "unacked" hash and
    # removed again when the task ends (two more round trips per task), so that a dead worker's messages come back
    # after visibility_timeout (an hour). The outbox's tasks need none of it: a delivery task only names rows of the
    # outbox, whose leases and attempt numbers bring back what a dead worker took, and the sweep (beat, every
    # OUTBOX_SWEEP_SECONDS) sends what it never started. A worker that consumes nothing but those queues (the
    # Procfile's "notifications", an "otp" worker) therefore takes messages without the copy; a worker with any
    # other queue keeps it. Set here, after the queues are chosen and before the worker connects to the broker.
    if _consumes_outbox_only(instance.app):
        options = instance.app.conf.broker_transport_options
        instance.app.conf.broker_transport_options = {**options, "ack_emulation": False}


# Messages a delivery worker takes ahead of its threads, per thread (Celery's prefetch multiplier). With the
# project's 1 (acks late, one message per thread: a long selection never holds a second one back), a thread that ends
# a task waits while the main loop acknowledges it, asks Redis for the next message and hands it over, a sixth of the
# time of a task of 100 messages (docs/PERFORMANCE.md, "The next message taken during the task"); with 2, the next
# one is already there. What a worker holds unstarted is what a warm shutdown puts back and a SIGKILL loses; for the
# outbox's tasks the sweep sends it.
OUTBOX_WORKER_PREFETCH_MULTIPLIER = 2


@signals.worker_init.connect
def _outbox_workers_prefetch(sender=None, **kwargs) -> None:
    # Before the worker builds its consumer, which reads the multiplier; an explicit higher --prefetch-multiplier stays.
    if _consumes_outbox_only(sender.app):
        sender.prefetch_multiplier = max(sender.prefetch_multiplier, OUTBOX_WORKER_PREFETCH_MULTIPLIER)


def _consumes_outbox_only(app) -> bool:
    """Whether a starting worker consumes the outbox's delivery queues and nothing else."""
    from django.conf import settings

    queues = set(app.amqp.queues.consume_from)
    return bool(queues) and queues <= {"notifications", settings.OTP_QUEUE}


@signals.worker_init.connect
@signals.beat_init.connect
def _refuse_to_start(**kwargs) -> None:
    # Workers send the SMS and emails and run selections: they refuse the same settings the web process does.
    # Celery logs and ignores an exception from a signal handler, so the process exits here itself.
    from django.core.exceptions import ImproperlyConfigured

    from prakerja.checks import refuse_to_start

    try:
        refuse_to_start()
    except ImproperlyConfigured as error:
        raise SystemExit(str(error)) from None


@signals.setup_logging.connect
def _logging_as_django(loglevel=None, logfile=None, **kwargs) -> None:
    # Workers and beat log through the portal's own LOGGING, whose handlers mask personal data
    # (prakerja/redaction.py), instead of the handlers Celery would put on the root logger; --loglevel and
    # --logfile still apply.
    import logging
    from logging.config import dictConfig

    from django.conf import settings

    from prakerja.redaction import PersonalDataLogFilter

    dictConfig(settings.LOGGING)
    root = logging.getLogger()
    if loglevel:
        root.setLevel(loglevel)
    if logfile:
        handler = logging.FileHandler(logfile)
        handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
        handler.addFilter(PersonalDataLogFilter())
        root.addHandler(handler)
