from django.db import migrations

from waves.legal_texts import agreement_text_v1_create, agreement_text_v1_remove


class Migration(migrations.Migration):
    dependencies = [("waves", "0001_initial")]
    operations = [migrations.RunPython(agreement_text_v1_create, agreement_text_v1_remove)]
