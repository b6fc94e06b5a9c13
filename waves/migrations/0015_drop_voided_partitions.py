"""Partitions of voided or deleted runs, left behind before a void dropped its partition (selection_void now
does), are dropped: their rows were already deleted. PostgreSQL only; SQLite has no partitions."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    SelectionRun = apps.get_model("waves", "SelectionRun")
    standing = set(SelectionRun.objects.exclude(status="voided").values_list("pk", flat=True))
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'waves_result'"
        )
        for (name,) in cursor.fetchall():
            run_id = int(name.rsplit("_", 1)[1])
            if run_id not in standing:
                cursor.execute(f'DROP TABLE "{name}"')


class Migration(migrations.Migration):
    dependencies = [("waves", "0014_selectionrun_interrupted")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
