"""Version 2 of the Kebijakan Privasi (accounts/legal_texts.py, PRIVACY_BODY_V2): the NIK and KK are masked on
Data saya too and whole only in the download, and a deleted recipient's NIK and KK leave keyed hashes behind."""

from django.db import migrations

from accounts.legal_texts import PRIVACY_BODY, PRIVACY_BODY_V2, privacy_policy_v2_publish


def backwards(apps, schema_editor):
    model = apps.get_model("accounts", "PrivacyPolicyText")
    v2 = model.objects.filter(is_current=True, body=PRIVACY_BODY_V2).first()
    if v2 is not None and not apps.get_model("accounts", "User").objects.filter(privacy_policy_text=v2).exists():
        v2.delete()
        model.objects.filter(body=PRIVACY_BODY).update(is_current=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_user_unverified_index")]

    operations = [migrations.RunPython(privacy_policy_v2_publish, backwards)]
