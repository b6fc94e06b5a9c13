"""Celery entry points of the assessment app."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from assessment.services import attempts_finish_expired


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, retry_backoff_max=60, max_retries=5)
def attempts_finish_expired_task() -> int:
    """Record the tests whose time ran out unsubmitted (beat, every minute). Pages never wait for it: they
    read the deadline themselves; this only makes the score permanent. Safe to run twice."""
    return attempts_finish_expired()
