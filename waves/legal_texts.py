"""The first versions of the waves app's legal texts — the Persetujuan Kartu Prakerja an applicant accepts on
joining a wave, and the "gagal 3 kali" statement letter (DESIGN §5) — which the initial migration publishes so a
fresh portal can take enrollments and complaints at once.

They are here rather than in the migration so the test suite can publish them again after a test that empties
the tables (tests/conftest.py). A published version never changes: later versions are published by staff in
the admin (waves.services), never by editing these.
"""

from prakerja.versioning import text_version_first_create

AGREEMENT_V1 = {
    "title": "Persetujuan Kartu Prakerja",
    "clauses": (
        "Saya menyatakan seluruh data yang saya isi benar dan dapat dipertanggungjawabkan.\n"
        "Saya bersedia dicoret dari kepesertaan dan mengembalikan bantuan yang telah diterima jika data saya "
        "terbukti tidak benar.\n"
        "Saya memahami bahwa bergabung di gelombang tidak menjamin lolos seleksi; hasil seleksi diumumkan lewat "
        "dasbor, SMS dan email.\n"
        "Jika lolos, saya bersedia membeli pelatihan pertama dalam 30 hari sejak kartu diterbitkan dan "
        "menyelesaikannya.\n"
        "Saya bersedia data saya digunakan untuk keperluan program Kartu Prakerja sesuai Kebijakan Privasi."
    ),
}

STATEMENT_V1 = {
    "title": "Surat Pernyataan Gagal Seleksi Kartu Prakerja 3 Kali",
    "opening": "Yang bertanda tangan di bawah ini:",
    "body": (
        "Dengan ini menyatakan bahwa saya telah mendaftar Program Kartu Prakerja dan mengikuti seleksi pada "
        "gelombang di atas, tetapi belum berhasil menjadi penerima Kartu Prakerja.\n"
        "Saya menyatakan bahwa seluruh data yang saya sampaikan dalam pendaftaran dan dalam surat ini benar, bahwa "
        "saya tidak sedang menempuh pendidikan formal, dan bahwa saya bukan pejabat negara, pimpinan atau anggota "
        "DPR/DPRD, Aparatur Sipil Negara, prajurit TNI, anggota Polri, kepala desa atau perangkat desa, maupun "
        "direksi, komisaris, atau dewan pengawas BUMN/BUMD.\n"
        "Dengan surat ini saya memohon agar Manajemen Pelaksana Program Kartu Prakerja meninjau pendaftaran saya "
        "untuk seleksi gelombang berikutnya.\n"
        "Apabila di kemudian hari pernyataan ini terbukti tidak benar, saya bersedia kepesertaan saya dibatalkan, "
        "mengembalikan seluruh bantuan yang telah saya terima, dan menerima sanksi sesuai peraturan "
        "perundang-undangan.\n"
        "Demikian surat pernyataan ini saya buat dengan sebenar-benarnya, dalam keadaan sadar dan tanpa paksaan "
        "dari pihak mana pun."
    ),
}


def agreement_text_v1_create(apps, schema_editor=None) -> None:
    text_version_first_create(apps.get_model("waves", "AgreementText"), **AGREEMENT_V1)


def statement_text_v1_create(apps, schema_editor=None) -> None:
    text_version_first_create(apps.get_model("waves", "StatementText"), **STATEMENT_V1)
