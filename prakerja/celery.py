"""The Celery application. Configuration comes from Django settings (the CELERY_ namespace)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prakerja.settings")

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
