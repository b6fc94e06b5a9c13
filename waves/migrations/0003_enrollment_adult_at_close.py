"""The age rule reads a fact kept on the enrollment, as the birth date is now encrypted (issue #15): two nullable
columns, instant to add. Rows without the fact are counted by the next selection of their wave
(waves.services.enrollment_ages_count). The KK indexes of results and cards say what they copy, for pii_reindex
(no change in the database).
"""

import prakerja.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("waves", "0002_agreementtext_clauses"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrollment",
            name="adult_at_close",
            field=models.BooleanField(blank=True, null=True, verbose_name="berusia 18 saat gelombang ditutup"),
        ),
        migrations.AddField(
            model_name="enrollment",
            name="adult_counted_for",
            field=models.DateTimeField(blank=True, null=True, verbose_name="usia dihitung untuk penutupan pada"),
        ),
        migrations.AlterField(
            model_name="card",
            name="kk_digest",
            field=prakerja.fields.BlindIndexField(
                copy_of="user__identity__kk_digest", kind="kk", verbose_name="indeks KK"
            ),
        ),
        migrations.AlterField(
            model_name="result",
            name="kk_digest",
            field=prakerja.fields.BlindIndexField(
                copy_of="user__identity__kk_digest", kind="kk", verbose_name="indeks KK"
            ),
        ),
    ]
