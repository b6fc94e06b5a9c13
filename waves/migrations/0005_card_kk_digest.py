from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("waves", "0004_card")]

    operations = [
        migrations.AddField(
            model_name="card",
            name="kk_digest",
            field=models.CharField(db_index=True, default="", max_length=64, verbose_name="indeks KK"),
            preserve_default=False,
        ),
    ]
