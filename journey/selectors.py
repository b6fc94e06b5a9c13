"""Reads for the journey: one ``Progress`` per applicant, from each app's own selectors."""

from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from assessment.selectors import assessment_progress
from journey.steps import Journey, Progress, journey_from
from verification.selectors import IdentitySummary, verification_progress
from waves.models import Card
from waves.selectors import EnrollmentStatus, HistoryEntry, card_for, wave_history


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows, read once: the journey, the applicant's own data, and the waiting enrollment or
    the card that the progress was worked out from (so the page does not look them up a second time)."""

    journey: Journey
    summary: IdentitySummary | None
    waiting: EnrollmentStatus | None = None
    card: Card | None = None
    history: list[HistoryEntry] | None = None  # the waves joined, once the test is passed


def progress_for(user: User) -> Progress:
    return _progress_and_summary(user)[0]


def dashboard_for(user: User) -> Dashboard:
    progress, summary, found = _progress_and_summary(user)
    return Dashboard(journey=journey_from(progress), summary=summary, **found)


def _progress_and_summary(user: User) -> tuple[Progress, IdentitySummary | None, dict]:
    found: dict = {}
    if not user.email_verified:
        # Nothing else can be done before the email is verified: no need to ask the other apps.
        return Progress(email_verified=False), None, found
    verification = verification_progress(user=user)
    facts = {
        "identity_verified": verification.identity,
        "personal_data_done": verification.personal_data,
        "ktp_photo_done": verification.ktp_photo,
        "phone_verified": verification.phone,
    }
    if verification.phone:
        assessment = assessment_progress(user=user)
        facts |= {
            "declaration_eligible": assessment.declaration_done and not assessment.exclusion_reasons,
            "declaration_exclusions": assessment.exclusion_reasons,
            "test_passed": assessment.test_passed,
            "test_failed": assessment.test_failed,
        }
        if assessment.test_passed:
            # The waves joined tell whether one is waiting for its result, and whether a card can exist (only
            # with a selected, announced result): one query, and the card's only for a selected applicant.
            now = timezone.now()
            history = found["history"] = wave_history(user=user, now=now)
            waiting = next((e.enrollment for e in history if e.enrollment.pending and not e.announced), None)
            if waiting is not None:
                found["waiting"] = EnrollmentStatus(enrollment=waiting, wave_status=waiting.wave.status_at(now))
            elif any(entry.selected for entry in history):
                found["card"] = card_for(user=user, now=now)
            facts["wave_pending"] = waiting is not None
            facts["recipient"] = found.get("card") is not None
    return Progress(email_verified=True, **facts), verification.summary, found


def journey_for(user: User) -> Journey:
    return journey_from(progress_for(user))
