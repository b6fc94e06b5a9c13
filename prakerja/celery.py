"""The Celery application. Configuration comes from Django settings (the CELERY_ namespace)."""

import os

from celery import Celery, signals
from django.db import InterfaceError, OperationalError, close_old_connections

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


@signals.task_prerun.connect
@signals.task_postrun.connect
def _database_connections_as_a_request(sender=None, **kwargs) -> None:
    # Like Django's request_started and request_finished: a connection is kept for DATABASE_CONN_MAX_AGE, and
    # dropped at once when it is broken (an error since the last commit and a failed check) or was left inside
    # a transaction. A task run eagerly (tests, the caller's own process) leaves the caller's connection alone.
    if sender is not None and getattr(sender.request, "is_eager", False):
        return
    close_old_connections()


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
