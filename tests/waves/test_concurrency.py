"""Concurrent joins on PostgreSQL: one pending enrollment per applicant holds under races."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from freezegun import freeze_time

from tests.conftest import require_service
from tests.waves.conftest import T0, ready_applicant, wave_create
from waves.errors import WaveError
from waves.models import AgreementText, Enrollment
from waves.services import enrollment_join

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("same_wave", [True, False])
def test_two_simultaneous_joins_by_one_applicant_leave_one_enrollment(same_wave):
    if connection.vendor != "postgresql":
        require_service("postgresql")
    first = wave_create(number=1)
    second = first if same_wave else wave_create(number=2)
    user = ready_applicant()
    agreement = AgreementText.objects.get(is_current=True)
    start = threading.Barrier(2, timeout=10)
    outcomes: list[object] = []

    def join(wave) -> None:
        try:
            start.wait()
            enrollment_join(user=user, wave=wave, agreement=agreement)
            outcomes.append("joined")
        except WaveError as error:
            outcomes.append(error.code)
        except Exception as error:  # reported by the assertion
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=join, args=(wave,)) for wave in (first, second)]
    # freezegun patches the clock process-wide, so both threads run during the wave; it is entered once here
    # because entering it from two threads at once is not safe.
    with freeze_time(T0 + timedelta(days=1)):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert outcomes.count("joined") == 1, outcomes
    assert all(o == "joined" or isinstance(o, str) for o in outcomes), outcomes
    assert Enrollment.objects.count() == 1
