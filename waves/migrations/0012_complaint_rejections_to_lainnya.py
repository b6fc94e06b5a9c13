"""Rejections made before the reason list kept only the reviewer's words: they become "lainnya" with those words
kept, which keeps the old rule for them (a new letter only after a further failed selection)."""

from django.db import migrations


def free_text_to_lainnya(apps, schema_editor):
    Complaint = apps.get_model("waves", "Complaint")
    Complaint.objects.filter(status="rejected", rejection_reason="").update(rejection_reason="lainnya")


def lainnya_to_free_text(apps, schema_editor):
    apps.get_model("waves", "Complaint").objects.filter(rejection_reason="lainnya").update(rejection_reason="")


class Migration(migrations.Migration):
    dependencies = [("waves", "0011_complaint_rejection_reasons")]

    operations = [migrations.RunPython(free_text_to_lainnya, lainnya_to_free_text)]
