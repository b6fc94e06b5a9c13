import pytest

from tests.clock import T0
from tests.factories import DeclarationFactory


@pytest.fixture
def declared_applicant(applicant):
    """An applicant whose declaration makes them eligible (step 6 done)."""
    DeclarationFactory(user=applicant)
    return applicant


@pytest.fixture
def started_attempt(declared_applicant, question_bank):
    """A test started at T0 (deadline T0 + 25 minutes)."""
    from assessment.services import attempt_start

    return attempt_start(user=declared_applicant, now=T0)
