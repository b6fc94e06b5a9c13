"""The first versions of the Kebijakan Privasi and the Syarat dan Ketentuan (accounts/legal_texts.py), and the
operators' right to publish new versions (accounts/roles.py)."""

from django.db import migrations

from accounts.legal_texts import public_texts_v1_create
from accounts.roles import roles_sync


def forwards(apps, schema_editor):
    public_texts_v1_create(apps, schema_editor)
    roles_sync(apps, schema_editor)


def backwards(apps, schema_editor):
    for model_name in ("PrivacyPolicyText", "TermsText"):
        apps.get_model("accounts", model_name).objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_public_texts")]

    operations = [migrations.RunPython(forwards, backwards)]
