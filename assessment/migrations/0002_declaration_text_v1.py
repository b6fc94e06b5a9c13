"""The first version of the declaration's text, so a fresh portal can take declarations at once. Later
versions are published by staff in the admin (assessment.services.declaration_text_publish). The text and
the functions are in assessment/legal_texts.py, which the test suite calls too."""

from django.db import migrations

from assessment.legal_texts import declaration_text_v1_create, declaration_text_v1_remove


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(declaration_text_v1_create, declaration_text_v1_remove)]
