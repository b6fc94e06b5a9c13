"""Keeping the funnel snapshots fresh: beat refreshes every wave whose funnel can have changed, each minute, and
an operator may ask for one wave at once (console/tasks.py)."""

import time
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from console.funnel import Funnel, account_funnels
from console.models import FunnelCount, FunnelSnapshot
from waves.models import Wave
from waves.selectors import enrollments_per_province, selection_run_standing, selection_runs_standing


def funnel_cutoff(*, wave: Wave, now: datetime) -> datetime:
    """The instant a wave's funnel counts up to: its close, or ``now`` while it is still open (or not yet)."""
    return min(now, wave.closes_at)


def funnel_refresh(*, wave: Wave, now: datetime | None = None, accounts: dict | None = None) -> FunnelSnapshot:
    """Count ``wave``'s funnel now and replace its snapshot (a handful of set-based queries, whatever the number
    of applicants or provinces). ``accounts``: the account steps already counted for the same cut-off (beat
    refreshes every open wave with one count)."""
    now = now or timezone.now()
    started = time.perf_counter()
    cutoff = funnel_cutoff(wave=wave, now=now)
    if accounts is None:
        accounts = account_funnels(cutoff=cutoff)
    funnels = {province: Funnel(province, dict(funnel.counts)) for province, funnel in accounts.items()}
    for province, n in enrollments_per_province(wave=wave).items():
        funnels.setdefault(province, Funnel(province)).counts["joined"] = n
    run = selection_run_standing(wave=wave)
    if run is not None:
        for province, entry in run.counts.get("provinces", {}).items():
            funnels.setdefault(province, Funnel(province)).counts["selected"] = entry.get("selected", 0)
    with transaction.atomic():
        snapshot, _created = FunnelSnapshot.objects.select_for_update().update_or_create(
            wave=wave,
            defaults={
                "as_of": cutoff,
                "computed_at": now,
                "seconds": time.perf_counter() - started,
                "run_id": run.pk if run else None,
            },
        )
        snapshot.counts.all().delete()
        FunnelCount.objects.bulk_create(
            FunnelCount(snapshot=snapshot, province_id=funnel.province_id, **funnel.counts)
            for funnel in funnels.values()
        )
    return snapshot


def funnels_due(*, now: datetime) -> list[Wave]:
    """The published waves whose funnel may have changed since it was counted: never counted, counted before
    the cut-off moved (an open wave; a wave closed since), or under another standing run. Two queries."""
    waves = list(Wave.objects.filter(published_at__isnull=False).order_by("number"))
    snapshots = {s.wave_id: s for s in FunnelSnapshot.objects.filter(wave__in=waves)}
    standing = selection_runs_standing(waves=waves)
    due = []
    for wave in waves:
        snapshot = snapshots.get(wave.pk)
        if (
            snapshot is None
            or snapshot.as_of < funnel_cutoff(wave=wave, now=now)
            or snapshot.run_id != standing.get(wave.pk)
        ):
            due.append(wave)
    return due


def funnels_refresh(*, now: datetime | None = None) -> int:
    """Refresh every funnel that is due (beat, each minute); the account steps are counted once per cut-off, so
    the waves open now share one count. Returns how many waves were refreshed."""
    now = now or timezone.now()
    counted: dict[datetime, dict] = {}
    due = funnels_due(now=now)
    for wave in due:
        cutoff = funnel_cutoff(wave=wave, now=now)
        if cutoff not in counted:
            counted[cutoff] = account_funnels(cutoff=cutoff)
        funnel_refresh(wave=wave, now=now, accounts=counted[cutoff])
    return len(due)
