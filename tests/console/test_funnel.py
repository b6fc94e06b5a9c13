"""The funnel a wave's console shows: each step counted exactly, per province, from a snapshot kept by beat."""

from datetime import timedelta

import pytest
from django.utils import timezone

from console.funnel import STEP_NAMES
from console.models import FunnelCount, FunnelSnapshot
from console.selectors import console_wave
from console.services import funnel_refresh, funnels_due, funnels_refresh
from tests.factories import ApplicantFactory, UserFactory, WaveFactory, staff_user
from waves.selection import selection_run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

JABAR, DKI = "32", "31"


@pytest.fixture
def population():
    """A known population: how many applicants stopped at each step, in Jawa Barat unless said, and a wave open
    now (Jawa Barat 100 places, DKI Jakarta 50) that three of them joined, one from DKI Jakarta."""
    wave = WaveFactory()
    ApplicantFactory.create_batch(2, new_account=True)
    ApplicantFactory.create_batch(3)  # email verified
    ApplicantFactory(identity_verified=True)
    ApplicantFactory(personal_data_done=True)
    ApplicantFactory(personal_data_done=True, domicile="31.71.01")
    ApplicantFactory(ktp_photo_done=True)
    ApplicantFactory.create_batch(2, phone_verified=True)
    ApplicantFactory(declared=True)
    ApplicantFactory(test_failed=True)
    ApplicantFactory(test_passed=True)
    ApplicantFactory.create_batch(2, joined=True, wave=wave)
    ApplicantFactory(joined=True, wave=wave, domicile="31.71.01")
    staff_user(None)  # staff are nobody's funnel
    return wave


def counts(snapshot, province):
    row = FunnelCount.objects.get(snapshot=snapshot, province_id=province)
    return [getattr(row, step) for step in STEP_NAMES]


def test_each_step_counts_every_applicant_who_reached_it(population):
    snapshot = funnel_refresh(wave=population)

    total = console_wave(wave=population, now=timezone.now()).funnel.total
    #                                     acc em  ktp dd foto hp  decl test join sel
    assert [s.count for s in total.steps] == [17, 15, 12, 11, 9, 8, 6, 4, 3, 0]
    assert counts(snapshot, JABAR) == [9, 9, 9, 9, 8, 7, 5, 3, 2, 0]
    assert counts(snapshot, DKI) == [2, 2, 2, 2, 1, 1, 1, 1, 1, 0]
    assert counts(snapshot, None) == [6, 4, 1, 0, 0, 0, 0, 0, 0, 0]
    assert snapshot.as_of == timezone.now()


def test_the_drop_off_is_counted_from_the_step_before(population):
    funnel_refresh(wave=population)

    steps = console_wave(wave=population, now=timezone.now()).funnel.total.steps

    assert steps[0].drop is None
    assert steps[1].drop == pytest.approx(100 * 2 / 17)
    assert steps[-1].drop == 100.0
    assert steps[3].share == pytest.approx(100 * 11 / 17)


def test_a_closed_wave_counts_up_to_its_close_and_selected_from_its_standing_run(population, frozen):
    frozen.move_to(population.closes_at + timedelta(hours=1))
    ApplicantFactory(test_passed=True)  # after the close: not in this wave's funnel
    run = selection_run(wave=population, acting_user=None, seed=1)

    snapshot = funnel_refresh(wave=population)

    assert snapshot.as_of == population.closes_at
    assert snapshot.run_id == run.pk
    assert counts(snapshot, JABAR)[-2:] == [2, 2]
    assert counts(snapshot, DKI)[-2:] == [1, 1]
    assert sum(row.accounts for row in snapshot.counts.all()) == 17


def test_beat_refreshes_only_the_funnels_that_can_have_changed(population, frozen):
    closed = WaveFactory(closed=True)
    draft = WaveFactory(draft=True)

    assert funnels_refresh() == 2  # the open wave and the closed one; the draft is not published
    assert not FunnelSnapshot.objects.filter(wave=draft).exists()
    assert funnels_due(now=timezone.now()) == []

    frozen.tick(timedelta(minutes=1))
    assert funnels_due(now=timezone.now()) == [population]  # open: its cut-off moved; the closed one's did not

    selection_run(wave=closed, acting_user=None, seed=1)
    assert set(funnels_due(now=timezone.now())) == {population, closed}  # a new standing run


def test_a_refresh_replaces_the_rows(population):
    funnel_refresh(wave=population)
    UserFactory()

    snapshot = funnel_refresh(wave=population)

    assert FunnelCount.objects.filter(snapshot=snapshot, province__isnull=True).count() == 1
    assert counts(snapshot, None)[0] == 7


def test_a_beat_tick_finding_the_previous_one_still_running_does_nothing(population):
    from django.core.cache import cache

    from console.tasks import REFRESH_LOCK, funnels_refresh_task

    cache.add(REFRESH_LOCK, 1)
    assert funnels_refresh_task() == 0
    cache.delete(REFRESH_LOCK)
    assert funnels_refresh_task() == 1
    assert funnels_refresh_task() == 0  # nothing due any more


def test_beat_refreshes_the_funnels_every_minute(settings):
    from console.tasks import funnels_refresh_task

    entry = settings.CELERY_BEAT_SCHEDULE["console-funnels-refresh"]
    assert entry["task"] == funnels_refresh_task.name
    assert entry["schedule"] == timedelta(minutes=1)
