"""The Celery application. Configuration comes from Django settings (the CELERY_ namespace)."""

import os

from celery import Celery, signals
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prakerja.settings")

# Tasks that only read and write the database retry when it is briefly unreachable (a failover, a restart),
# backing off up to a minute; anything else is a bug to see, not to retry.
DATABASE_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 5,
}

app = Celery("prakerja")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
