from celery import shared_task

from audit.context import client_address_set
from waves.services import selections_schedule, waves_record_schedule


@shared_task
def waves_record_schedule_task() -> int:
    """Record the opening, closing and announcement that time has already made; safe to run twice."""
    return waves_record_schedule()


@shared_task
def selections_schedule_task() -> int:
    """Queue the selection of waves that select themselves once closed; safe to run twice (a queued wave is
    marked under its row lock)."""
    return len(selections_schedule())


@shared_task
def selection_run_task(
    wave_id: int, acting_user_id: int | None = None, seed: int | None = None, client_address: str | None = None
) -> int:
    """Select a closed wave (its own queue: it can take minutes for millions). Safe to run twice: a selected
    wave is left as it is. ``client_address``: where the operator who queued it was, for the audit log."""
    from accounts.models import User
    from waves.models import Wave
    from waves.selection import selection_run

    acting_user = User.objects.filter(pk=acting_user_id).first() if acting_user_id else None
    with client_address_set(client_address):
        return selection_run(wave=Wave.objects.get(pk=wave_id), acting_user=acting_user, seed=seed).pk
