"""The database itself refuses to change or delete an audit log entry, whatever the code that asks.

PostgreSQL: a trigger raises on every UPDATE and DELETE of a row. TRUNCATE is not refused: Django's flush (the
test runner between transactional tests, ``manage.py flush``) empties tables with it, and it needs the table
owner's rights, which the portal's own access control does not hand out.
SQLite (the demo): a trigger refuses UPDATE; DELETE is left to the model's guards, because Django's flush empties
SQLite's tables with DELETE.
"""

from django.db import migrations

TRIGGERS = {
    "postgresql": (
        """
        CREATE FUNCTION audit_entry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit log entry % cannot be changed or deleted (%)', OLD.id, TG_OP;
        END
        $$;
        CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
            FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change();
        """,
        """
        DROP TRIGGER audit_entry_append_only ON audit_entry;
        DROP FUNCTION audit_entry_refuse_change();
        """,
    ),
    "sqlite": (
        """
        CREATE TRIGGER audit_entry_append_only BEFORE UPDATE ON audit_entry
        BEGIN
            SELECT RAISE(ABORT, 'audit log entries cannot be changed');
        END;
        """,
        "DROP TRIGGER audit_entry_append_only;",
    ),
}


def _run(schema_editor, index: int) -> None:
    statements = TRIGGERS.get(schema_editor.connection.vendor)
    if statements:
        schema_editor.execute(statements[index], params=None)  # no parameters: the % are PL/pgSQL's


def forwards(apps, schema_editor) -> None:
    _run(schema_editor, 0)


def backwards(apps, schema_editor) -> None:
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
