"""The Persetujuan's sentences are its clauses; "statement" is kept for the gagal-3-kali letter."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("waves", "0001_squashed_0017_result_priority_one_digit")]

    operations = [migrations.RenameField(model_name="agreementtext", old_name="statements", new_name="clauses")]
