"""Reads of the waves app for pages and the journey."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from waves.models import AgreementText, Enrollment, Wave, WaveStatus


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


def enrollment_pending_exists(*, user: User) -> bool:
    return Enrollment.objects.filter(user=user, pending=True).exists()
