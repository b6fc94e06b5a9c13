"""Celery entry points of the accounts app: retention (docs/PRIVACY.md), run hourly by beat."""

from celery import shared_task

from accounts.services import login_codes_purge, sessions_expired_purge, unverified_accounts_purge
from prakerja.celery import DATABASE_RETRY


@shared_task(**DATABASE_RETRY)
def unverified_accounts_purge_task() -> int:
    """Delete accounts whose email was never verified, past UNVERIFIED_ACCOUNT_RETENTION. Safe to run twice."""
    return unverified_accounts_purge()


@shared_task(**DATABASE_RETRY)
def login_codes_purge_task() -> int:
    """Delete login codes expired more than CODE_RETENTION ago. Safe to run twice."""
    return login_codes_purge()


@shared_task(**DATABASE_RETRY)
def sessions_purge_task() -> int:
    """Delete expired sessions (``clearsessions``, in batches). Safe to run twice."""
    return sessions_expired_purge()
