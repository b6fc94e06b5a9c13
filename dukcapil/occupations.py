"""The occupations a KTP can show, and which of them put a person in a group the program excludes.

The names are those of the "jenis pekerjaan" list of the civil registry's system (SIAK), printed on the KTP in
capitals. Permenko 11/2020 (and Permenko 3/2021 after it) excludes from Kartu Prakerja: pejabat negara;
pimpinan dan anggota DPRD; aparatur sipil negara; prajurit TNI; anggota Polri; kepala desa dan perangkat
desa; direksi, komisaris dan dewan pengawas BUMN/BUMD. The registry answers only whether a resident's
occupation falls in one of these groups, never the occupation itself.

Members of the DPR and DPD are pejabat negara under UU 5/2014 (ASN) pasal 122, so they are listed under
that group; the DPRD has a group of its own in the regulation. SIAK's list has no entry for the boards of
state-owned companies (their KTP usually says KARYAWAN BUMN or WIRASWASTA); the mock adds one so that the
group can be exercised.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class ExcludedGroup(StrEnum):
    PEJABAT_NEGARA = "pejabat_negara"
    DPRD = "dprd"
    ASN = "asn"
    TNI = "tni"
    POLRI = "polri"
    DESA = "desa"
    BUMN_BUMD = "bumn_bumd"

    @property
    def label(self) -> str:
        return str(EXCLUDED_GROUP_LABELS[self])


EXCLUDED_GROUP_LABELS = {
    ExcludedGroup.PEJABAT_NEGARA: _("Pejabat negara"),
    ExcludedGroup.DPRD: _("Pimpinan dan anggota DPRD"),
    ExcludedGroup.ASN: _("Aparatur sipil negara"),
    ExcludedGroup.TNI: _("Prajurit TNI"),
    ExcludedGroup.POLRI: _("Anggota Polri"),
    ExcludedGroup.DESA: _("Kepala desa dan perangkat desa"),
    ExcludedGroup.BUMN_BUMD: _("Direksi, komisaris dan dewan pengawas BUMN/BUMD"),
}


@dataclass(frozen=True)
class Occupation:
    name: str  # as printed on the KTP
    excluded_group: ExcludedGroup | None = None

    @property
    def excluded(self) -> bool:
        return self.excluded_group is not None


# Names that other modules (the seeder, the sampler) refer to.
NOT_WORKING = "BELUM/TIDAK BEKERJA"
HOMEMAKER = "MENGURUS RUMAH TANGGA"
STUDENT = "PELAJAR/MAHASISWA"
RETIRED = "PENSIUNAN"

_G = ExcludedGroup
OCCUPATIONS: tuple[Occupation, ...] = (
    Occupation(NOT_WORKING),
    Occupation(HOMEMAKER),
    Occupation(STUDENT),
    Occupation(RETIRED),
    Occupation("PEGAWAI NEGERI SIPIL (PNS)", _G.ASN),
    Occupation("TENTARA NASIONAL INDONESIA (TNI)", _G.TNI),
    Occupation("KEPOLISIAN RI (POLRI)", _G.POLRI),
    Occupation("PERDAGANGAN"),
    Occupation("PETANI/PEKEBUN"),
    Occupation("PETERNAK"),
    Occupation("NELAYAN/PERIKANAN"),
    Occupation("INDUSTRI"),
    Occupation("KONSTRUKSI"),
    Occupation("TRANSPORTASI"),
    Occupation("KARYAWAN SWASTA"),
    Occupation("KARYAWAN BUMN"),
    Occupation("KARYAWAN BUMD"),
    Occupation("KARYAWAN HONORER"),
    Occupation("BURUH HARIAN LEPAS"),
    Occupation("BURUH TANI/PERKEBUNAN"),
    Occupation("BURUH NELAYAN/PERIKANAN"),
    Occupation("BURUH PETERNAKAN"),
    Occupation("PEMBANTU RUMAH TANGGA"),
    Occupation("TUKANG CUKUR"),
    Occupation("TUKANG LISTRIK"),
    Occupation("TUKANG BATU"),
    Occupation("TUKANG KAYU"),
    Occupation("TUKANG SOL SEPATU"),
    Occupation("TUKANG LAS/PANDAI BESI"),
    Occupation("TUKANG JAHIT"),
    Occupation("TUKANG GIGI"),
    Occupation("PENATA RIAS"),
    Occupation("PENATA BUSANA"),
    Occupation("PENATA RAMBUT"),
    Occupation("MEKANIK"),
    Occupation("SENIMAN"),
    Occupation("TABIB"),
    Occupation("PARAJI"),
    Occupation("PERANCANG BUSANA"),
    Occupation("PENTERJEMAH"),
    Occupation("IMAM MASJID"),
    Occupation("PENDETA"),
    Occupation("PASTOR"),
    Occupation("WARTAWAN"),
    Occupation("USTADZ/MUBALIGH"),
    Occupation("JURU MASAK"),
    Occupation("PROMOTOR ACARA"),
    Occupation("ANGGOTA DPR-RI", _G.PEJABAT_NEGARA),
    Occupation("ANGGOTA DPD", _G.PEJABAT_NEGARA),
    Occupation("ANGGOTA BPK", _G.PEJABAT_NEGARA),
    Occupation("PRESIDEN", _G.PEJABAT_NEGARA),
    Occupation("WAKIL PRESIDEN", _G.PEJABAT_NEGARA),
    Occupation("ANGGOTA MAHKAMAH KONSTITUSI", _G.PEJABAT_NEGARA),
    Occupation("ANGGOTA KABINET/KEMENTERIAN", _G.PEJABAT_NEGARA),
    Occupation("DUTA BESAR", _G.PEJABAT_NEGARA),
    Occupation("GUBERNUR", _G.PEJABAT_NEGARA),
    Occupation("WAKIL GUBERNUR", _G.PEJABAT_NEGARA),
    Occupation("BUPATI", _G.PEJABAT_NEGARA),
    Occupation("WAKIL BUPATI", _G.PEJABAT_NEGARA),
    Occupation("WALIKOTA", _G.PEJABAT_NEGARA),
    Occupation("WAKIL WALIKOTA", _G.PEJABAT_NEGARA),
    Occupation("ANGGOTA DPRD PROVINSI", _G.DPRD),
    Occupation("ANGGOTA DPRD KABUPATEN/KOTA", _G.DPRD),
    Occupation("DOSEN"),
    Occupation("GURU"),
    Occupation("PILOT"),
    Occupation("PENGACARA"),
    Occupation("NOTARIS"),
    Occupation("ARSITEK"),
    Occupation("AKUNTAN"),
    Occupation("KONSULTAN"),
    Occupation("DOKTER"),
    Occupation("BIDAN"),
    Occupation("PERAWAT"),
    Occupation("APOTEKER"),
    Occupation("PSIKIATER/PSIKOLOG"),
    Occupation("PENYIAR TELEVISI"),
    Occupation("PENYIAR RADIO"),
    Occupation("PELAUT"),
    Occupation("PENELITI"),
    Occupation("SOPIR"),
    Occupation("PIALANG"),
    Occupation("PARANORMAL"),
    Occupation("PEDAGANG"),
    Occupation("PERANGKAT DESA", _G.DESA),
    Occupation("KEPALA DESA", _G.DESA),
    Occupation("BIARAWATI"),
    Occupation("WIRASWASTA"),
    Occupation("DIREKSI/KOMISARIS BUMN/BUMD", _G.BUMN_BUMD),
    Occupation("LAINNYA"),
)
del _G

OCCUPATION_BY_NAME: dict[str, Occupation] = {o.name: o for o in OCCUPATIONS}
OCCUPATION_CHOICES: list[tuple[str, str]] = [(o.name, o.name) for o in OCCUPATIONS]
EXCLUDED_OCCUPATIONS: frozenset[str] = frozenset(o.name for o in OCCUPATIONS if o.excluded)
# The longest name, for the column's max_length.
OCCUPATION_MAX_LENGTH = 40
if max(len(o.name) for o in OCCUPATIONS) > OCCUPATION_MAX_LENGTH:
    raise ValueError(f"an occupation's name is longer than OCCUPATION_MAX_LENGTH ({OCCUPATION_MAX_LENGTH})")


def occupation_excluded(name: str) -> bool:
    """Whether the occupation on a KTP puts its holder in a group Permenko 11/2020 excludes."""
    return name in EXCLUDED_OCCUPATIONS


def occupation_excluded_group(name: str) -> ExcludedGroup | None:
    occupation = OCCUPATION_BY_NAME.get(name)
    return occupation.excluded_group if occupation else None
