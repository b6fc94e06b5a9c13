"""Selection on schedule after close (DESIGN §4): beat queues the selection of closed waves whose policy says
so, once, and leaves a wave whose run failed (or was voided) to an operator."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from freezegun import freeze_time

from tests.clock import T0
from tests.factories import WaveFactory, enrolled
from tests.helpers import require_service
from waves.models import RunStatus, SelectionRun, Wave, WaveStatus
from waves.services import selections_schedule
from waves.tasks import selections_schedule_task

pytestmark = pytest.mark.django_db

CLOSE = T0 + timedelta(days=7)  # WaveFactory: opens at T0, open 7 days


@pytest.fixture
def queued(monkeypatch):
    """The waves whose selection task was sent to the worker (when a tick's transaction commits); the task then
    runs eagerly unless ``queued.worker_started`` is set False."""
    from waves import tasks

    real = tasks.selection_run_task

    class Sent(list):
        worker_started = True

        def delay(self, wave_id, *args, **kwargs):
            self.append(wave_id)
            return real.delay(wave_id, *args, **kwargs) if self.worker_started else None

    sent = Sent()
    monkeypatch.setattr(tasks, "selection_run_task", sent)
    return sent


def test_a_wave_is_selected_by_the_schedule_once_it_has_closed(django_capture_on_commit_callbacks, queued):
    wave = WaveFactory(province_quotas={"32": 1})
    enrolled(wave)

    with freeze_time(CLOSE - timedelta(minutes=1)), django_capture_on_commit_callbacks(execute=True):
        assert selections_schedule_task() == 0
    with freeze_time(CLOSE + timedelta(minutes=1)), django_capture_on_commit_callbacks(execute=True):
        assert selections_schedule_task() == 1

    assert queued == [wave.pk]
    run = SelectionRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED and run.operator is None
    assert Wave.objects.get().status == WaveStatus.SELECTED
    with freeze_time(CLOSE + timedelta(minutes=2)), django_capture_on_commit_callbacks(execute=True):
        assert selections_schedule_task() == 0
    assert queued == [wave.pk] and SelectionRun.objects.count() == 1


def test_two_ticks_before_the_worker_starts_queue_one_selection(django_capture_on_commit_callbacks, queued):
    wave = WaveFactory(province_quotas={"32": 1})
    enrolled(wave)
    queued.worker_started = False

    with freeze_time(CLOSE + timedelta(minutes=1)), django_capture_on_commit_callbacks(execute=True):
        assert selections_schedule(now=CLOSE + timedelta(minutes=1)) == [wave.pk]
    with freeze_time(CLOSE + timedelta(minutes=2)), django_capture_on_commit_callbacks(execute=True):
        assert selections_schedule(now=CLOSE + timedelta(minutes=2)) == []

    assert queued == [wave.pk]
    assert Wave.objects.get().selection_queued_at == CLOSE + timedelta(minutes=1)


def test_a_wave_that_selects_by_hand_is_left_to_the_operator(django_capture_on_commit_callbacks, queued):
    WaveFactory(province_quotas={"32": 1}, select_automatically=False)

    with django_capture_on_commit_callbacks(execute=True):
        assert selections_schedule(now=CLOSE + timedelta(hours=1)) == []

    assert queued == []


def test_a_wave_whose_run_failed_is_not_retried_by_the_schedule(
    django_capture_on_commit_callbacks, monkeypatch, queued
):
    from waves import selection

    wave = WaveFactory(province_quotas={"32": 1})
    enrolled(wave)
    monkeypatch.setattr(
        selection.run, "cards_issue", lambda run, wave: (_ for _ in ()).throw(RuntimeError("disk full"))
    )
    with (
        pytest.raises(selection.SelectionFailed),  # raised by the (eager) task, run when the tick commits
        freeze_time(CLOSE + timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        selections_schedule_task()
    assert SelectionRun.objects.get().status == RunStatus.FAILED
    Wave.objects.filter(pk=wave.pk).update(selection_queued_at=None)  # even without the mark: a run exists

    with freeze_time(CLOSE + timedelta(minutes=2)), django_capture_on_commit_callbacks(execute=True):
        assert selections_schedule_task() == 0

    assert queued == [wave.pk] and Wave.objects.get().status == WaveStatus.CLOSED  # the first tick's, only


def test_the_beat_schedule_runs_it_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["waves-select-closed"]
    assert entry["task"] == "waves.tasks.selections_schedule_task" and entry["schedule"] == timedelta(minutes=1)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_simultaneous_ticks_on_postgresql_queue_one_selection(monkeypatch):
    if connection.vendor != "postgresql":
        require_service("postgresql")
    from waves import tasks

    wave = WaveFactory(province_quotas={"32": 1})
    queued: list[int] = []
    monkeypatch.setattr(tasks.selection_run_task, "delay", lambda wave_id, *args, **kwargs: queued.append(wave_id))
    start = threading.Barrier(2, timeout=10)
    outcomes: list[list[int]] = []

    def tick() -> None:
        try:
            start.wait()
            outcomes.append(selections_schedule(now=CLOSE + timedelta(minutes=1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [[], [wave.pk]]
    assert queued == [wave.pk]
