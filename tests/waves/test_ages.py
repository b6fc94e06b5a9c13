"""The age rule with the birth date encrypted (issue #15): counted in Python when an applicant joins, kept on the
enrollment as "18 by the close", and counted again by the selection for the close the wave really had."""

from datetime import timedelta

import pytest
from freezegun import freeze_time

from prakerja.timeutil import wib_date
from tests.clock import T0
from tests.factories import ApplicantFactory, EnrollmentFactory, UserFactory, WaveFactory
from waves.models import AgreementText, Enrollment, Result
from waves.rules import adult_at_close
from waves.selection import selection_run
from waves.services import enrollment_ages_count, enrollment_join, wave_close_now

pytestmark = pytest.mark.django_db


def _years_before(day, years):
    return day.replace(year=day.year - years)


def test_a_join_keeps_whether_the_applicant_is_18_by_the_close_and_for_which_close():
    wave = WaveFactory()
    user = ApplicantFactory(test_passed=True)

    with freeze_time(T0 + timedelta(days=1)):
        enrollment = enrollment_join(user=user, wave=wave, agreement=AgreementText.objects.get(is_current=True))

    assert (enrollment.adult_at_close, enrollment.adult_counted_for) == (True, wave.closes_at)


def test_the_age_counts_to_the_day_in_wib():
    closes_at = T0 + timedelta(days=7)  # 8 December 2026, 09:00 WIB
    closing_day = wib_date(closes_at)

    assert adult_at_close(_years_before(closing_day, 18), closes_at)
    assert not adult_at_close(_years_before(closing_day, 18) + timedelta(days=1), closes_at)
    assert not adult_at_close(None, closes_at)


def test_closing_early_makes_the_selection_count_the_ages_again():
    # given: someone who turns 18 on the last day of the wave joins, as the close they joined for allows
    wave = WaveFactory(province_quotas={"32": 5})
    closing_day = wib_date(wave.closes_at)
    turning = ApplicantFactory(test_passed=True, resident__birth_date=_years_before(closing_day, 18))
    adult = ApplicantFactory(test_passed=True)
    agreement = AgreementText.objects.get(is_current=True)
    with freeze_time(T0 + timedelta(days=1)):
        for user in (turning, adult):
            enrollment_join(user=user, wave=wave, agreement=agreement)

    # when: an operator closes the wave two days early, and it is selected
    wave_close_now(wave=wave, acting_user=UserFactory(is_staff=True), now=T0 + timedelta(days=5))
    wave.refresh_from_db()
    run = selection_run(wave=wave, acting_user=None, seed=1, now=T0 + timedelta(days=5, hours=1))

    # then: 17 on the day it really closed
    reasons = dict(Result.objects.filter(run=run).values_list("user_id", "reason"))
    assert reasons == {turning.pk: "age", adult.pk: None}
    assert set(Enrollment.objects.values_list("adult_counted_for", flat=True)) == {wave.closes_at}


def test_an_enrollment_written_without_its_age_is_counted_by_the_selection():
    wave = WaveFactory(closed=True)
    closing_day = wib_date(wave.closes_at)
    minor = EnrollmentFactory(
        wave=wave,
        user=ApplicantFactory(test_passed=True, resident__birth_date=_years_before(closing_day, 17)),
        adult_at_close=None,
        adult_counted_for=None,
    )
    adult = EnrollmentFactory(wave=wave, adult_at_close=None, adult_counted_for=None)

    assert enrollment_ages_count(wave=wave) == 2
    assert enrollment_ages_count(wave=wave) == 0  # counted: nothing left to do
    ages = dict(Enrollment.objects.values_list("pk", "adult_at_close"))
    assert ages == {minor.pk: False, adult.pk: True}
