"""Schema changes that must not stop the portal's writes, for migrations.

A plain CREATE INDEX blocks every write to its table until the index is built: minutes on the outbox or on the
accounts of a few million applicants, while sign-ups and deliveries wait. On PostgreSQL the index is built
CONCURRENTLY instead (the migration must then say ``atomic = False``: that cannot run in a transaction); on
SQLite, a laptop's database, the usual way.

Not for a partitioned table (the selection's results, the outbox since notifications' 0009): PostgreSQL builds no
index CONCURRENTLY on one. Build it ON ONLY the table, then CONCURRENTLY on each partition, and attach each
(docs/DEPLOY.md, "The outbox's partitions").
"""

from django.db import migrations, models


def _index_change(app_label: str, model_name: str, index: models.Index, *, add: bool):
    """Build or drop ``index``: CONCURRENTLY on PostgreSQL."""

    def change(apps, schema_editor) -> None:
        model = apps.get_model(app_label, model_name)
        alter = schema_editor.add_index if add else schema_editor.remove_index
        if schema_editor.connection.vendor == "postgresql":
            alter(model, index, concurrently=True)
        else:
            alter(model, index)

    return change


def _index_online(
    app_label: str, model_name: str, index: models.Index, *, add: bool
) -> migrations.SeparateDatabaseAndState:
    state = (
        migrations.AddIndex(model_name=model_name, index=index)
        if add
        else migrations.RemoveIndex(model_name=model_name, name=index.name)
    )
    return migrations.SeparateDatabaseAndState(
        state_operations=[state],
        database_operations=[
            migrations.RunPython(
                _index_change(app_label, model_name, index, add=add),
                _index_change(app_label, model_name, index, add=not add),
            )
        ],
    )


def index_add_online(app_label: str, model_name: str, index: models.Index) -> migrations.SeparateDatabaseAndState:
    """The migration operation that adds ``index`` to ``app_label.model_name`` without blocking writes."""
    return _index_online(app_label, model_name, index, add=True)


def unique_not_null_online(app_label: str, model_name: str, name: str, field: models.Field):
    """The migration operation that makes ``model_name.name`` the NOT NULL, unique ``field`` once its rows are
    filled in, without blocking writes while the unique index is built.

    On PostgreSQL the index is built CONCURRENTLY (so the migration says ``atomic = False``) and then becomes the
    constraint (``ADD CONSTRAINT … UNIQUE USING INDEX``, instant); SET NOT NULL reads the table once under a
    short lock. Elsewhere, the usual ALTER."""

    def forwards(apps, schema_editor) -> None:
        model = apps.get_model(app_label, model_name)
        old = model._meta.get_field(name)
        new = field.clone()
        new.set_attributes_from_name(name)
        new.model = model
        if schema_editor.connection.vendor != "postgresql":
            schema_editor.alter_field(model, old, new)
            return
        quote = schema_editor.quote_name
        table, column = model._meta.db_table, old.column
        constraint = schema_editor._create_index_name(table, [column], suffix="_uniq")
        schema_editor.execute(
            f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {quote(constraint)} ON {quote(table)} ({quote(column)})"
        )
        schema_editor.execute(
            f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(constraint)} UNIQUE USING INDEX {quote(constraint)}"
        )
        schema_editor.execute(f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)} SET NOT NULL")

    def backwards(apps, schema_editor) -> None:
        model = apps.get_model(app_label, model_name)
        new = model._meta.get_field(name)
        old = new.clone()
        old.unique, old.null = False, True
        old.set_attributes_from_name(name)
        old.model = model
        schema_editor.alter_field(model, new, old)

    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name=model_name, name=name, field=field)],
        database_operations=[migrations.RunPython(forwards, backwards)],
    )


def index_remove_online(app_label: str, model_name: str, index: models.Index) -> migrations.SeparateDatabaseAndState:
    """The migration operation that drops ``index`` from ``app_label.model_name`` without blocking writes (its
    reverse builds it again the same way)."""
    return _index_online(app_label, model_name, index, add=False)


def _partial_unique_change(app_label: str, model_name: str, constraint: models.UniqueConstraint, *, add: bool):
    """Build or drop a partial unique constraint, which PostgreSQL keeps as a unique index: CONCURRENTLY there."""

    def change(apps, schema_editor) -> None:
        model = apps.get_model(app_label, model_name)
        if schema_editor.connection.vendor != "postgresql":
            (schema_editor.add_constraint if add else schema_editor.remove_constraint)(model, constraint)
            return
        if add:
            sql = str(constraint.create_sql(model, schema_editor))
            schema_editor.execute(sql.replace("CREATE UNIQUE INDEX", "CREATE UNIQUE INDEX CONCURRENTLY", 1))
        else:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(constraint.name)}")

    return change


def partial_unique_add_online(
    app_label: str, model_name: str, constraint: models.UniqueConstraint
) -> migrations.SeparateDatabaseAndState:
    """The migration operation that adds a unique constraint with a ``condition`` (a partial unique index) to
    ``app_label.model_name`` without blocking writes while its index is built."""
    if constraint.condition is None:
        raise ValueError("only a partial unique constraint is an index that can be built online")
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AddConstraint(model_name=model_name, constraint=constraint)],
        database_operations=[
            migrations.RunPython(
                _partial_unique_change(app_label, model_name, constraint, add=True),
                _partial_unique_change(app_label, model_name, constraint, add=False),
            )
        ],
    )
