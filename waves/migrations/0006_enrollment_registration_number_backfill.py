from django.db import migrations

BATCH = 5000


def backfill(apps, schema_editor) -> None:
    """A random registration number for every enrollment written before they existed, in batches."""
    from waves.lottery import registration_number_new

    Enrollment = apps.get_model("waves", "Enrollment")
    while True:
        batch = list(Enrollment.objects.filter(registration_number__isnull=True).only("pk")[:BATCH])
        if not batch:
            return
        for enrollment in batch:
            enrollment.registration_number = registration_number_new()
        Enrollment.objects.bulk_update(batch, ["registration_number"])


class Migration(migrations.Migration):
    dependencies = [("waves", "0005_enrollment_registration_number_add")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
