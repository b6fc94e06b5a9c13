"""The first version of the "gagal 3 kali" statement's text, and the reviewers' group (DESIGN §5).

The group holds only what reviewing needs: seeing complaints (and, through them, the signed letter) and
deciding them. It cannot edit complaints or see anything else in the admin; a reviewer account is staff and a
member of this group, nothing more. The text is in waves/legal_texts.py; later versions are added by staff in
the admin.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

from waves.legal_texts import statement_text_v1_create, statement_text_v1_remove

REVIEWERS_GROUP = "Peninjau pengaduan"
REVIEWER_PERMISSIONS = ("view_complaint", "review_complaint")


def forwards(apps, schema_editor):
    statement_text_v1_create(apps, schema_editor)
    # Permissions are normally created after all migrations; the group needs them now. (The real app config
    # gets past create_permissions' "has models" check; the models it reads are this migration's.)
    create_permissions(global_apps.get_app_config("waves"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=REVIEWERS_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label="waves", codename__in=REVIEWER_PERMISSIONS))


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=REVIEWERS_GROUP).delete()
    statement_text_v1_remove(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("waves", "0006_complaint"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(forwards, backwards)]
