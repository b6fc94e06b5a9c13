"""Load the shipped Kemendagri region list (regions/data/wilayah.json.gz) with the historical models."""

from django.db import migrations


def load_regions(apps, schema_editor):
    from regions.services import regions_load_into

    regions_load_into(
        province_model=apps.get_model("regions", "Province"),
        regency_model=apps.get_model("regions", "Regency"),
        district_model=apps.get_model("regions", "District"),
        using=schema_editor.connection.alias,
    )


def delete_regions(apps, schema_editor):
    using = schema_editor.connection.alias
    # Children first: the foreign keys are PROTECT.
    for model_name in ("District", "Regency", "Province"):
        apps.get_model("regions", model_name).objects.using(using).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_regions, delete_regions),
    ]
