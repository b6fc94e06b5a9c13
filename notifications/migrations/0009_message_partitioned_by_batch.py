"""The outbox partitioned by batch on PostgreSQL, so that an announcement's rows are written as a table of their own.

A selection's announcement writes a row per applicant and channel, 1,200,000 for a million enrollments, inside the
selection's transaction (DESIGN §4). Inserted into the outbox, each row is logged and enters four indexes one by
one; written by CREATE TABLE … AS into a table without indexes, a page at a time, whose indexes are then built from
the sorted rows, and attached as a partition, the same rows cost a good deal less (docs/PERFORMANCE.md, "An
announcement's own partition"). The selection's results are written this way already.

A row's ``batch`` says which bulk enqueue wrote it (the id of its first shared body), 0 for every message written on
its own; the table is partitioned by LIST of it. The existing table becomes partition 0 as it is: its rows are not
moved. The parts that read the whole table (the indexes that partition 0 needs, with the batch in its unique ones,
and the check that its rows are all in batch 0) are built CONCURRENTLY first, so deliveries and sign-ups go on; the
swap itself, in one transaction, then holds the outbox for no more than renaming and attaching. The model's two
unique constraints gain the batch, which PostgreSQL requires of a partitioned table's unique index; on SQLite, which
has no partitions, that is the only change.

Not reversible on PostgreSQL: going back would mean copying every announcement's rows into one table.
"""

from django.db import migrations, models, transaction

TABLE = "notifications_message"
KEY_UNIQUE = ("notif_msg_key_unique", "(idempotency_key, batch) WHERE shared_body_id IS NULL")
SHARED_USER_UNIQUE = (
    "notif_msg_shared_user_unique",
    "(shared_body_id, user_id, batch) WHERE purged_at IS NULL AND shared_body_id IS NOT NULL",
)
# The indexes that stay as they are, made again under their names on the partitioned table (the partition's own take
# a suffix); the definitions are 0001-0008's.
INDEXES = {
    "notif_msg_pending_due_idx": "(next_attempt_at) WHERE status = 'pending'",
    "notif_msg_lease_idx": "(leased_until) WHERE status = 'sending'",
    "notif_msg_unpurged_idx": "(id) WHERE purged_at IS NULL AND status IN ('sent', 'failed')",
    "notif_msg_failed_idx": "(id) WHERE status = 'failed'",
    "notifications_message_user_id_89f939e6": "(user_id)",
}


def _unique(name: str, fields: list[str], condition: models.Q) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=fields, condition=condition, name=name)


OLD_CONSTRAINTS = [
    _unique(KEY_UNIQUE[0], ["idempotency_key"], models.Q(("shared_body__isnull", True))),
    _unique(
        SHARED_USER_UNIQUE[0],
        ["shared_body", "user"],
        models.Q(("purged_at__isnull", True), ("shared_body__isnull", False)),
    ),
]
NEW_CONSTRAINTS = [
    _unique(KEY_UNIQUE[0], ["idempotency_key", "batch"], models.Q(("shared_body__isnull", True))),
    _unique(
        SHARED_USER_UNIQUE[0],
        ["shared_body", "user", "batch"],
        models.Q(("purged_at__isnull", True), ("shared_body__isnull", False)),
    ),
]


def partition(apps, schema_editor) -> None:
    message = apps.get_model("notifications", "Message")
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        for old, new in zip(OLD_CONSTRAINTS, NEW_CONSTRAINTS, strict=True):
            schema_editor.remove_constraint(message, old)
            schema_editor.add_constraint(message, new)
        return
    with connection.cursor() as cursor:
        # Online: what partition 0 needs that the table lacks. IF NOT EXISTS lets a migration cut short run again
        # (an index a failed CONCURRENTLY build left invalid would have to be dropped by hand; Django reports it).
        cursor.execute(f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {TABLE}_0_pkey ON {TABLE} (id, batch)")
        for name, definition in (KEY_UNIQUE, SHARED_USER_UNIQUE):
            cursor.execute(f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {name}_0 ON {TABLE} {definition}")
        cursor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {TABLE}_0_batch")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_0_batch CHECK (batch = 0) NOT VALID")
        cursor.execute(f"ALTER TABLE {TABLE} VALIDATE CONSTRAINT {TABLE}_0_batch")
        with transaction.atomic(using=connection.alias):
            cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
            (sequence,) = cursor.fetchone()
            cursor.execute(f"SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM {sequence}")
            (next_id,) = cursor.fetchone()
            # Partition 0: the table itself, under its new name, with its indexes made to match the partitioned
            # table's (the primary key and the unique ones hold the batch) and its own identity given up.
            cursor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {TABLE}_pkey")
            cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_0_pkey PRIMARY KEY USING INDEX {TABLE}_0_pkey")
            for name, _definition in (KEY_UNIQUE, SHARED_USER_UNIQUE):
                cursor.execute(f"DROP INDEX {name}")
            for name in INDEXES:
                cursor.execute(f"ALTER INDEX {name} RENAME TO {name}_0")
            cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id DROP IDENTITY")
            cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_0")
            # The partitioned table: the same columns, defaults and checks, an identity that goes on from the old
            # one's last value, and the indexes under their names. Made before the attachment, each index adopts
            # the partition's equal one instead of being built.
            cursor.execute(
                f"CREATE TABLE {TABLE} (LIKE {TABLE}_0 INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
                " PARTITION BY LIST (batch)"
            )
            cursor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {TABLE}_0_batch")
            cursor.execute(
                f"ALTER TABLE {TABLE} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (START WITH {int(next_id)})"
            )
            cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, batch)")
            for name, definition in (KEY_UNIQUE, SHARED_USER_UNIQUE):
                cursor.execute(f"CREATE UNIQUE INDEX {name} ON {TABLE} {definition}")
            for name, definition in INDEXES.items():
                cursor.execute(f"CREATE INDEX {name} ON {TABLE} {definition}")
            # The check proves the rows belong to the partition, so attaching does not read them.
            cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {TABLE}_0 FOR VALUES IN (0)")
            cursor.execute(f"ALTER TABLE {TABLE}_0 DROP CONSTRAINT {TABLE}_0_batch")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("notifications", "0008_bulk_rows_out_of_key_index")]

    operations = [
        migrations.AddField(
            model_name="message",
            name="batch",
            field=models.BigIntegerField(db_default=0, default=0, editable=False, verbose_name="kelompok kiriman"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                *(migrations.RemoveConstraint(model_name="message", name=old.name) for old in OLD_CONSTRAINTS),
                *(migrations.AddConstraint(model_name="message", constraint=new) for new in NEW_CONSTRAINTS),
            ],
            database_operations=[migrations.RunPython(partition)],
        ),
    ]
