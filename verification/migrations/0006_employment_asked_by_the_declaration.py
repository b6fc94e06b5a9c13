"""Employment was asked twice, in Data diri and in the declaration (issue #16). The declaration keeps it
(assessment.Declaration.employment, which every applicant who goes on answers); Data diri's copy is dropped, so the
portal no longer holds a second, possibly contradictory, answer about the applicant."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("verification", "0005_retained_seals")]

    operations = [migrations.RemoveField(model_name="personaldata", name="employment_status")]
