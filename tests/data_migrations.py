"""Run a data migration as ``migrate`` does, on the test database as it stands, to test what it does to rows.

The migration is found by Django's migration loader from its app and name, never imported by its file path,
so a test keeps working however migration files are arranged as long as the migration exists in the graph.
"""

from types import SimpleNamespace

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations import RunPython


def data_migration_run(app_label: str, name: str, *, backwards: bool = False) -> None:
    """Run the operations of migration ``app_label.name`` forwards (or backwards) with the historical models
    ``migrate`` gives them, inside the test's transaction; nothing is recorded as applied or unapplied.

    Only for migrations made of RunPython operations: the test database's schema is the latest, which is also
    what such a migration sees. The schema editor is only the connection, which is all RunPython's functions
    use here, because SQLite's real one cannot open inside a test's transaction.
    """
    loader = MigrationExecutor(connection).loader
    migration = loader.get_migration(app_label, name)
    before = loader.project_state((app_label, name), at_end=False)
    after = loader.project_state((app_label, name), at_end=True)
    editor = SimpleNamespace(connection=connection)
    for operation in reversed(migration.operations) if backwards else migration.operations:
        if not isinstance(operation, RunPython):
            raise TypeError(f"{app_label}.{name} changes the schema; test it through migrate instead")
        if backwards:
            operation.database_backwards(app_label, editor, after, before)
        else:
            operation.database_forwards(app_label, editor, before, after)
