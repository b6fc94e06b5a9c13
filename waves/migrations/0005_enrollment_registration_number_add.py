from django.db import migrations, models


class Migration(migrations.Migration):
    """The registration number, first nullable: existing enrollments get theirs in the next migration, one random
    number each (a default on AddField would give every row the same one)."""

    dependencies = [("waves", "0004_retained_seals")]

    operations = [
        migrations.AddField(
            model_name="enrollment",
            name="registration_number",
            field=models.CharField(max_length=19, null=True, verbose_name="nomor registrasi"),
        ),
    ]
