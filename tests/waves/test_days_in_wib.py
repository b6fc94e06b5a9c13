"""Days in WIB (DESIGN §8) for waves: ages are counted on the Asia/Jakarta date of the wave's close, and dates
are shown on their Jakarta day, also for times between 00:00 and 06:59 WIB, whose instant falls on the previous
day in UTC: the date the database hands back."""

from datetime import date, datetime, timedelta

import pytest
from freezegun import freeze_time

from assessment.models import Attempt
from assessment.selectors import retake_possible
from tests.clock import WIB
from tests.factories import ApplicantFactory, EnrollmentFactory, WaveFactory, enrolled
from waves.errors import WaveError, WaveErrorCode
from waves.models import AgreementText, Card, Result, Wave
from waves.selection import selection_run
from waves.selectors import wave_last_opened_at
from waves.services import enrollment_join

pytestmark = pytest.mark.django_db

# 2026-11-24 17:30 UTC: the UTC date is a day before the WIB one.
CLOSES = datetime(2026, 11, 25, 0, 30, tzinfo=WIB)
OPENS = CLOSES - timedelta(days=7)
EIGHTEEN_ON_CLOSING_DAY = date(2008, 11, 25)
SEVENTEEN_ON_CLOSING_DAY = date(2008, 11, 26)
# The rules count Jakarta's day whatever zone the site displays in (prakerja/timeutil.py).
DISPLAY_ZONES = pytest.mark.parametrize("display_zone", ["Asia/Jakarta", "UTC"])


def early_morning_wave(**fields) -> Wave:
    """The wave as every service sees it: read back from the database, its times in UTC."""
    wave = WaveFactory(opens_at=OPENS, days_open=7, **fields)
    assert wave.closes_at == CLOSES and wave.closes_at.date() == date(2026, 11, 24)  # the trap: the UTC date
    return wave


def join(birth_date: date, wave: Wave):
    with freeze_time(OPENS + timedelta(days=1)):
        return enrollment_join(
            user=ApplicantFactory(test_passed=True, resident__birth_date=birth_date),
            wave=wave,
            agreement=AgreementText.objects.get(is_current=True),
        )


@DISPLAY_ZONES
def test_eighteen_on_the_wib_closing_day_may_join_a_wave_closing_after_midnight_wib(settings, display_zone):
    settings.TIME_ZONE = display_zone
    wave = early_morning_wave()

    enrollment = join(EIGHTEEN_ON_CLOSING_DAY, wave)

    assert enrollment.wave == wave


def test_seventeen_on_the_wib_closing_day_is_refused_for_age():
    wave = early_morning_wave()

    with pytest.raises(WaveError) as raised:
        join(SEVENTEEN_ON_CLOSING_DAY, wave)

    assert raised.value.code == WaveErrorCode.NOT_ELIGIBLE
    assert raised.value.params["rules"] == ("age",)


@DISPLAY_ZONES
def test_the_selection_counts_age_on_the_wib_closing_day(settings, display_zone):
    settings.TIME_ZONE = display_zone
    wave = early_morning_wave(province_quotas={"32": 10}, pool_unused_quota=False)
    eighteen = enrolled(wave, birth_date=EIGHTEEN_ON_CLOSING_DAY)
    seventeen = enrolled(wave, birth_date=SEVENTEEN_ON_CLOSING_DAY)

    with freeze_time(CLOSES + timedelta(hours=1)):
        run = selection_run(wave=Wave.objects.get(pk=wave.pk), acting_user=None, seed=1)

    reasons = dict(Result.objects.filter(run=run).values_list("enrollment_id", "reason"))
    assert reasons == {eighteen.pk: None, seventeen.pk: "age"}


def test_a_failed_test_may_be_retaken_once_a_wave_opens_later_that_same_wib_day():
    # The retake window is counted in moments, not days: failed at 05:00 WIB (22:00 UTC the day before), a
    # wave that opened at 04:00 WIB does not reopen the test, one opening at 06:00 WIB the same day does.
    failed_at = datetime(2026, 12, 1, 5, 0, tzinfo=WIB)
    user = ApplicantFactory(test_failed=True)
    Attempt.objects.filter(user=user).update(
        started_at=failed_at - timedelta(minutes=10), deadline=failed_at + timedelta(minutes=15), submitted_at=failed_at
    )
    WaveFactory(number=1, opens_at=failed_at - timedelta(hours=1))
    with freeze_time(failed_at + timedelta(minutes=30)):
        before = retake_possible(user=user, latest_wave_opened_at=wave_last_opened_at())

    WaveFactory(number=2, opens_at=failed_at + timedelta(hours=1))
    with freeze_time(failed_at + timedelta(hours=1, minutes=30)):
        after = retake_possible(user=user, latest_wave_opened_at=wave_last_opened_at())

    assert (before, after) == (False, True)


# --- Dates shown to applicants ------------------------------------------------------------------------------


def test_the_wave_list_shows_a_close_after_midnight_on_its_wib_day(client):
    early_morning_wave()
    client.force_login(ApplicantFactory(test_passed=True))

    with freeze_time(OPENS + timedelta(days=1)):
        html = client.get("/dashboard/gelombang/").content.decode()

    assert "25 November 2026, 00.30 WIB" in html


def test_the_first_training_deadline_is_the_end_of_the_thirtieth_wib_day_after_the_announcement(client):
    # Announced 2 December 2026 00:30 WIB, which is 1 December 17:30 UTC.
    wave = WaveFactory(opens_at=datetime(2026, 11, 22, 0, 30, tzinfo=WIB), days_open=7, province_quotas={"32": 1})
    assert wave.announce_at == datetime(2026, 12, 2, 0, 30, tzinfo=WIB)
    winner = ApplicantFactory(test_passed=True)
    EnrollmentFactory(wave=wave, user=winner)
    with freeze_time(wave.closes_at + timedelta(hours=1)):
        selection_run(wave=wave, acting_user=None, seed=1)

    card = Card.objects.get(user=winner)
    assert card.first_training_deadline == datetime(2027, 1, 1, 23, 59, 59, 999999, tzinfo=WIB)
    with freeze_time(wave.announce_at):
        client.force_login(winner)
        html = client.get("/dashboard/").content.decode()
    assert "Batas membeli pelatihan pertama" in html and "1 Januari 2027, 23.59 WIB" in html
