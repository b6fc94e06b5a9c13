from celery import shared_task

from waves.services import waves_record_schedule


@shared_task
def waves_record_schedule_task() -> int:
    """Record the opening, closing and announcement that time has already made; safe to run twice."""
    return waves_record_schedule()
