"""The first version of the declaration's text, so a fresh portal can take declarations at once. Later
versions are published by staff in the admin (assessment.services.declaration_text_publish)."""

from django.db import migrations
from django.utils import timezone

TITLE = "Pernyataan Pendaftar Kartu Prakerja"
INTRO = (
    "Jawab pertanyaan berikut sesuai keadaan Anda saat ini. Kartu Prakerja ditujukan bagi pencari kerja, "
    "pekerja yang terkena PHK atau dirumahkan, serta pekerja dan pelaku usaha mikro dan kecil yang ingin "
    "meningkatkan kompetensinya, berusia paling rendah 18 tahun dan tidak sedang menempuh pendidikan formal. "
    "Jawaban Anda dicocokkan dengan data instansi pemerintah, termasuk data kependudukan Dukcapil."
)
STATEMENTS = (
    "Dengan ini saya menyatakan bahwa:\n"
    "1. seluruh data dan jawaban yang saya berikan benar, lengkap, dan sesuai dengan keadaan saya yang sebenarnya;\n"
    "2. saya memahami bahwa pejabat negara, pimpinan dan anggota DPR/DPRD, Aparatur Sipil Negara, prajurit TNI, "
    "anggota Polri, kepala desa dan perangkat desa, serta direksi, komisaris, dan dewan pengawas BUMN/BUMD tidak "
    "dapat menjadi penerima Kartu Prakerja;\n"
    "3. saya bersedia data saya diverifikasi dan dicocokkan dengan data instansi pemerintah;\n"
    "4. apabila di kemudian hari pernyataan ini terbukti tidak benar, saya bersedia kepesertaan saya dibatalkan, "
    "mengembalikan seluruh bantuan yang telah saya terima, dan menerima sanksi sesuai peraturan perundang-undangan."
)


def create_version_1(apps, schema_editor):
    DeclarationText = apps.get_model("assessment", "DeclarationText")
    if not DeclarationText.objects.exists():
        DeclarationText.objects.create(
            version=1, title=TITLE, intro=INTRO, statements=STATEMENTS, published_at=timezone.now(), is_current=True
        )


def remove_version_1(apps, schema_editor):
    DeclarationText = apps.get_model("assessment", "DeclarationText")
    DeclarationText.objects.filter(version=1, declarations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(create_version_1, remove_version_1)]
