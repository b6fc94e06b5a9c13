"""The role groups and their permissions (accounts/roles.py), and every existing applicant in theirs.

Depends on the latest migration of each app whose permissions the table names, so they exist when it runs.
"""

from django.db import migrations

from accounts.roles import Role, roles_sync


def forwards(apps, schema_editor):
    roles_sync(apps, schema_editor)
    User = apps.get_model("accounts", "User")
    Group = apps.get_model("auth", "Group")
    applicants = Group.objects.get(name=Role.APPLICANT.value)
    Membership = User.groups.through
    applicant_ids = User.objects.filter(is_staff=False).values_list("pk", flat=True)
    Membership.objects.bulk_create(
        [Membership(user_id=pk, group_id=applicants.pk) for pk in applicant_ids.iterator()],
        ignore_conflicts=True,
        batch_size=5000,
    )


def backwards(apps, schema_editor):
    # The reviewers' group predates this migration (the waves migration makes it) and stays.
    apps.get_model("auth", "Group").objects.filter(name__in=[Role.APPLICANT.value, Role.OPERATOR.value]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_login_code"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("assessment", "0002_declaration_text_v1"),
        ("regions", "0002_load_regions"),
        ("waves", "0001_squashed_0017_result_priority_one_digit"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
