"""Reads of the waves app for pages and the journey."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from waves.models import AgreementText, Card, Enrollment, Result, RunStatus, SelectionRun, Wave, WaveStatus
from waves.progress import Progress, progress_read


def agreement_current() -> AgreementText | None:
    return AgreementText.objects.filter(is_current=True).first()


def waves_open_for(*, province_id: str | None, now: datetime | None = None) -> list[Wave]:
    """Waves open at ``now`` with a quota for the province (status derived from the times, not a job)."""
    if province_id is None:
        return []
    now = now or timezone.now()
    candidates = Wave.objects.filter(
        Q(status=WaveStatus.OPEN) | Q(status=WaveStatus.DRAFT, published_at__isnull=False),
        opens_at__lte=now,
        closes_at__gt=now,
        province_quotas__province_id=province_id,
        province_quotas__quota__gt=0,
    ).order_by("number")
    return [wave for wave in candidates if wave.status_at(now) == WaveStatus.OPEN]


@dataclass(frozen=True)
class EnrollmentStatus:
    enrollment: Enrollment
    wave_status: str


def enrollment_pending(*, user: User, now: datetime | None = None) -> EnrollmentStatus | None:
    """The applicant's pending enrollment and its wave's status now, for the dashboard."""
    now = now or timezone.now()
    enrollment = Enrollment.objects.filter(user=user, pending=True).select_related("wave").first()
    if enrollment is None:
        return None
    return EnrollmentStatus(enrollment=enrollment, wave_status=enrollment.wave.status_at(now))


def _pending(user: User, now: datetime):
    # Pending until the announcement: read from the wave's times, so a late job never shows a stale state.
    return (
        Enrollment.objects.filter(user=user, pending=True)
        .exclude(wave__status=WaveStatus.ANNOUNCED)
        .exclude(wave__status=WaveStatus.SELECTED, wave__announce_at__lte=now)
    )


def enrollment_pending_exists(*, user: User, now: datetime | None = None) -> bool:
    return _pending(user, now or timezone.now()).exists()


def card_for(*, user: User, now: datetime | None = None) -> Card | None:
    """The applicant's card, once its wave's results are announced (hidden before, even if issued)."""
    now = now or timezone.now()
    return (
        Card.objects.filter(user=user, revoked_at__isnull=True, wave__announce_at__lte=now,
                            wave__status__in=[WaveStatus.SELECTED, WaveStatus.ANNOUNCED])
        .select_related("wave")
        .first()
    )


@dataclass(frozen=True)
class HistoryEntry:
    enrollment: Enrollment
    announced: bool
    selected: bool | None
    reason: str | None


def wave_history(*, user: User, now: datetime | None = None) -> list[HistoryEntry]:
    """"Riwayat Gelombang": every wave joined, with its result once announced (two queries)."""
    now = now or timezone.now()
    enrollments = list(Enrollment.objects.filter(user=user).select_related("wave").order_by("-joined_at"))
    results = {
        r.enrollment_id: r
        for r in Result.objects.filter(enrollment__in=enrollments, run__status=RunStatus.SUCCEEDED)
    }
    entries = []
    for enrollment in enrollments:
        announced = enrollment.wave.status_at(now) == WaveStatus.ANNOUNCED
        result = results.get(enrollment.pk) if announced else None
        entries.append(HistoryEntry(enrollment=enrollment, announced=announced,
                                    selected=result.selected if result else None,
                                    reason=result.reason if result else None))
    return entries


def wave_opened_after(moment: datetime, *, now: datetime | None = None) -> bool:
    """Has a wave opened after ``moment`` (and by now)? A failed test may be retaken then (DESIGN §2 step 7)."""
    now = now or timezone.now()
    return Wave.objects.filter(published_at__isnull=False, opens_at__gt=moment, opens_at__lte=now).exists()


def enrollment_exists(*, user: User) -> bool:
    return Enrollment.objects.filter(user=user).exists()


def selection_progress(*, run: SelectionRun) -> Progress | None:
    """A running run's progress by phase, published outside its transaction (waves/progress.py); None once it
    has ended (its row then holds the phases) or before it has reported."""
    if run.status != RunStatus.RUNNING:
        return None
    return progress_read(run_id=run.pk)


def selection_run_in_flight(*, wave: Wave) -> SelectionRun | None:
    return SelectionRun.objects.filter(wave=wave, status=RunStatus.RUNNING).order_by("-pk").first()
