"""Voiding a run before its announcement is cheap and clean: its partition dropped on PostgreSQL (the same
statements for ten rows or thousands), its cards gone, its unsent messages cancelled through notifications."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from notifications.models import Message, Status
from tests.factories import UserFactory, WaveFactory, enrolled_many
from waves.models import Card, Result, RunStatus, Wave, WaveStatus
from waves.selection import selection_run
from waves.services import selection_void

pytestmark = pytest.mark.django_db


def partition_exists(run) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"waves_result_run_{run.pk}"])
        return cursor.fetchone()[0]


def selected(count: int, number: int):
    wave = WaveFactory(
        closed=True, number=number, province_quotas={"32": count // 4, "31": count // 4}, pool_unused_quota=False
    )
    enrolled_many(wave, count)
    return wave, selection_run(wave=wave, acting_user=None, seed=number)


def test_a_void_drops_the_runs_results_and_cards_and_cancels_its_unsent_messages():
    wave, run = selected(40, 21)
    other_wave, other_run = selected(8, 22)
    assert partition_exists(run) == (connection.vendor == "postgresql")
    sent = Message.objects.filter(idempotency_key__startswith=f"result:{run.pk}:").first()
    Message.objects.filter(pk=sent.pk).update(status=Status.SENT)  # say one had already gone out

    with freeze_time(wave.announce_at - timedelta(hours=1)):
        selection_void(run=run, acting_user=UserFactory(is_staff=True))

    assert not partition_exists(run)
    assert not Result.objects.filter(run=run).exists() and not Card.objects.filter(wave=wave).exists()
    assert list(Message.objects.filter(idempotency_key__startswith=f"result:{run.pk}:")) == [sent]
    assert Wave.objects.get(pk=wave.pk).status == WaveStatus.CLOSED
    # The other wave's run is untouched.
    assert Result.objects.filter(run=other_run).count() == 8 and Card.objects.filter(wave=other_wave).count() == 4
    assert Message.objects.filter(idempotency_key__startswith=f"result:{other_run.pk}:").count() == 8  # emails


def test_a_void_costs_the_same_statements_for_a_small_and_a_large_run():
    def statements(count: int, number: int) -> int:
        wave, run = selected(count, number)
        with freeze_time(wave.announce_at - timedelta(hours=1)), CaptureQueriesContext(connection) as queries:
            selection_void(run=run, acting_user=UserFactory(is_staff=True))
        return len(queries.captured_queries)

    assert statements(20, 23) == statements(2_000, 24)


def test_a_new_seed_runs_after_a_void_with_a_partition_of_its_own():
    wave, run = selected(40, 25)
    with freeze_time(wave.announce_at - timedelta(hours=1)):
        selection_void(run=run, acting_user=UserFactory(is_staff=True))
        again = selection_run(wave=wave, acting_user=None, seed=99)

    assert again.status == RunStatus.SUCCEEDED and again.counts["selected"] == 20
    assert partition_exists(again) == (connection.vendor == "postgresql")
