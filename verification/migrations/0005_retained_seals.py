"""A deleted recipient's retained NIK index gets a seal of the NIK (prakerja/crypto.py, "Seals"), so that pii_reindex
can empty an index it cannot recompute (hence nullable) and a new verification of that NIK restores it."""

import prakerja.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0004_personal_data_encrypted"),
    ]

    operations = [
        migrations.AddField(
            model_name="retainednikindex",
            name="nik_seal",
            field=prakerja.fields.SealField(
                blank=True,
                db_default="",
                default="",
                generation_field="nik_seal_generation",
                kind="nik",
                restores="nik_digest",
                verbose_name="segel NIK",
            ),
        ),
        migrations.AddField(
            model_name="retainednikindex",
            name="nik_seal_generation",
            field=models.PositiveSmallIntegerField(db_default=0, default=0),
        ),
        migrations.AlterField(
            model_name="retainednikindex",
            name="nik_digest",
            field=prakerja.fields.BlindIndexField(
                blank=True,
                follows="verification.IdentityVerification.nik_digest",
                kind="nik",
                null=True,
                unique=True,
                verbose_name="indeks NIK",
            ),
        ),
    ]
