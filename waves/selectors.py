"""Reads of the waves app for pages and the journey."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import User
from waves.errors import WaveErrorCode
from waves.models import (
    OPEN_COMPLAINT_STATUSES,
    AgreementText,
    Card,
    Complaint,
    ComplaintStatus,
    Enrollment,
    Result,
    RunStatus,
    SelectionRun,
    StatementText,
    Wave,
    WaveStatus,
)
from waves.progress import Progress, progress_read
from waves.reasons import FAILED_SELECTION


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


def _announced(now: datetime, prefix: str = "") -> Q:
    """The wave's results are out at ``now`` (derived from its times, like ``Wave.status_at``)."""
    return Q(**{f"{prefix}status": WaveStatus.ANNOUNCED}) | Q(
        **{f"{prefix}status": WaveStatus.SELECTED, f"{prefix}announce_at__lte": now}
    )


def card_for(*, user: User, now: datetime | None = None) -> Card | None:
    """The applicant's card, once its wave's results are announced (hidden before, even if issued)."""
    now = now or timezone.now()
    return (
        Card.objects.filter(
            user=user,
            revoked_at__isnull=True,
            wave__announce_at__lte=now,
            wave__status__in=[WaveStatus.SELECTED, WaveStatus.ANNOUNCED],
        )
        .select_related("wave")
        .first()
    )


def card_issued_to(*, user: User) -> bool:
    """Whether ``user`` was ever issued a card, announced or not, revoked or not (a voided run's are gone)."""
    return Card.objects.filter(user=user).exists()


@dataclass(frozen=True)
class HistoryEntry:
    enrollment: Enrollment
    announced: bool
    selected: bool | None
    reason: str | None


def wave_history(*, user: User, now: datetime | None = None) -> list[HistoryEntry]:
    """ "Riwayat Gelombang": every wave joined, with its result once announced (one query, however many)."""
    now = now or timezone.now()
    # A standing run's result of each enrollment (at most one: a run is voided before another is made).
    result = Result.objects.filter(enrollment=OuterRef("pk"), run__status=RunStatus.SUCCEEDED)
    enrollments = (
        Enrollment.objects.filter(user=user)
        .select_related("wave")
        .annotate(
            result_selected=Subquery(result.values("selected")[:1]),
            result_reason=Subquery(result.values("reason")[:1]),
        )
        .order_by("-joined_at")
    )
    entries = []
    for enrollment in enrollments:
        announced = enrollment.wave.status_at(now) == WaveStatus.ANNOUNCED
        entries.append(
            HistoryEntry(
                enrollment=enrollment,
                announced=announced,
                selected=enrollment.result_selected if announced else None,
                reason=enrollment.result_reason if announced else None,
            )
        )
    return entries


def wave_last_opened_at(*, now: datetime | None = None) -> datetime | None:
    """When the most recent published wave opened (by now), or None before the first. A failed test may be
    taken again once a wave has opened since (DESIGN §2 step 7); the journey hands this instant to
    assessment.services.attempt_start, which applies that rule."""
    now = now or timezone.now()
    return Wave.objects.filter(published_at__isnull=False, opens_at__lte=now).aggregate(last=Max("opens_at"))["last"]


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


# --- "Gagal 3 kali" (DESIGN §5) ---------------------------------------------------------------------------

FAILED_SELECTIONS_TO_COMPLAIN = 3


def failed_selections(*, user: User, now: datetime | None = None) -> list[Result]:
    """The applicant's failed selections, newest first: announced results of standing runs in which they were
    a candidate and were not selected (waves.reasons.FAILED_SELECTION). One query."""
    now = now or timezone.now()
    return list(
        Result.objects.filter(
            _announced(now, "run__wave__"),
            enrollment__user=user,
            run__status=RunStatus.SUCCEEDED,
            selected=False,
            reason__in=FAILED_SELECTION,
        )
        .select_related("run__wave")
        .order_by("-run__wave__announce_at", "-run__wave__number")
    )


@dataclass(frozen=True)
class ComplaintState:
    """Where an applicant stands with "gagal 3 kali": what the dashboard and the complaint page show."""

    failed: list[Result]  # failed selections, newest first
    latest: Complaint | None  # the latest complaint, whatever its status
    recipient: bool
    fresh_failures: int  # failed selections no earlier complaint cited

    @property
    def open(self) -> Complaint | None:
        """The pending or approved complaint (at most one), which stops another from being filed."""
        return self.latest if self.latest and self.latest.status in OPEN_COMPLAINT_STATUSES else None

    @property
    def refusal(self) -> WaveErrorCode | None:
        """Why the applicant may not file now, or None: three failed selections, none open, and after a
        rejection a further failed selection."""
        if self.recipient:
            return WaveErrorCode.COMPLAINT_RECIPIENT
        if self.open is not None:
            return WaveErrorCode.COMPLAINT_OPEN
        if self.failures_needed:
            return WaveErrorCode.COMPLAINT_TOO_EARLY
        if self.latest is not None and not self.fresh_failures:
            return WaveErrorCode.COMPLAINT_NEEDS_NEW_FAILURE
        return None

    @property
    def may_file(self) -> bool:
        return self.refusal is None

    @property
    def waves_to_cite(self) -> list[Wave]:
        """The waves the letter names: the latest three failed ones."""
        return [result.run.wave for result in self.failed[:FAILED_SELECTIONS_TO_COMPLAIN]]

    @property
    def failures_needed(self) -> int:
        return max(FAILED_SELECTIONS_TO_COMPLAIN - len(self.failed), 0)


def complaint_state(*, user: User, now: datetime | None = None, recipient: bool | None = None) -> ComplaintState:
    """Two to four queries: failed selections, the latest complaint, after a rejection the waves cited before,
    and (unless the caller knows, as the dashboard does) whether the applicant holds an announced card."""
    now = now or timezone.now()
    failed = failed_selections(user=user, now=now)
    latest = Complaint.objects.filter(user=user).order_by("-submitted_at", "-id").first()
    fresh = len(failed)
    if latest is not None and latest.status == ComplaintStatus.REJECTED:
        cited = set(Complaint.waves.through.objects.filter(complaint__user=user).values_list("wave_id", flat=True))
        fresh = sum(1 for result in failed if result.run.wave_id not in cited)
    if recipient is None:
        # Only an announced card counts, so nothing here tells an applicant their result before the announcement.
        recipient = bool(failed) and card_for(user=user, now=now) is not None
    return ComplaintState(failed=failed, latest=latest, recipient=recipient, fresh_failures=fresh)


def statement_text_current() -> StatementText | None:
    return StatementText.objects.filter(is_current=True).first()


def complaint_for_viewer(*, pk: int, viewer: User) -> Complaint | None:
    """The complaint ``pk`` if ``viewer`` may see it and its letter: its owner, or a reviewer. Anyone else gets
    None, exactly as for a complaint that does not exist, so guessing ids reveals nothing."""
    complaint = Complaint.objects.filter(pk=pk).first()
    if complaint is None:
        return None
    if complaint.user_id == viewer.pk or viewer.has_perm("waves.view_complaint"):
        return complaint
    return None


# --- "Data saya" ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WavesRecord:
    """What the waves app holds about an applicant, as far as they may know it now: every wave joined with its
    result once announced, the cards of announced waves (revoked ones too), and their complaints."""

    history: list[HistoryEntry]
    cards: list[Card]
    complaints: list[Complaint]


def waves_record_for(*, user: User, now: datetime | None = None) -> WavesRecord:
    now = now or timezone.now()
    cards = Card.objects.filter(
        user=user, wave__announce_at__lte=now, wave__status__in=[WaveStatus.SELECTED, WaveStatus.ANNOUNCED]
    )
    complaints = Complaint.objects.filter(user=user).prefetch_related("waves").order_by("-submitted_at", "-pk")
    return WavesRecord(
        history=wave_history(user=user, now=now),
        cards=list(cards.select_related("wave").order_by("-issued_at")),
        complaints=list(complaints),
    )
