"""Schema changes that must not stop the portal's writes, for migrations.

A plain CREATE INDEX blocks every write to its table until the index is built: minutes on the outbox or on the
accounts of a few million applicants, while sign-ups and deliveries wait. On PostgreSQL the index is built
CONCURRENTLY instead (the migration must then say ``atomic = False``: that cannot run in a transaction); on
SQLite, a laptop's database, the usual way.
"""

from django.db import migrations, models


def index_add_online(app_label: str, model_name: str, index: models.Index) -> migrations.SeparateDatabaseAndState:
    """The migration operation that adds ``index`` to ``app_label.model_name`` without blocking writes."""

    def build(apps, schema_editor, *, add: bool) -> None:
        model = apps.get_model(app_label, model_name)
        change = schema_editor.add_index if add else schema_editor.remove_index
        if schema_editor.connection.vendor == "postgresql":
            change(model, index, concurrently=True)
        else:
            change(model, index)

    def forwards(apps, schema_editor) -> None:
        build(apps, schema_editor, add=True)

    def backwards(apps, schema_editor) -> None:
        build(apps, schema_editor, add=False)

    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AddIndex(model_name=model_name, index=index)],
        database_operations=[migrations.RunPython(forwards, backwards)],
    )
