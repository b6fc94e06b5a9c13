"""The index retention's purge of never-verified accounts reads (accounts.services.unverified_accounts_purge),
built without blocking sign-ups on a large accounts table (prakerja/schema.py)."""

from django.db import migrations, models

from prakerja.schema import index_add_online


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0007_user_accepted_texts"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        index_add_online(
            "accounts",
            "user",
            models.Index(
                condition=models.Q(("email_verified_at__isnull", True)),
                fields=["date_joined"],
                name="accounts_user_unverified_idx",
            ),
        ),
    ]
