from django.db import migrations
from django.utils import timezone

STATEMENTS = """Saya menyatakan seluruh data yang saya isi benar dan dapat dipertanggungjawabkan.
Saya bersedia dicoret dari kepesertaan dan mengembalikan bantuan yang telah diterima jika data saya terbukti tidak benar.
Saya memahami bahwa bergabung di gelombang tidak menjamin lolos seleksi; hasil seleksi diumumkan lewat dasbor, SMS dan email.
Jika lolos, saya bersedia membeli pelatihan pertama dalam 30 hari sejak kartu diterbitkan dan menyelesaikannya.
Saya bersedia data saya digunakan untuk keperluan program Kartu Prakerja sesuai Kebijakan Privasi."""


def create(apps, schema_editor):
    AgreementText = apps.get_model("waves", "AgreementText")
    AgreementText.objects.get_or_create(
        version=1,
        defaults={
            "title": "Persetujuan Kartu Prakerja",
            "statements": STATEMENTS,
            "is_current": True,
            "published_at": timezone.now(),
        },
    )


def remove(apps, schema_editor):
    apps.get_model("waves", "AgreementText").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("waves", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
