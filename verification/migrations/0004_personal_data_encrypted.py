"""Names, mother's name, address, birth date and phone numbers encrypted at rest, phone numbers found by a blind
index (issue #15; docs/PRIVACY.md, "Encryption and key rotation").

Online, in steps, so no table is locked for longer than one batch: text columns become ``text`` (from varchar: no
rewrite on PostgreSQL) and are encrypted in place in batches, each its own transaction, the new code reading a
value in clear as it is until then; the birth date, a ``date`` column, gets a new ``text`` column filled in
batches before the old one is dropped; the phone numbers' index is filled in batches, then made unique with an
index built concurrently. Not reversible: the clear values are gone.
"""

from django.conf import settings
from django.db import migrations, models, transaction

import prakerja.fields
from prakerja.pii import table_reencrypt, table_reindex
from prakerja.schema import index_add_online, unique_not_null_online


def _batch_size() -> int:
    return settings.PII_ROTATION_BATCH_SIZE


def birth_dates_encrypt(apps, schema_editor) -> None:
    identities = apps.get_model("verification", "IdentityVerification")
    size = _batch_size()
    while True:
        with transaction.atomic():
            batch = list(identities.objects.filter(birth_date_token__isnull=True).order_by("pk")[:size])
            for identity in batch:
                identity.birth_date_token = identity.birth_date  # encrypted by the field when written
            identities.objects.bulk_update(batch, ["birth_date_token"])
        if len(batch) < size:
            return


def personal_data_encrypt(apps, schema_editor) -> None:
    for model_name, fields in (
        ("PersonalData", ("full_name", "mother_name", "address")),
        ("PhoneNumber", ("number",)),
        ("OtpCode", ("number",)),
    ):
        model = apps.get_model("verification", model_name)
        table_reencrypt(model, [model._meta.get_field(name) for name in fields], batch_size=_batch_size())


def phone_digests_fill(apps, schema_editor) -> None:
    for model_name in ("PhoneNumber", "OtpCode"):
        model = apps.get_model("verification", model_name)
        table_reindex(model, [model._meta.get_field("number_digest")], batch_size=_batch_size())


class Migration(migrations.Migration):
    atomic = False  # batches commit one by one; indexes are built concurrently on PostgreSQL

    dependencies = [
        ("verification", "0003_retainednikindex"),
    ]

    operations = [
        # NIK and KK were encrypted already; their fields now say so (no change in the database).
        migrations.AlterField(
            model_name="identityverification",
            name="nik_encrypted",
            field=prakerja.fields.FernetTokenField(verbose_name="NIK (terenkripsi)"),
        ),
        migrations.AlterField(
            model_name="identityverification",
            name="kk_encrypted",
            field=prakerja.fields.FernetTokenField(verbose_name="nomor KK (terenkripsi)"),
        ),
        migrations.AlterField(
            model_name="identityverification",
            name="nik_digest",
            field=prakerja.fields.BlindIndexField(kind="nik", source="nik", unique=True, verbose_name="indeks NIK"),
        ),
        migrations.AlterField(
            model_name="identityverification",
            name="kk_digest",
            field=prakerja.fields.BlindIndexField(db_index=True, kind="kk", source="kk", verbose_name="indeks KK"),
        ),
        # The birth date: a new text column, filled, then the date column dropped and the new one named after it.
        migrations.AddField(
            model_name="identityverification",
            name="birth_date_token",
            field=prakerja.fields.EncryptedDateField(
                db_column="birth_date_encrypted", null=True, verbose_name="tanggal lahir"
            ),
        ),
        migrations.RunPython(birth_dates_encrypt, elidable=True),
        migrations.RemoveField(model_name="identityverification", name="birth_date"),
        migrations.RenameField(model_name="identityverification", old_name="birth_date_token", new_name="birth_date"),
        migrations.AlterField(
            model_name="identityverification",
            name="birth_date",
            field=prakerja.fields.EncryptedDateField(db_column="birth_date_encrypted", verbose_name="tanggal lahir"),
        ),
        # Names, address and numbers: text columns, encrypted in place.
        migrations.AlterField(
            model_name="personaldata",
            name="full_name",
            field=prakerja.fields.EncryptedTextField(max_length=150, verbose_name="nama lengkap"),
        ),
        migrations.AlterField(
            model_name="personaldata",
            name="mother_name",
            field=prakerja.fields.EncryptedTextField(max_length=150, verbose_name="nama ibu kandung"),
        ),
        migrations.AlterField(
            model_name="personaldata",
            name="address",
            field=prakerja.fields.EncryptedTextField(max_length=500, verbose_name="alamat sesuai KTP"),
        ),
        migrations.AlterField(
            model_name="phonenumber",
            name="number",
            field=prakerja.fields.EncryptedTextField(max_length=16, verbose_name="nomor HP"),
        ),
        migrations.AlterField(
            model_name="otpcode",
            name="number",
            field=prakerja.fields.EncryptedTextField(max_length=16, verbose_name="nomor HP"),
        ),
        migrations.AddField(
            model_name="phonenumber",
            name="number_digest",
            field=prakerja.fields.BlindIndexField(
                kind="phone", null=True, source="number", verbose_name="indeks nomor HP"
            ),
        ),
        migrations.AddField(
            model_name="otpcode",
            name="number_digest",
            field=prakerja.fields.BlindIndexField(
                kind="phone", null=True, source="number", verbose_name="indeks nomor HP"
            ),
        ),
        migrations.RunPython(phone_digests_fill, elidable=True),
        migrations.RunPython(personal_data_encrypt, elidable=True),
        unique_not_null_online(
            "verification",
            "phonenumber",
            "number_digest",
            prakerja.fields.BlindIndexField(kind="phone", source="number", unique=True, verbose_name="indeks nomor HP"),
        ),
        migrations.AlterField(
            model_name="otpcode",
            name="number_digest",
            field=prakerja.fields.BlindIndexField(kind="phone", source="number", verbose_name="indeks nomor HP"),
        ),
        index_add_online(
            "verification",
            "otpcode",
            models.Index(fields=["number_digest", "created_at"], name="verif_otp_digest_created"),
        ),
        migrations.RemoveIndex(model_name="otpcode", name="verif_otp_number_created"),
    ]
