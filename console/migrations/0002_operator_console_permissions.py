"""The operators' group gets the console's permissions (accounts/roles.py): opening /operator/ and its exports."""

from django.db import migrations

from accounts.roles import roles_sync


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0001_initial"),
        ("accounts", "0008_user_unverified_index"),
        ("waves", "0003_enrollment_adult_at_close"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
