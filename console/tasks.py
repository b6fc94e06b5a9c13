from celery import shared_task

from console.services import funnel_refresh, funnels_refresh


@shared_task
def funnels_refresh_task() -> int:
    """Beat, each minute: refresh every funnel that may have changed; safe to run twice."""
    return funnels_refresh()


@shared_task
def funnel_refresh_task(wave_id: int) -> int:
    """An operator's "Hitung ulang" for one wave; safe to run twice."""
    from waves.models import Wave

    return funnel_refresh(wave=Wave.objects.get(pk=wave_id)).pk
