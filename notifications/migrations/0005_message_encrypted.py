"""Every body, and every phone number recipient, encrypted at rest; SMS found by their number's blind index
(issue #15; docs/PRIVACY.md, "Encryption and key rotation").

The recipient becomes ``text`` (from varchar: no rewrite on PostgreSQL), the new index column comes with a
constant default (no rewrite either), and the rows are then encrypted and indexed in place, a batch per
transaction, while the new code reads what is still in clear as it is. Not reversible: the clear values are gone.
"""

from django.conf import settings
from django.db import migrations, models

import notifications.models
import prakerja.fields
from prakerja.pii import table_reencrypt, table_reindex


def messages_encrypt(apps, schema_editor) -> None:
    message = apps.get_model("notifications", "Message")
    table_reindex(message, [message._meta.get_field("recipient_digest")], batch_size=settings.PII_ROTATION_BATCH_SIZE)
    table_reencrypt(message, batch_size=settings.PII_ROTATION_BATCH_SIZE)


class Migration(migrations.Migration):
    atomic = False  # a transaction per batch

    dependencies = [
        ("notifications", "0004_message_purged_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="recipient_digest",
            field=prakerja.fields.BlindIndexField(
                blank=True, default="", kind="phone", source="recipient", verbose_name="indeks nomor penerima"
            ),
        ),
        migrations.AlterField(
            model_name="message",
            name="body",
            field=prakerja.fields.EncryptedTextField(verbose_name="isi"),
        ),
        migrations.AlterField(
            model_name="message",
            name="html_body",
            field=prakerja.fields.EncryptedTextField(blank=True, verbose_name="isi HTML"),
        ),
        migrations.AlterField(
            model_name="message",
            name="recipient",
            field=notifications.models.RecipientField(max_length=254, verbose_name="penerima"),
        ),
        migrations.AlterField(
            model_name="message",
            name="sensitive",
            field=models.BooleanField(default=False, verbose_name="isi rahasia"),
        ),
        migrations.RunPython(messages_encrypt, elidable=True),
    ]
