"""Bulk rows out of the idempotency key's unique index (docs/PERFORMANCE.md, "Selection at the real size").

An announcement writes a row per applicant and channel, a million in one selection, and each entered five
indexes; the key's, text in the text order of the user id, took its entries at random places. A bulk row's key is
now held unique by its body (one per prefix, channel and template) and a unique (body, user) among the rows not
blanked yet, which also replaces the index retention used to find a body's unblanked rows. The indexes are built
and dropped without blocking the outbox's writes (prakerja/schema.py); the new ones before the old go. Bodies
written before keep an empty prefix, which the body's constraint leaves out: their runs are never enqueued again.
"""

from django.db import migrations, models

from prakerja.schema import index_remove_online, partial_unique_add_online


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("notifications", "0007_message_failed_index")]

    operations = [
        migrations.AddField(
            model_name="sharedbody",
            name="key_prefix",
            field=models.CharField(blank=True, default="", max_length=150, verbose_name="awalan kunci"),
        ),
        migrations.AddField(
            model_name="sharedbody",
            name="channel",
            field=models.CharField(
                blank=True,
                choices=[("email", "Email"), ("sms", "SMS")],
                default="",
                max_length=8,
                verbose_name="kanal",
            ),
        ),
        migrations.AddField(
            model_name="sharedbody",
            name="template",
            field=models.CharField(blank=True, default="", max_length=100, verbose_name="templat"),
        ),
        migrations.AddConstraint(
            model_name="sharedbody",
            constraint=models.UniqueConstraint(
                condition=models.Q(("key_prefix", ""), _negated=True),
                fields=("key_prefix", "channel", "template"),
                name="notif_sharedbody_kind_unique",
            ),
        ),
        partial_unique_add_online(
            "notifications",
            "message",
            models.UniqueConstraint(
                condition=models.Q(("shared_body__isnull", True)),
                fields=("idempotency_key",),
                name="notif_msg_key_unique",
            ),
        ),
        partial_unique_add_online(
            "notifications",
            "message",
            models.UniqueConstraint(
                condition=models.Q(("purged_at__isnull", True), ("shared_body__isnull", False)),
                fields=("shared_body", "user"),
                name="notif_msg_shared_user_unique",
            ),
        ),
        migrations.RemoveConstraint(model_name="message", name="notifications_message_key_unique"),
        index_remove_online(
            "notifications",
            "message",
            models.Index(
                condition=models.Q(("purged_at__isnull", True), ("shared_body__isnull", False)),
                fields=["shared_body"],
                name="notif_msg_shared_unpurged_idx",
            ),
        ),
    ]
