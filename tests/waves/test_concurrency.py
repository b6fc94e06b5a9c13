"""Concurrent joins on PostgreSQL: one pending enrollment per applicant holds under races."""

from datetime import timedelta
from functools import partial

import pytest
from django.db import connection
from freezegun import freeze_time

from tests.clock import T0
from tests.factories import ApplicantFactory, WaveFactory
from tests.helpers import require_service
from tests.races import at_once
from waves.errors import WaveError
from waves.models import AgreementText, Enrollment
from waves.services import enrollment_join

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("same_wave", [True, False])
def test_two_simultaneous_joins_by_one_applicant_leave_one_enrollment(same_wave):
    if connection.vendor != "postgresql":
        require_service("postgresql")
    first = WaveFactory(number=1)
    second = first if same_wave else WaveFactory(number=2)
    user = ApplicantFactory(test_passed=True)
    agreement = AgreementText.objects.get(is_current=True)

    # freezegun patches the clock process-wide, so both threads run during the wave.
    outcomes = at_once(
        *(partial(enrollment_join, user=user, wave=wave, agreement=agreement) for wave in (first, second)),
        errors=(WaveError,),
        started=freeze_time(T0 + timedelta(days=1)),
    )

    assert outcomes.count("ok") == 1, outcomes
    assert all(isinstance(o, str) for o in outcomes), outcomes
    assert Enrollment.objects.count() == 1


def test_two_waves_selected_at_the_same_moment_each_get_their_partition():
    """On PostgreSQL each run attaches its results as a partition; two selections finishing together take turns
    at the attachment and both succeed, each with its own results."""
    if connection.vendor != "postgresql":
        require_service("postgresql")
    from tests.factories import WaveFactory, enrolled
    from waves.models import Result, RunStatus, SelectionRun
    from waves.selection import selection_run

    waves = [WaveFactory(closed=True, number=number, province_quotas={"32": 2}) for number in (1, 2)]
    for wave in waves:
        for _ in range(3):
            enrolled(wave)

    outcomes = at_once(*(partial(selection_run, wave=wave, acting_user=None, seed=7) for wave in waves), errors=())

    assert outcomes == ["ok", "ok"], outcomes
    assert set(SelectionRun.objects.values_list("status", flat=True)) == {RunStatus.SUCCEEDED}
    for wave in waves:
        assert Result.objects.filter(run__wave=wave).count() == 3
        assert Result.objects.filter(run__wave=wave, selected=True).count() == 2
