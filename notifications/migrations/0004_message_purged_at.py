"""Retention of message bodies (notifications.services.message_bodies_purge): when a body was blanked, and the
index of the rows still to blank, built without blocking the outbox's writes (prakerja/schema.py). The column is
nullable without a default, which PostgreSQL adds without rewriting the table."""

from django.conf import settings
from django.db import migrations, models

from prakerja.schema import index_add_online


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("notifications", "0003_message_user_no_db_check"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="purged_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="isi dihapus pada"),
        ),
        index_add_online(
            "notifications",
            "message",
            models.Index(
                condition=models.Q(("purged_at__isnull", True), ("status__in", ["sent", "failed"])),
                fields=["id"],
                name="notif_msg_unpurged_idx",
            ),
        ),
    ]
