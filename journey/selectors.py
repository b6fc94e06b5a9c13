"""Reads for the journey: one ``Progress`` per applicant, from each app's own selectors."""

from accounts.models import User
from journey.steps import Journey, Progress, journey_from


def progress_for(user: User) -> Progress:
    return Progress(email_verified=user.email_verified)


def journey_for(user: User) -> Journey:
    return journey_from(progress_for(user))
