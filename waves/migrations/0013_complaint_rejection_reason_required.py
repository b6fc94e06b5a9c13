"""A rejection has a reason from the list, and "lainnya" the reviewer's words (the database keeps it so)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("waves", "0012_complaint_rejections_to_lainnya")]

    operations = [
        migrations.AddConstraint(
            model_name="complaint",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "rejected"), _negated=True),
                    models.Q(
                        models.Q(("rejection_reason", ""), _negated=True),
                        models.Q(
                            models.Q(("rejection_reason", "lainnya"), _negated=True),
                            models.Q(("decision_reason", ""), _negated=True),
                            _connector="OR",
                        ),
                    ),
                    _connector="OR",
                ),
                name="waves_complaint_rejection_reason",
            ),
        ),
    ]
