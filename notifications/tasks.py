"""Celery entry points of the outbox; each claims and delivers through notifications.services.

Retrying a failed send is the outbox's job (row-level backoff, see services), not Celery's: a task only
retries when the database itself was unreachable, and running any task twice sends nothing twice.
"""

from celery import shared_task

from notifications.services import message_bodies_purge, messages_send, outbox_sweep
from prakerja.celery import DATABASE_RETRY


@shared_task(**DATABASE_RETRY)
def message_deliver_task(ids: list[int]) -> int:
    """Deliver the messages just enqueued with ``ids``; rows already claimed or sent are left alone."""
    return messages_send(ids=ids).sent


@shared_task(**DATABASE_RETRY)
def outbox_sweep_task() -> int:
    """Deliver every due message: delayed ones (not_before, retries) and those whose worker died."""
    return outbox_sweep().sent


@shared_task(**DATABASE_RETRY)
def message_bodies_purge_task() -> int:
    """Blank the bodies of messages past MESSAGE_BODY_RETENTION (beat, hourly; docs/PRIVACY.md). Safe to run
    twice: a blanked message is not due any more."""
    return message_bodies_purge()
