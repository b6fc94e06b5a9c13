"""A selection run's cards are a batch of their own; on PostgreSQL, a partition of the cards (migration 0014).

The run's cards are written as a table and attached with the cards' indexes and unique constraints, their ids drawn
from the cards' identity like a card written on its own; a void drops the partition. The migration itself turns a
cards table with rows into partition 0 without losing a row or an id."""

from datetime import timedelta

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from freezegun import freeze_time

from tests.factories import UserFactory, WaveFactory, enrolled
from tests.helpers import manage_in
from waves.models import CARDS_SINGLES_BATCH, Card, Result, SelectionRun, WaveStatus
from waves.selection import selection_run
from waves.services import selection_void

pytestmark = pytest.mark.django_db

TABLE = Card._meta.db_table


def partitions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass", [TABLE])
        return sorted(name for (name,) in cursor.fetchall())


def indexes(table: str) -> list[str]:
    """Each index's definition, with the table's name left out."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return sorted(definition.split(" USING ", 1)[1] for (definition,) in cursor.fetchall())


@pytest.fixture
def selected(db):
    wave = WaveFactory(closed=True, number=7, province_quotas={"32": 3}, pool_unused_quota=False)
    for _ in range(5):
        enrolled(wave)
    return selection_run(wave=wave, acting_user=None, seed=3)


def test_a_runs_cards_are_its_batch_and_a_card_written_on_its_own_is_in_batch_0(selected):
    moment = selected.started_at
    lone = Card.objects.create(
        result_id=10**9, user=UserFactory(), wave=selected.wave, number="1", balance=1, issued_at=moment,
        first_training_deadline=moment,
    )  # fmt: skip

    run_cards = Card.objects.filter(result__run=selected)
    assert run_cards.count() == 3
    assert set(run_cards.values_list("batch", flat=True)) == {selected.pk}
    lone.refresh_from_db()
    assert lone.batch == CARDS_SINGLES_BATCH
    # The ids come from one identity: the card written afterwards follows the run's.
    assert lone.pk > max(run_cards.values_list("pk", flat=True))


def test_on_postgresql_a_runs_cards_are_a_partition_with_the_cards_indexes(postgresql, selected):
    partition = f"{TABLE}_run_{selected.pk}"

    assert partitions() == [f"{TABLE}_0", partition]
    assert indexes(partition) == indexes(f"{TABLE}_0")
    assert len(indexes(partition)) == 6
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {partition}")
        assert cursor.fetchone() == (3,)


def test_on_postgresql_the_numbers_and_results_stay_unique_within_a_batch(postgresql, selected):
    card = Card.objects.filter(result__run=selected).first()
    columns = "result_id, user_id, wave_id, number, kk_digest, balance, issued_at, first_training_deadline, batch"
    same_number = columns.replace("result_id,", "result_id + 1000,")
    same_result = columns.replace("number,", "'0',")
    with connection.cursor() as cursor:
        for copy in (same_number, same_result):
            with pytest.raises(IntegrityError), transaction.atomic():
                cursor.execute(f"INSERT INTO {TABLE} ({columns}) SELECT {copy} FROM {TABLE} WHERE id = %s", [card.pk])


def test_a_void_takes_the_runs_cards_and_on_postgresql_its_partition(selected):
    with freeze_time(selected.wave.announce_at - timedelta(hours=1)):
        selection_void(run=selected, acting_user=UserFactory(is_staff=True), note="uji")

        assert not Card.objects.exists()
        assert not Result.objects.filter(run=selected).exists()
        if connection.vendor == "postgresql":
            assert partitions() == [f"{TABLE}_0"]
        # and the wave can be selected again, its new run's cards a batch of their own
        rerun = selection_run(wave=selected.wave, acting_user=None, seed=4)
    assert set(Card.objects.values_list("batch", flat=True)) == {rerun.pk}


def test_on_postgresql_an_emptied_partition_of_the_same_run_number_is_replaced(postgresql, selected):
    # What TRUNCATE … RESTART IDENTITY leaves (a test's flush): the run's number again, its old table empty.
    partition = f"{TABLE}_run_{selected.pk}"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {partition}")
    SelectionRun.objects.filter(pk=selected.pk).delete()
    Result.objects.all().delete()
    wave = selected.wave
    wave.status = WaveStatus.CLOSED
    wave.save(update_fields=["status"])

    rerun = selection_run(wave=wave, acting_user=None, seed=5)

    assert Card.objects.filter(batch=rerun.pk).count() == 3


# --- The migration, on a database of its own --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_migration_makes_the_cards_with_their_rows_partition_0(scratch_database):
    columns = "number, balance, issued_at, first_training_deadline, result_id, user_id, wave_id, kk_digest, kk_seal"
    manage_in(scratch_database, "migrate", "waves", "0013", "--verbosity", "0")
    with psycopg.connect(scratch_database, autocommit=True) as db:
        db.execute(
            f"""INSERT INTO {TABLE} ({columns})
                SELECT 'n' || i, 1, now(), now(), i, i, 1, 'kk', CASE WHEN i = 1 THEN 'seal' ELSE '' END
                FROM generate_series(1, 5) AS i"""
        )

    manage_in(scratch_database, "migrate", "waves", "0014", "--verbosity", "0")

    with psycopg.connect(scratch_database, autocommit=True) as db:
        assert db.execute(f"SELECT id, batch FROM {TABLE} ORDER BY id").fetchall() == [(i, 0) for i in range(1, 6)]
        assert db.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass", [TABLE]
        ).fetchall() == [(f"{TABLE}_0",)]
        # the identity goes on after the rows', and numbers and results are still unique
        insert = f"INSERT INTO {TABLE} ({columns}) VALUES (%s, 1, now(), now(), %s, 9, 1, 'kk', '') RETURNING id"
        assert db.execute(insert, ["n6", 6]).fetchone() == (6,)
        for number, result in (("n1", 7), ("n7", 1)):
            with pytest.raises(psycopg.errors.UniqueViolation):
                db.execute(insert, [number, result])
        # the KK index, the seal's and the user's came along, under their names
        names = {name for (name,) in db.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [TABLE])}
        assert {"waves_card_pkey", "waves_card_kk_digest", "waves_card_kk_seal"} <= names
        assert any(name.startswith("waves_card_user_id") for name in names)
        assert len(names) == 6
