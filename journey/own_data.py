""" "Data saya": everything the portal holds about an applicant, for the page and its download (UU PDP 27/2022).

One description serves both, so the page cannot leave out what the download has: a list of sections, each a set
of items (one record) or a list of records, every item with its key in the download, its label on the page, its
value, and how the page shows it (identifiers, the phone number and the mother's name masked, DESIGN §8: the page
is read on shared phones and in screenshots; the download, asked for on purpose, has them in full). Each app's
own selector gathers its part (``*_record_for``, ``messages_of``) in one query however long the history, so the
page costs six with the user's own (docs/PERFORMANCE.md); only the journey knows every app.

What the applicant may not know yet stays out: a result, a card or a message of a wave not announced.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import account_record_for
from assessment.eligibility import ExcludedGroup, OtherAid, exclusion_reason_message
from assessment.selectors import assessment_record_for
from notifications.masking import mask_phone, mask_recipient
from notifications.selectors import messages_of
from verification.identifiers import identifier_mask
from verification.models import SEX_CHOICES
from verification.selectors import verification_record_for
from waves.models import ComplaintStatus
from waves.reasons import reason_message
from waves.selectors import waves_record_for

DASH = "—"


@dataclass(frozen=True)
class Item:
    key: str
    label: str | Promise
    value: Any  # as the download writes it (after ``_json``)
    shown: str | None = None  # how the page shows it, when not simply the value (masked)

    @property
    def display(self) -> str:
        return self.shown if self.shown is not None else _shown(self.value)


@dataclass(frozen=True)
class Section:
    """``key`` None: the items are top-level keys of the download (the identity, what everyone looks for first).
    ``records`` not None: a list (tests, waves, cards…), each record a list of items."""

    key: str | None
    title: str | Promise
    items: list[Item] = field(default_factory=list)
    records: list[list[Item]] | None = None
    note: str | Promise = ""

    @property
    def empty(self) -> bool:
        return not self.records if self.records is not None else not self.items


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return DASH
    if isinstance(value, bool):
        return _("Ya") if value else _("Tidak")
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "j F Y, H.i") + " WIB"
    if isinstance(value, dt.date):
        return formats.date_format(value, "j F Y")
    if isinstance(value, list | tuple):
        return ", ".join(_shown(part) for part in value)
    if isinstance(value, dict):
        return ", ".join(_shown(part) for part in value.values() if part)
    return str(value)


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json(part) for part in value]
    if isinstance(value, dict):
        return {key: _json(part) for key, part in value.items()}
    return value


def _mother_name_mask(name: str) -> str:
    """ "Nurhayati Binti Ahmad" → "N••••••• B•••• A••••": a mother's name answers security questions elsewhere."""
    return " ".join(word[:1] + "•" * (len(word) - 1) for word in name.split())


SEX_LABELS = dict(SEX_CHOICES)


@dataclass(frozen=True)
class OwnData:
    sections: list[Section]
    generated_at: dt.datetime
    ktp_photo_id: int | None = None  # the photo itself is a file of its own, downloaded from the page

    def as_json(self) -> dict:
        """The download: the top-level items, then one key per section (an object, a list, or null)."""
        data: dict[str, Any] = {"diunduh_pada": _json(self.generated_at)}
        for section in self.sections:
            if section.key is None:
                data |= {item.key: _json(item.value) for item in section.items}
            elif section.records is not None:
                data[section.key] = [{item.key: _json(item.value) for item in record} for record in section.records]
            else:
                data[section.key] = {item.key: _json(item.value) for item in section.items} or None
        return data


def own_data_for(*, user: User, now: dt.datetime | None = None) -> OwnData:
    """Everything the portal holds about ``user``, as far as they may know it at ``now``."""
    now = now or timezone.now()
    account = account_record_for(user=user)
    verification = verification_record_for(user=user)
    assessment = assessment_record_for(user=user, now=now)
    waves = waves_record_for(user=user, now=now)
    messages = messages_of(user=user, now=now)
    identity, personal, photo, phone = (
        verification.identity,
        verification.personal_data,
        verification.ktp_photo,
        verification.phone,
    )
    nik, kk = (identity.nik, identity.kk) if identity else (None, None)

    sections = [
        Section(
            None,
            _("Data pribadi"),
            [
                Item("nik", _("NIK"), nik, identifier_mask(nik) if nik else None),
                Item("kk", _("Nomor KK"), kk, identifier_mask(kk) if kk else None),
                Item("nama_lengkap", _("Nama lengkap"), personal.full_name if personal else None),
                Item(
                    "nama_ibu_kandung",
                    _("Nama ibu kandung"),
                    personal.mother_name if personal else None,
                    _mother_name_mask(personal.mother_name) if personal else None,
                ),
                Item("alamat", _("Alamat sesuai KTP"), personal.address if personal else None),
                Item("tanggal_lahir", _("Tanggal lahir"), identity.birth_date if identity else None),
                Item(
                    "nomor_hp",
                    _("Nomor HP"),
                    phone.number if phone else None,
                    mask_phone(phone.number) if phone else None,
                ),
                Item("email", _("Email"), user.email),
            ],
            note=_(
                "NIK, nomor KK, nama ibu kandung, dan nomor HP ditampilkan tersamar di layar. Unduhan berisi "
                "semuanya secara lengkap."
            ),
        ),
        Section(
            "akun",
            _("Akun"),
            [
                Item("tanggal_daftar", _("Tanggal daftar"), user.date_joined),
                Item("email_terverifikasi_pada", _("Email terverifikasi pada"), user.email_verified_at),
                Item("terakhir_masuk", _("Terakhir masuk"), user.last_login),
                Item(
                    "versi_kebijakan_privasi",
                    _("Versi Kebijakan Privasi yang disetujui"),
                    account.privacy_policy_version,
                ),
                Item(
                    "versi_syarat_dan_ketentuan", _("Versi Syarat dan Ketentuan yang disetujui"), account.terms_version
                ),
            ],
        ),
    ]
    if identity:
        sections.append(
            Section(
                "verifikasi_ktp",
                _("Verifikasi KTP"),
                [
                    Item("jenis_kelamin", _("Jenis kelamin (dari NIK)"), SEX_LABELS.get(identity.sex)),
                    Item(
                        "pekerjaan_di_ktp_kelompok_dikecualikan",
                        _("Pekerjaan di KTP termasuk kelompok yang dikecualikan (jawaban Dukcapil)"),
                        identity.registry_excluded_occupation,
                    ),
                    Item("diverifikasi_pada", _("Diverifikasi pada"), identity.verified_at),
                ],
            )
        )
    if personal:
        district = personal.district
        sections.append(
            Section(
                "data_diri",
                _("Data diri lainnya"),
                [
                    Item(
                        "domisili",
                        _("Domisili"),
                        {
                            "kecamatan": district.name,
                            "kabupaten_kota": district.regency.name,
                            "provinsi": district.regency.province.name,
                            "kode_kecamatan": district.code,
                        },
                        f"{district.name}, {district.regency.name}, {district.regency.province.name}",
                    ),
                    Item("jenis_kelamin", _("Jenis kelamin"), personal.get_sex_display()),
                    Item("pendidikan_terakhir", _("Pendidikan terakhir"), personal.get_education_display()),
                    Item("status_perkawinan", _("Status perkawinan"), personal.get_marital_status_display()),
                    Item("jumlah_tanggungan", _("Jumlah tanggungan"), personal.dependents),
                    Item(
                        "topik_pelatihan",
                        _("Topik pelatihan yang diminati"),
                        personal.get_training_topic_display(),
                    ),
                    Item("diisi_pada", _("Diisi pada"), personal.completed_at),
                ],
            )
        )
    if photo:
        sections.append(
            Section(
                "foto_ktp",
                _("Foto KTP"),
                [
                    Item("diunggah_pada", _("Diunggah pada"), photo.uploaded_at),
                    Item("lebar_px", _("Lebar (px)"), photo.width),
                    Item("tinggi_px", _("Tinggi (px)"), photo.height),
                    Item("ukuran_tersimpan_byte", _("Ukuran tersimpan (byte)"), photo.size_bytes),
                    Item("ukuran_asli_byte", _("Ukuran asli (byte)"), photo.original_bytes),
                    Item("format_asli", _("Format asli"), photo.original_kind.upper()),
                    Item("dari_kamera", _("Dari kamera"), photo.from_camera),
                    Item("kamera", _("Kamera"), photo.camera),
                ],
                note=_("Fotonya sendiri dapat Anda unduh dengan tombol “Unduh foto KTP” di atas."),
            )
        )
    if phone:
        sections.append(
            Section(
                "nomor_hp_verifikasi",
                _("Nomor HP"),
                [Item("diverifikasi_pada", _("Nomor HP diverifikasi pada"), phone.verified_at)],
            )
        )
    sections.append(
        Section(
            "kode_otp",
            _("Kode OTP yang dikirim lewat SMS"),
            records=[
                [
                    Item("nomor", _("Nomor"), code.number, mask_phone(code.number)),
                    Item("dikirim_pada", _("Dikirim pada"), code.created_at),
                    Item("dipakai_pada", _("Dipakai pada"), code.used_at),
                ]
                for code in verification.otp_codes
            ],
            note=_("Kodenya sendiri tidak kami simpan, hanya sidik acaknya."),
        )
    )
    declaration = assessment.declaration
    if declaration:
        sections.append(
            Section(
                "pernyataan",
                _("Pernyataan pendaftar"),
                [
                    Item("versi_teks", _("Versi teks pernyataan"), declaration.text.version),
                    Item("status_pekerjaan", _("Status pekerjaan"), declaration.get_employment_display()),
                    Item(
                        "sedang_pendidikan_formal",
                        _("Sedang menempuh pendidikan formal"),
                        declaration.in_formal_education,
                    ),
                    Item(
                        "kelompok_dikecualikan",
                        _("Kelompok dikecualikan yang dijawab “ya”"),
                        [ExcludedGroup(code).label for code in declaration.excluded_groups],
                    ),
                    Item(
                        "bantuan_lain",
                        _("Bantuan pemerintah lain yang diterima"),
                        [OtherAid(code).label for code in declaration.other_aid],
                    ),
                    Item("menyatakan_data_benar", _("Menyatakan data benar"), declaration.truthful),
                    Item(
                        "alasan_tidak_memenuhi_syarat",
                        _("Alasan tidak memenuhi syarat"),
                        [exclusion_reason_message(code) for code in declaration.exclusion_reasons],
                    ),
                    Item("dikirim_pada", _("Dikirim pada"), declaration.submitted_at),
                ],
            )
        )
    sections.append(
        Section(
            "tes",
            _("Tes Motivasi & Kemampuan Dasar"),
            records=[
                [
                    Item("mulai", _("Mulai"), attempt.started_at),
                    Item("selesai", _("Selesai"), outcome.finished_at if outcome else None),
                    Item("nilai", _("Nilai"), outcome.score if outcome else None),
                    Item("nilai_batas_lulus", _("Nilai batas lulus"), outcome.pass_score if outcome else None),
                    Item(
                        "hasil",
                        _("Hasil"),
                        (_("lolos") if outcome.passed else _("belum lolos")) if outcome else _("sedang berjalan"),
                    ),
                ]
                for attempt, outcome in assessment.attempts
            ],
        )
    )
    sections.append(
        Section(
            "gelombang",
            _("Gelombang yang diikuti"),
            records=[
                [
                    Item("nomor", _("Gelombang"), entry.enrollment.wave.number),
                    Item("bergabung_pada", _("Bergabung pada"), entry.enrollment.joined_at),
                    Item(
                        "hasil",
                        _("Hasil"),
                        (_("lolos") if entry.selected else _("belum lolos"))
                        if entry.announced and entry.selected is not None
                        else _("menunggu pengumuman"),
                    ),
                    Item(
                        "alasan",
                        _("Keterangan"),
                        reason_message(entry.reason) if entry.announced and entry.reason else None,
                    ),
                ]
                for entry in waves.history
            ],
        )
    )
    sections.append(
        Section(
            "kartu",
            _("Kartu Prakerja"),
            records=[
                [
                    Item("nomor_kartu", _("Nomor Kartu Prakerja"), card.number),
                    Item("gelombang", _("Gelombang"), card.wave.number),
                    Item("saldo_pelatihan", _("Saldo pelatihan (Rp)"), card.balance),
                    Item("diterbitkan_pada", _("Diterbitkan pada"), card.issued_at),
                    Item(
                        "batas_pelatihan_pertama",
                        _("Batas membeli pelatihan pertama"),
                        card.first_training_deadline,
                    ),
                    Item("dicabut_pada", _("Dicabut pada"), card.revoked_at),
                ]
                for card in waves.cards
            ],
        )
    )
    sections.append(
        Section(
            "pengaduan",
            _("Pengaduan gagal 3 kali"),
            records=[
                [
                    Item("diunggah_pada", _("Diunggah pada"), complaint.submitted_at),
                    Item("gelombang_disebut", _("Gelombang yang disebut"), cited_wave_numbers),
                    Item("status", _("Status"), complaint.get_status_display()),
                    Item("diputuskan_pada", _("Diputuskan pada"), complaint.decided_at),
                    Item(
                        "alasan_penolakan",
                        _("Alasan penolakan"),
                        complaint.rejection.label if complaint.rejection else None,
                    ),
                    Item(
                        "alasan_keputusan",
                        _("Alasan keputusan"),
                        complaint.decision_reason if complaint.status != ComplaintStatus.PENDING else None,
                    ),
                ]
                for complaint, cited_wave_numbers in waves.complaints
            ],
        )
    )
    sections.append(
        Section(
            "penggantian_email",
            _("Penggantian email"),
            records=[
                [
                    Item("email_lama", _("Email lama"), change.old_email),
                    Item("email_baru", _("Email baru"), change.new_email),
                    Item("diminta_pada", _("Diminta pada"), change.created_at),
                    Item("dikonfirmasi_pada", _("Dikonfirmasi pada"), change.confirmed_at),
                ]
                for change in account.email_changes
            ],
        )
    )
    sections.append(
        Section(
            "kode_masuk",
            _("Kode masuk yang dikirim lewat email"),
            records=[
                [
                    Item("dikirim_pada", _("Dikirim pada"), code.created_at),
                    Item("dipakai_pada", _("Dipakai pada"), code.used_at),
                ]
                for code in account.login_codes
            ],
        )
    )
    sections.append(
        Section(
            "pesan",
            _("SMS dan email yang kami kirim"),
            records=[
                [
                    Item("kanal", _("Kanal"), message.get_channel_display()),
                    Item(
                        "penerima",
                        _("Penerima"),
                        message.recipient,
                        mask_recipient(message.recipient) if message.recipient else None,
                    ),
                    Item("subjek", _("Subjek"), message.email_subject),
                    Item("status", _("Status"), message.get_status_display()),
                    Item("dibuat_pada", _("Dibuat pada"), message.created_at),
                    Item("terkirim_pada", _("Terkirim pada"), message.sent_at),
                    # A one-time code stays out: it is a key, not data about the applicant.
                    Item(
                        "isi",
                        _("Isi"),
                        None if message.sensitive else message.text or None,
                        DASH if message.sensitive or not message.text else _("(ada di unduhan)"),
                    ),
                ]
                for message in messages
            ],
        )
    )
    return OwnData(sections=sections, generated_at=now, ktp_photo_id=photo.pk if photo else None)
