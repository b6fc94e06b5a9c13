"""Correct the misspelt district names of the 2025 list in databases loaded before the corrections
(regions/data/name_corrections.csv); a fresh database gets them from 0002 already. Going back leaves the
corrected names: nothing needs the misspellings."""

from django.db import migrations


def correct(apps, schema_editor):
    from regions.services import district_names_correct_into

    district_names_correct_into(
        district_model=apps.get_model("regions", "District"), using=schema_editor.connection.alias
    )


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0002_load_regions"),
    ]

    operations = [
        migrations.RunPython(correct, migrations.RunPython.noop),
    ]
