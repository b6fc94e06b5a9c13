"""Reads for the journey: one ``Progress`` per applicant, from each app's own selectors."""

from accounts.models import User
from journey.steps import Journey, Progress, journey_from
from verification.selectors import verification_progress


def progress_for(user: User) -> Progress:
    if not user.email_verified:
        # Nothing else can be done before the email is verified: no need to ask the other apps.
        return Progress(email_verified=False)
    verification = verification_progress(user=user)
    return Progress(
        email_verified=True,
        identity_verified=verification.identity,
        personal_data_done=verification.personal_data,
        ktp_photo_done=verification.ktp_photo,
    )


def journey_for(user: User) -> Journey:
    return journey_from(progress_for(user))
