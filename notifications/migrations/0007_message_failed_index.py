"""A partial index on the messages that failed for good, which the operator console counts on every view, built
without blocking the outbox's writes (prakerja/schema.py)."""

from django.db import migrations, models

from prakerja.schema import index_add_online


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("notifications", "0006_message_shared_body")]

    operations = [
        index_add_online(
            "notifications",
            "message",
            models.Index(condition=models.Q(("status", "failed")), fields=["id"], name="notif_msg_failed_idx"),
        ),
    ]
