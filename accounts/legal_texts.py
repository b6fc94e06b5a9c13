"""The first versions of the Kebijakan Privasi and the Syarat dan Ketentuan, which a migration publishes so a fresh
portal can take sign-ups at once, and the later versions the project itself publishes by migration.

They are here rather than in the migration so the test suite can publish them again after a test that empties
the tables (tests/conftest.py). The bodies are data, not interface strings: they are not translated, and a change
is a new version published by staff in the admin (accounts.services.privacy_policy_text_publish,
terms_text_publish), never an edit here. The retention periods they state are the defaults of docs/PRIVACY.md; a
deployment that changes them publishes a new version saying so.
"""

from django.utils import timezone

from prakerja.versioning import text_version_first_create

PRIVACY_TITLE = "Kebijakan Privasi"
PRIVACY_BODY = """\
Kebijakan Privasi ini menjelaskan data pribadi apa yang dihimpun portal pendaftaran Kartu Prakerja, untuk apa, siapa yang dapat melihatnya, berapa lama data itu disimpan, dan apa saja hak Anda sebagai subjek data pribadi menurut Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi (UU PDP). Portal ini adalah simulasi untuk pembelajaran, bukan situs resmi pemerintah.
## 1. Data yang kami himpun
- Akun: alamat email dan kata sandi. Kata sandi disimpan sebagai hash satu arah, sehingga tidak dapat dibaca oleh siapa pun, termasuk petugas.
- Identitas: Nomor Induk Kependudukan (NIK), nomor Kartu Keluarga (KK), dan tanggal lahir.
- Data diri: nama lengkap, nama ibu kandung, alamat sesuai KTP, domisili (provinsi, kabupaten/kota, kecamatan), jenis kelamin, pendidikan terakhir, status perkawinan, jumlah tanggungan, status kebekerjaan, dan topik pelatihan yang diminati.
- Foto KTP yang Anda unggah, beserta keterangan apakah foto diambil langsung dari kamera.
- Nomor HP yang Anda verifikasi dengan kode OTP.
- Pendaftaran: jawaban pernyataan pendaftar, jawaban dan hasil Tes Motivasi & Kemampuan Dasar, gelombang yang Anda ikuti beserta hasil seleksinya, dan nomor Kartu Prakerja bila Anda lolos.
- Surat pernyataan "gagal 3 kali" yang Anda unggah, beserta keputusan atasnya.
- Catatan keamanan: waktu masuk, percobaan masuk yang gagal beserta alamat IP-nya, serta SMS dan email yang kami kirimkan kepada Anda.
## 2. Untuk apa data Anda digunakan
- Memastikan data Anda cocok dengan data kependudukan Dukcapil dan bahwa satu NIK hanya dimiliki satu akun.
- Menilai apakah Anda memenuhi syarat program: usia, tidak sedang menempuh pendidikan formal, bukan bagian dari kelompok yang dikecualikan, dan paling banyak dua penerima dalam satu Kartu Keluarga.
- Menjalankan seleksi gelombang, menerbitkan Kartu Prakerja, dan memberitahukan hasilnya melalui dasbor, SMS, dan email.
- Memeriksa pengaduan "gagal 3 kali".
- Menjaga keamanan akun Anda dan mencegah penyalahgunaan program.
Kami tidak menjual data Anda dan tidak memakainya untuk iklan.
## 3. Dasar pemrosesan
Data Anda diproses atas persetujuan yang Anda berikan ketika membuat akun dan mengisi setiap langkah pendaftaran, serta untuk melaksanakan tugas pemerintah dalam program Kartu Prakerja (Peraturan Presiden Nomor 36 Tahun 2020 dan Peraturan Menteri Koordinator Bidang Perekonomian Nomor 11 Tahun 2020), sebagaimana diatur dalam Pasal 20 UU PDP.
## 4. Siapa yang dapat melihat data Anda
- Anda sendiri, melalui dasbor. NIK dan nomor KK hanya ditampilkan lengkap di halaman [Data saya](/dashboard/data-saya/); di halaman lain keduanya disamarkan, misalnya 3273••••••••0001.
- Peninjau pengaduan: hanya surat pernyataan "gagal 3 kali" dan data yang diperlukan untuk memeriksanya, tanpa foto KTP.
- Operator gelombang: angka rekapitulasi per gelombang dan provinsi untuk menjalankan seleksi, bukan data perorangan.
- Administrator sistem: hanya bila diperlukan untuk pemeriksaan. Setiap kali petugas membuka data tanpa samaran, foto KTP, atau surat Anda, hal itu tercatat dalam log audit.
- Dukcapil menerima data yang Anda isi hanya untuk dicocokkan dan hanya menjawab "SESUAI" atau "TIDAK SESUAI".
- Penyedia layanan SMS dan email menerima nomor HP dan alamat email Anda hanya untuk mengirimkan pesan kepada Anda.
Data Anda tidak dibagikan kepada pihak lain, kecuali bila diwajibkan oleh peraturan perundang-undangan.
## 5. Cara kami melindungi data Anda
- NIK, nomor KK, dan data pribadi lainnya disimpan terenkripsi; pencarian memakai indeks berkunci, bukan nomor aslinya.
- Foto KTP dan surat disimpan di penyimpanan tertutup yang tidak dapat dibuka dari internet, hanya untuk Anda dan petugas yang berwenang.
- Petugas masuk dengan faktor autentikasi kedua, dan setiap petugas hanya mendapat akses yang dibutuhkan tugasnya.
- Bila terjadi kegagalan pelindungan data pribadi, kami memberitahu Anda dan lembaga yang berwenang paling lambat 3 x 24 jam, sesuai Pasal 46 UU PDP.
## 6. Berapa lama data Anda disimpan
- Akun yang emailnya tidak pernah diverifikasi dihapus 7 hari setelah dibuat atau setelah tautan verifikasi terakhir dikirim.
- Kode OTP dan kode masuk dihapus 7 hari setelah kedaluwarsa.
- Isi SMS dan email yang sudah terkirim (atau gagal dikirim) dihapus 30 hari kemudian; yang disimpan hanya catatan pengirimannya: jenis pesan, waktu, dan statusnya.
- Data lainnya disimpan selama akun Anda ada. Bila Anda menghapus akun, data pribadi Anda ikut dihapus; yang wajib disimpan program, seperti nomor kartu, hasil seleksi, dan log audit, tetap disimpan tanpa data pribadi.
## 7. Hak Anda
- Mendapatkan informasi tentang pemrosesan data Anda, seperti yang diuraikan di halaman ini.
- Melihat dan mengunduh salinan data Anda di halaman [Data saya](/dashboard/data-saya/).
- Memperbaiki data yang keliru. Data yang dicocokkan dengan Dukcapil diperbaiki lebih dulu di Dukcapil; untuk data lainnya, hubungi kami.
- Menghapus akun beserta data pribadi Anda di halaman [Hapus akun](/dashboard/hapus-akun/).
- Menarik persetujuan Anda dengan menghapus akun. Pemrosesan yang dilakukan sebelumnya tetap sah.
- Mengajukan keberatan atau pengaduan tentang pemrosesan data Anda melalui kontak di bawah.
## 8. Perubahan kebijakan
Setiap perubahan diterbitkan sebagai versi baru, dengan nomor versi dan tanggal berlakunya, di halaman ini. Versi yang Anda setujui ketika membuat akun tercatat pada akun Anda.
## 9. Kontak
Pertanyaan, permintaan, dan pengaduan tentang data pribadi Anda dapat disampaikan melalui pusat bantuan di bawah. Jangan pernah mengirimkan foto KTP, kata sandi, atau kode OTP melalui email, telepon, atau media sosial."""

TERMS_TITLE = "Syarat dan Ketentuan"
TERMS_BODY = """\
Syarat dan Ketentuan ini berlaku bagi setiap orang yang membuat akun dan mendaftar program Kartu Prakerja melalui portal ini. Dengan mencentang "Saya menyetujui Syarat dan Ketentuan dan Kebijakan Privasi", Anda menyatakan telah membaca dan menyetujuinya. Portal ini adalah simulasi untuk pembelajaran, bukan situs resmi pemerintah.
## 1. Siapa yang dapat mendaftar
- Warga negara Indonesia yang berusia paling rendah 18 tahun pada saat gelombang ditutup dan tidak sedang menempuh pendidikan formal.
- Bukan pejabat negara, pimpinan atau anggota DPR/DPRD, Aparatur Sipil Negara, prajurit TNI, anggota Polri, kepala desa atau perangkat desa, maupun direksi, komisaris, atau dewan pengawas BUMN/BUMD.
- Dalam satu Kartu Keluarga, paling banyak dua orang dapat menjadi penerima Kartu Prakerja.
- Penerima Kartu Prakerja tidak dapat menerimanya lagi.
## 2. Akun Anda
- Satu orang, satu akun. Satu NIK hanya dapat dipakai oleh satu akun, dan satu email hanya untuk satu akun.
- Gunakan email dan nomor HP aktif milik Anda sendiri: tautan verifikasi, kode OTP, dan hasil seleksi dikirim ke sana.
- Jaga kerahasiaan kata sandi, kode OTP, dan kode masuk Anda. Petugas Kartu Prakerja tidak pernah meminta kata sandi atau kode Anda.
- Akun yang emailnya tidak diverifikasi dalam 7 hari dihapus. Anda dapat mendaftar lagi kapan saja.
## 3. Data yang jujur
- Isi data sesuai KTP, Kartu Keluarga, dan keadaan Anda yang sebenarnya. Data Anda dicocokkan dengan data kependudukan Dukcapil dan data instansi pemerintah lainnya.
- Jangan memakai NIK, nomor KK, foto KTP, atau nomor HP milik orang lain.
- Bila data Anda tidak sesuai dengan data Dukcapil, perbaiki lebih dulu di Dukcapil; portal ini tidak dapat mengubah data kependudukan.
- Data atau pernyataan yang terbukti tidak benar dapat membatalkan kepesertaan Anda, dan bantuan yang sudah diterima wajib dikembalikan sesuai peraturan perundang-undangan.
## 4. Pendaftaran dan seleksi
- Langkah pendaftaran diisi berurutan. Langkah yang sudah selesai tidak perlu diulang.
- Bergabung dengan gelombang tidak menjamin Anda lolos. Seleksi dijalankan oleh sistem berdasarkan syarat program, kuota tiap provinsi, dan undian yang dapat diperiksa oleh publik.
- Hasil seleksi diumumkan di dasbor dan dikirim melalui email, serta SMS bagi yang lolos. Peserta yang belum berhasil dapat bergabung dengan gelombang berikutnya tanpa mengisi data atau mengikuti tes lagi.
- Pengaduan "gagal 3 kali" dapat diajukan setelah tiga kali tidak lolos seleksi gelombang, bukan setelah tiga kali gagal registrasi.
## 5. Kartu Prakerja
- Peserta yang lolos menerima nomor Kartu Prakerja dan saldo pelatihan, yang hanya dapat dipakai untuk membeli pelatihan dan harus dipakai untuk pelatihan pertama dalam batas waktu yang tertera di dasbor.
- Kartu dan saldonya tidak dapat dipindahtangankan, diperjualbelikan, atau dicairkan.
## 6. Penggunaan portal
- Dilarang mengganggu portal, mencoba masuk ke akun orang lain, atau membuat akun secara otomatis. Portal membatasi percobaan yang berlebihan.
- Akun yang melanggar ketentuan ini dapat dinonaktifkan.
- Syarat dan Ketentuan ini dapat diubah. Setiap perubahan diterbitkan sebagai versi baru, dengan tanggal berlakunya, di halaman ini.
## 7. Data pribadi
Pemrosesan data pribadi Anda diatur dalam [Kebijakan Privasi](/kebijakan-privasi/). Anda dapat melihat dan mengunduh data Anda di halaman [Data saya](/dashboard/data-saya/) dan menghapus akun Anda di halaman [Hapus akun](/dashboard/hapus-akun/).
## 8. Bantuan
Bila ada pertanyaan, hubungi pusat bantuan Kartu Prakerja. Untuk data yang tidak sesuai dengan data kependudukan, hubungi Dukcapil. Kontak keduanya tercantum di bawah."""


# Version 2 of the Kebijakan Privasi (accounts 0009): version 1 said the NIK and KK were shown in full on Data saya,
# which masks them like every page (only the download has them whole), and did not say what a deleted recipient's
# account leaves behind (their NIK's and KK's keyed hashes, docs/PRIVACY.md, "Deletion and your data").
PRIVACY_BODY_V2 = PRIVACY_BODY.replace(
    """- Anda sendiri, melalui dasbor. NIK dan nomor KK hanya ditampilkan lengkap di halaman [Data saya](/dashboard/data-saya/); di halaman lain keduanya disamarkan, misalnya 3273••••••••0001.""",
    """- Anda sendiri, melalui dasbor. Di setiap halaman, termasuk [Data saya](/dashboard/data-saya/), NIK dan nomor KK disamarkan, misalnya 3273••••••••0001; keduanya hanya tertulis lengkap di berkas unduhan data Anda dari halaman Data saya, yang dapat dibuka setelah Anda memasukkan kata sandi lagi.""",
).replace(
    """- Data lainnya disimpan selama akun Anda ada. Bila Anda menghapus akun, data pribadi Anda ikut dihapus; yang wajib disimpan program, seperti nomor kartu, hasil seleksi, dan log audit, tetap disimpan tanpa data pribadi.""",
    """- Data lainnya disimpan selama akun Anda ada. Bila Anda menghapus akun, data pribadi Anda ikut dihapus; yang wajib disimpan program, seperti nomor kartu, hasil seleksi, dan log audit, tetap disimpan tanpa nama, NIK, nomor KK, alamat, maupun nomor HP.
- Bila Anda pernah menerima Kartu Prakerja, setelah akun dihapus kami tetap menyimpan sidik berkunci (hash HMAC) dari NIK dan nomor KK Anda, tanpa nomornya sendiri dan tanpa kaitan ke akun atau nama. Sidik itu hanya dipakai untuk menegakkan aturan program: penerima tidak dapat menerima kartu lagi, dan paling banyak dua penerima dalam satu Kartu Keluarga. Tanpa kunci rahasia portal, sidik itu tidak dapat dicocokkan dengan NIK atau nomor KK siapa pun.""",
)


def public_texts_v1_create(apps, schema_editor=None) -> None:
    text_version_first_create(apps.get_model("accounts", "PrivacyPolicyText"), title=PRIVACY_TITLE, body=PRIVACY_BODY)
    text_version_first_create(apps.get_model("accounts", "TermsText"), title=TERMS_TITLE, body=TERMS_BODY)


def privacy_policy_v2_publish(apps, schema_editor=None) -> None:
    """Publish ``PRIVACY_BODY_V2`` as the next version, where version 1 is still the current text: a deployment
    whose staff have already published their own newer version keeps it. Idempotent, like the first versions."""
    model = apps.get_model("accounts", "PrivacyPolicyText")
    current = model.objects.filter(is_current=True).first()
    if current is None or current.body != PRIVACY_BODY:
        return
    latest = model.objects.order_by("-version").values_list("version", flat=True).first()
    model.objects.filter(pk=current.pk).update(is_current=False)
    model.objects.create(
        version=latest + 1, title=PRIVACY_TITLE, body=PRIVACY_BODY_V2, published_at=timezone.now(), is_current=True
    )
