"""The cards partitioned by batch on PostgreSQL, so that a selection run's cards are written as a table of their own.

A selection issues a card per selected applicant, 200,000 for a million enrollments, inside its transaction (DESIGN
§4). Inserted into the cards table, each row is logged and enters five indexes one by one; written by CREATE TABLE …
AS into a table without indexes, whose indexes are then built from the written rows, and attached as a partition,
the same rows cost a good deal less (docs/PERFORMANCE.md, "A run's cards as a partition"). The run's results and its
announcement's messages are written this way already (notifications' migration 0009 did the same to the outbox).

A card's ``batch`` is the run that issued it (its id), 0 for a card written on its own; the table is partitioned by
LIST of it. The existing table becomes partition 0 as it is: its rows are not moved. The parts that read the whole
table (the unique indexes that partition 0 needs, with the batch, and the check that its rows are all in batch 0)
are built CONCURRENTLY first; the swap itself, in one transaction, then holds the cards for no more than renaming
and attaching. The unique constraints gain the batch, which PostgreSQL requires of a partitioned table's: the
number's in the model, and the result's (the one-to-one field's own constraint, which Django's state keeps as it is)
here. On SQLite, which has no partitions, the number's constraint is the only change.

Not reversible on PostgreSQL: going back would mean copying every run's cards into one table.
"""

from django.db import migrations, models, transaction

TABLE = "waves_card"
# The unique constraints, made again with the batch under their names; the partition's own take a suffix.
UNIQUE = {
    "waves_card_number_unique": "(number, batch)",
    "waves_card_result_id_key": "(result_id, batch)",
}


def _plain_indexes(cursor) -> dict[str, str]:
    """The table's indexes that no constraint owns (the KK index, the seal's, the user's), by name: each one's
    definition from ``USING`` on, as PostgreSQL writes it."""
    cursor.execute(
        """SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
           JOIN pg_class c ON c.oid = i.indexrelid
           WHERE i.indrelid = %s::regclass
             AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid)""",
        [TABLE],
    )
    return {name: definition[definition.index(" USING ") :] for name, definition in cursor.fetchall()}


def partition(apps, schema_editor) -> None:
    card = apps.get_model("waves", "Card")
    connection = schema_editor.connection
    old = models.UniqueConstraint(fields=["number"], name="waves_card_number_unique")
    new = models.UniqueConstraint(fields=["number", "batch"], name="waves_card_number_unique")
    if connection.vendor != "postgresql":
        schema_editor.remove_constraint(card, old)
        schema_editor.add_constraint(card, new)
        return
    with connection.cursor() as cursor:
        # Online: what partition 0 needs that the table lacks. IF NOT EXISTS lets a migration cut short run again
        # (an index a failed CONCURRENTLY build left invalid would have to be dropped by hand; Django reports it).
        cursor.execute(f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {TABLE}_0_pkey ON {TABLE} (id, batch)")
        for name, columns in UNIQUE.items():
            cursor.execute(f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {name}_0 ON {TABLE} {columns}")
        cursor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {TABLE}_0_batch")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_0_batch CHECK (batch = 0) NOT VALID")
        cursor.execute(f"ALTER TABLE {TABLE} VALIDATE CONSTRAINT {TABLE}_0_batch")
        with transaction.atomic(using=connection.alias):
            cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
            (sequence,) = cursor.fetchone()
            cursor.execute(f"SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM {sequence}")
            (next_id,) = cursor.fetchone()
            # Partition 0: the table itself, under its new name, with its constraints made to match the partitioned
            # table's (the primary key and the unique ones hold the batch) and its own identity given up.
            cursor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {TABLE}_pkey")
            cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_0_pkey PRIMARY KEY USING INDEX {TABLE}_0_pkey")
            for name in UNIQUE:
                cursor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {name}")
                cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name}_0 UNIQUE USING INDEX {name}_0")
            # The rest, now that the indexes built above belong to constraints.
            indexes = _plain_indexes(cursor)
            for name in indexes:
                cursor.execute(f"ALTER INDEX {name} RENAME TO {name}_0")
            cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id DROP IDENTITY")
            cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_0")
            # The partitioned table: the same columns, defaults and checks, an identity that goes on from the old
            # one's last value, and the constraints and indexes under their names. Made before the attachment, each
            # adopts the partition's equal one instead of being built.
            cursor.execute(
                f"CREATE TABLE {TABLE} (LIKE {TABLE}_0 INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
                " PARTITION BY LIST (batch)"
            )
            cursor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {TABLE}_0_batch")
            cursor.execute(
                f"ALTER TABLE {TABLE} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (START WITH {int(next_id)})"
            )
            cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, batch)")
            for name, columns in UNIQUE.items():
                cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} UNIQUE {columns}")
            for name, definition in indexes.items():
                cursor.execute(f"CREATE INDEX {name} ON {TABLE} {definition}")
            # The check proves the rows belong to the partition, so attaching does not read them.
            cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {TABLE}_0 FOR VALUES IN (0)")
            cursor.execute(f"ALTER TABLE {TABLE}_0 DROP CONSTRAINT {TABLE}_0_batch")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("waves", "0013_complaint_rejection_reason_required")]

    operations = [
        migrations.AddField(
            model_name="card",
            name="batch",
            field=models.BigIntegerField(db_default=0, default=0, editable=False, verbose_name="kelompok penerbitan"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="card", name="waves_card_number_unique"),
                migrations.AddConstraint(
                    model_name="card",
                    constraint=models.UniqueConstraint(fields=["number", "batch"], name="waves_card_number_unique"),
                ),
            ],
            database_operations=[migrations.RunPython(partition)],
        ),
    ]
