from django.db import migrations, models

import waves.lottery


class Migration(migrations.Migration):
    dependencies = [("waves", "0006_enrollment_registration_number_backfill")]

    operations = [
        migrations.AlterField(
            model_name="enrollment",
            name="registration_number",
            field=models.CharField(
                default=waves.lottery.registration_number_new,
                editable=False,
                max_length=19,
                unique=True,
                verbose_name="nomor registrasi",
            ),
        ),
    ]
