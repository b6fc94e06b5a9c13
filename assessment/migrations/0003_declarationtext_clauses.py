"""The declaration's numbered sentences are its clauses; "statement" is kept for the gagal-3-kali letter."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("assessment", "0002_declaration_text_v1")]

    operations = [migrations.RenameField(model_name="declarationtext", old_name="statements", new_name="clauses")]
