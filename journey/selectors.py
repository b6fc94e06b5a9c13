"""Reads for the journey: one ``Progress`` per applicant, from each app's own selectors."""

from accounts.models import User
from assessment.selectors import assessment_progress
from journey.steps import Journey, Progress, journey_from
from verification.selectors import IdentitySummary, verification_progress
from waves.selectors import card_for, enrollment_pending_exists


def progress_for(user: User) -> Progress:
    return _progress_and_summary(user)[0]


def dashboard_for(user: User) -> tuple[Journey, IdentitySummary | None]:
    """The journey and what the dashboard shows of the applicant's own data, sharing one query."""
    progress, summary = _progress_and_summary(user)
    return journey_from(progress), summary


def _progress_and_summary(user: User) -> tuple[Progress, IdentitySummary | None]:
    if not user.email_verified:
        # Nothing else can be done before the email is verified: no need to ask the other apps.
        return Progress(email_verified=False), None
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
            facts["wave_pending"] = enrollment_pending_exists(user=user)
            facts["recipient"] = card_for(user=user) is not None
    return Progress(email_verified=True, **facts), verification.summary


def journey_for(user: User) -> Journey:
    return journey_from(progress_for(user))
