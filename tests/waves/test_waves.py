"""Waves: status held by time when read, the state machine, its audit trail, and the operator's forcing."""

from datetime import timedelta

import pytest
from django.db.models import F
from freezegun import freeze_time

from tests.clock import T0
from tests.factories import UserFactory, WaveFactory
from waves.errors import WaveError, WaveErrorCode
from waves.models import Wave, WaveEvent, WaveStatus
from waves.services import wave_close_now, wave_open_now, wave_publish, wave_transition, waves_record_schedule

pytestmark = pytest.mark.django_db


def test_a_published_wave_is_open_and_closed_by_its_times_before_any_job_runs(wave):
    assert wave.status == WaveStatus.DRAFT
    assert wave.status_at(T0 - timedelta(seconds=1)) == WaveStatus.DRAFT
    assert wave.status_at(T0) == WaveStatus.OPEN
    assert wave.status_at(wave.closes_at) == WaveStatus.CLOSED


def test_an_unpublished_draft_never_opens_by_itself():
    draft = WaveFactory(draft=True)

    assert draft.status_at(T0 + timedelta(days=2)) == WaveStatus.DRAFT


def test_the_schedule_records_each_move_once_at_its_time_and_a_rerun_changes_nothing(wave):
    assert waves_record_schedule(now=wave.closes_at + timedelta(hours=1)) == 1
    assert waves_record_schedule(now=wave.closes_at + timedelta(hours=2)) == 0

    events = list(WaveEvent.objects.values_list("from_status", "to_status", "actor", "at"))
    assert events == [("draft", "open", None, wave.opens_at), ("open", "closed", None, wave.closes_at)]
    assert Wave.objects.get().status == WaveStatus.CLOSED


def test_moves_the_state_machine_does_not_allow_are_refused(wave):
    operator = UserFactory(is_staff=True)

    with pytest.raises(WaveError) as raised:
        wave_transition(wave=wave, to=WaveStatus.ANNOUNCED, acting_user=operator, now=T0)

    assert raised.value.code == WaveErrorCode.TRANSITION_NOT_ALLOWED
    assert Wave.objects.get().status == WaveStatus.DRAFT


def test_publishing_needs_province_quotas_that_add_up_to_the_national_quota():
    draft = WaveFactory(draft=True)
    Wave.objects.filter(pk=draft.pk).update(quota=151)
    draft.refresh_from_db()

    with pytest.raises(WaveError) as raised:
        wave_publish(wave=draft, acting_user=UserFactory(is_staff=True), now=T0)

    assert raised.value.code == WaveErrorCode.QUOTAS_DO_NOT_ADD_UP
    assert "belum sama dengan kuota nasional" in raised.value.params["why"]  # what the admin shows
    assert (raised.value.params["total"], raised.value.params["quota"]) == (150, 151)


def test_an_operator_opens_and_closes_early_and_is_recorded(db):
    operator = UserFactory(is_staff=True)
    draft = WaveFactory(draft=True)
    early = T0 - timedelta(days=2)

    wave_open_now(wave=draft, acting_user=operator, now=early)
    wave_close_now(wave=draft, acting_user=operator, now=early + timedelta(hours=1))

    draft.refresh_from_db()
    assert (draft.opens_at, draft.closes_at, draft.status) == (early, early + timedelta(hours=1), WaveStatus.CLOSED)
    moves = list(WaveEvent.objects.exclude(from_status=F("to_status")).values_list("to_status", "actor"))
    assert moves == [("open", operator.pk), ("closed", operator.pk)]


def test_closing_a_wave_that_time_already_closed_is_refused_not_recorded_twice(wave):
    operator = UserFactory(is_staff=True)

    with pytest.raises(WaveError):
        wave_close_now(wave=wave, acting_user=operator, now=wave.closes_at + timedelta(minutes=1))

    assert not WaveEvent.objects.filter(actor=operator).exists()
    assert Wave.objects.get().status_at(wave.closes_at) == WaveStatus.CLOSED


def test_the_beat_task_is_scheduled(settings):
    assert settings.CELERY_BEAT_SCHEDULE["waves-record-schedule"]["task"] == "waves.tasks.waves_record_schedule_task"
    with freeze_time(T0 + timedelta(days=30)):
        from waves.tasks import waves_record_schedule_task

        assert waves_record_schedule_task() == 0
