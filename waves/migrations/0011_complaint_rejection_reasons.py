"""Rejections of "gagal 3 kali" letters carry a reason from a list (waves.rejections) and the reviewer's checks;
the reviewer's words become a note. The old constraint (a rejection has words) goes; 0007 puts the new one (a
rejection has a reason, "lainnya" has words) once 0006 has given the earlier rejections their reason."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("waves", "0010_wave_open_close_permissions")]

    operations = [
        migrations.RemoveConstraint(model_name="complaint", name="waves_complaint_rejection_reason"),
        migrations.AddField(
            model_name="complaint",
            name="checklist",
            field=models.JSONField(blank=True, default=dict, verbose_name="daftar periksa"),
        ),
        migrations.AddField(
            model_name="complaint",
            name="rejection_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("unsigned", "Tidak ditandatangani"),
                    ("no_meterai", "Tanpa meterai"),
                    ("unreadable", "Tidak terbaca"),
                    ("name_mismatch", "Nama tidak sesuai"),
                    ("waves_mismatch", "Gelombang tidak sesuai"),
                    ("wrong_document", "Bukan surat pernyataan"),
                    ("not_authentic", "Diragukan keasliannya"),
                    ("lainnya", "Lainnya (tulis alasannya)"),
                ],
                max_length=32,
                verbose_name="alasan penolakan",
            ),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="decision_reason",
            field=models.TextField(blank=True, verbose_name="catatan peninjau"),
        ),
    ]
