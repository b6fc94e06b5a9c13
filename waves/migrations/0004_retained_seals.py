"""What an account deletion keeps of a recipient's card gets a seal of the KK (prakerja/crypto.py, "Seals"), so that
pii_reindex can empty a KK index it cannot recompute and the next relative to join restores it. The partial index
is built without blocking writes to the cards (prakerja/schema.py)."""

import prakerja.fields
from django.conf import settings
from django.db import migrations, models

from prakerja.schema import index_add_online


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("waves", "0003_enrollment_adult_at_close"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="card",
            name="kk_seal",
            field=prakerja.fields.SealField(
                blank=True,
                db_default="",
                default="",
                generation_field="kk_seal_generation",
                kind="kk",
                restores="kk_digest",
                verbose_name="segel KK",
            ),
        ),
        migrations.AddField(
            model_name="card",
            name="kk_seal_generation",
            field=models.PositiveSmallIntegerField(db_default=0, default=0),
        ),
        migrations.AlterField(
            model_name="card",
            name="kk_digest",
            field=prakerja.fields.BlindIndexField(
                blank=True,
                copy_of="user__identity__kk_digest",
                follows="verification.IdentityVerification.kk_digest",
                kind="kk",
                verbose_name="indeks KK",
            ),
        ),
        index_add_online(
            "waves",
            "card",
            models.Index(
                condition=models.Q(("kk_seal", ""), _negated=True), fields=["kk_seal"], name="waves_card_kk_seal"
            ),
        ),
    ]
