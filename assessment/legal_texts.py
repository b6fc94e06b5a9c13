"""The declaration's first text, which a migration publishes so a fresh portal can take declarations at once.

It is here rather than in the migration so the test suite can publish it again after a test that empties the
tables (tests/conftest.py). A published version never changes: later versions are published by staff in the
admin (assessment.services.declaration_text_publish), never by editing this one.
"""

from prakerja.versioning import text_version_first_create

DECLARATION_V1 = {
    "title": "Pernyataan Pendaftar Kartu Prakerja",
    "intro": (
        "Jawab pertanyaan berikut sesuai keadaan Anda saat ini. Kartu Prakerja ditujukan bagi pencari kerja, "
        "pekerja yang terkena PHK atau dirumahkan, serta pekerja dan pelaku usaha mikro dan kecil yang ingin "
        "meningkatkan kompetensinya, berusia paling rendah 18 tahun dan tidak sedang menempuh pendidikan formal. "
        "Jawaban Anda dicocokkan dengan data instansi pemerintah, termasuk data kependudukan Dukcapil."
    ),
    "clauses": (
        "Dengan ini saya menyatakan bahwa:\n"
        "1. seluruh data dan jawaban yang saya berikan benar, lengkap, dan sesuai dengan keadaan saya yang "
        "sebenarnya;\n"
        "2. saya memahami bahwa pejabat negara, pimpinan dan anggota DPR/DPRD, Aparatur Sipil Negara, prajurit TNI, "
        "anggota Polri, kepala desa dan perangkat desa, serta direksi, komisaris, dan dewan pengawas BUMN/BUMD tidak "
        "dapat menjadi penerima Kartu Prakerja;\n"
        "3. saya bersedia data saya diverifikasi dan dicocokkan dengan data instansi pemerintah;\n"
        "4. apabila di kemudian hari pernyataan ini terbukti tidak benar, saya bersedia kepesertaan saya dibatalkan, "
        "mengembalikan seluruh bantuan yang telah saya terima, dan menerima sanksi sesuai peraturan "
        "perundang-undangan."
    ),
}


def declaration_text_v1_create(apps, schema_editor=None) -> None:
    text_version_first_create(apps.get_model("assessment", "DeclarationText"), **DECLARATION_V1)


def declaration_text_v1_remove(apps, schema_editor=None) -> None:
    # A version someone answered stays: their declaration points at it.
    DeclarationText = apps.get_model("assessment", "DeclarationText")
    DeclarationText.objects.filter(version=1, declarations__isnull=True).delete()
