"""Celery entry points of the verification app: retention (docs/PRIVACY.md), run hourly by beat."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from verification.otp import otp_codes_purge


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, retry_backoff_max=60, max_retries=5)
def otp_codes_purge_task() -> int:
    """Delete phone codes expired more than CODE_RETENTION ago. Safe to run twice."""
    return otp_codes_purge()
