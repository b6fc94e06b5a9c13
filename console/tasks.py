from celery import shared_task
from django.core.cache import cache

from console.services import funnel_refresh, funnels_refresh

# Held while beat's refresh runs: with millions of accounts a tick may outlast the minute, and the next one then
# has nothing to add (it would count the same rows again and wait on the same snapshot rows).
REFRESH_LOCK = "console:funnels-refresh"
REFRESH_LOCK_SECONDS = 15 * 60


@shared_task
def funnels_refresh_task() -> int:
    """Beat, each minute: refresh every funnel that may have changed; safe to run twice (a tick that finds the
    previous one still running does nothing)."""
    if not cache.add(REFRESH_LOCK, 1, timeout=REFRESH_LOCK_SECONDS):
        return 0
    try:
        return funnels_refresh()
    finally:
        cache.delete(REFRESH_LOCK)


@shared_task
def funnel_refresh_task(wave_id: int) -> int:
    """An operator's "Hitung ulang" for one wave; safe to run twice."""
    from waves.models import Wave

    return funnel_refresh(wave=Wave.objects.get(pk=wave_id)).pk
