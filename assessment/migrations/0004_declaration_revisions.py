"""Declarations become correctable until the applicant joins a wave (issue #16): each correction is a new row, and
``current_for`` (the reverse relation ``user.declaration`` the rules read) marks the one in force."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Q


def current_is_the_only_one(apps, schema_editor):
    apps.get_model("assessment", "Declaration").objects.update(current_for=F("user"))


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0003_declarationtext_clauses"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="declaration",
            name="user",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE,
                related_name="declarations",
                to=settings.AUTH_USER_MODEL,
                verbose_name="pengguna",
            ),
        ),
        migrations.AddField(
            model_name="declaration",
            name="current_for",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=models.deletion.CASCADE,
                related_name="declaration",
                to=settings.AUTH_USER_MODEL,
                verbose_name="berlaku untuk",
            ),
        ),
        migrations.AddField(
            model_name="declaration",
            name="revision",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="revisi"),
        ),
        migrations.RunPython(current_is_the_only_one, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="declaration",
            constraint=models.UniqueConstraint(
                fields=("user", "revision"), name="assessment_declaration_user_revision"
            ),
        ),
        migrations.AddConstraint(
            model_name="declaration",
            constraint=models.CheckConstraint(
                condition=Q(current_for__isnull=True) | Q(current_for=F("user")),
                name="assessment_declaration_current_is_own",
            ),
        ),
    ]
