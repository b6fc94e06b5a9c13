"""Who may not receive a Kartu Prakerja, as the applicant declares it: the one list of codes and names.

Perpres 36/2020 art. 3 and Permenko 11/2020 (DESIGN §4): a participant is not in formal education and is
not in one of the excluded groups below. The applicant's declaration (step 6) asks each group as its own
question; the answers become reason codes (``in_education``, ``excluded_group:<code>``) that the journey
shows and that the waves app reuses at join time and in selection, so the codes, their Indonesian names and
the sentence that tells the applicant which rule applies live here and nowhere else.

Codes are stored (in declarations, and later in selection results): never rename one; add new ones.
"""

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ExcludedGroup(models.TextChoices):
    """The groups excluded from the programme, with their names as the regulation writes them."""

    STATE_OFFICIAL = "pejabat_negara", _("Pejabat negara")
    LEGISLATOR = "dpr_dprd", _("Pimpinan dan anggota DPR/DPRD")
    CIVIL_SERVANT = "asn", _("Aparatur Sipil Negara (ASN)")
    SOLDIER = "tni", _("Prajurit TNI")
    POLICE = "polri", _("Anggota Polri")
    VILLAGE_OFFICIAL = "perangkat_desa", _("Kepala desa dan perangkat desa")
    STATE_ENTERPRISE_BOARD = "direksi_bumn_bumd", _("Direksi, komisaris, dan dewan pengawas BUMN/BUMD")


# The question the declaration asks for each group, in the applicant's words.
EXCLUDED_GROUP_QUESTIONS: dict[str, Promise] = {
    ExcludedGroup.STATE_OFFICIAL: _("Apakah Anda seorang pejabat negara?"),
    ExcludedGroup.LEGISLATOR: _("Apakah Anda pimpinan atau anggota DPR/DPRD?"),
    ExcludedGroup.CIVIL_SERVANT: _("Apakah Anda Aparatur Sipil Negara (ASN: PNS atau PPPK)?"),
    ExcludedGroup.SOLDIER: _("Apakah Anda prajurit TNI?"),
    ExcludedGroup.POLICE: _("Apakah Anda anggota Polri?"),
    ExcludedGroup.VILLAGE_OFFICIAL: _("Apakah Anda kepala desa atau perangkat desa?"),
    ExcludedGroup.STATE_ENTERPRISE_BOARD: _("Apakah Anda direksi, komisaris, atau dewan pengawas BUMN/BUMD?"),
}


class OtherAid(models.TextChoices):
    """Other government aid an applicant may receive; whether it excludes them is a per-wave policy."""

    BPUM = "bpum", _("Banpres Produktif Usaha Mikro (BPUM)")
    BLT_DANA_DESA = "blt_dana_desa", _("BLT Dana Desa")
    BSU = "bsu", _("Bantuan Subsidi Upah (BSU)")
    PKH = "pkh", _("Program Keluarga Harapan (PKH)")
    SEMBAKO = "sembako", _("Kartu Sembako/BPNT")


IN_EDUCATION = "in_education"
EXCLUDED_GROUP_PREFIX = "excluded_group:"


def excluded_group_reason(group: str) -> str:
    return f"{EXCLUDED_GROUP_PREFIX}{ExcludedGroup(group).value}"


def exclusion_reasons_from(
    *, in_formal_education: bool, excluded_groups: frozenset[str] | set[str] | tuple[str, ...]
) -> tuple[str, ...]:
    """The reason codes a declaration's answers give, in a stable order (education first, then the groups
    in the regulation's order)."""
    reasons = [IN_EDUCATION] if in_formal_education else []
    reasons += [excluded_group_reason(group) for group in ExcludedGroup.values if group in excluded_groups]
    return tuple(reasons)


def exclusion_reason_message(code: str) -> str:
    """One plain sentence naming the rule behind ``code``, for the applicant."""
    if code == IN_EDUCATION:
        return str(
            _(
                "Anda sedang menempuh pendidikan formal. Peserta Kartu Prakerja tidak sedang sekolah atau "
                "kuliah (Perpres 36/2020)."
            )
        )
    if code.startswith(EXCLUDED_GROUP_PREFIX):
        group = ExcludedGroup(code.removeprefix(EXCLUDED_GROUP_PREFIX))
        return str(
            _(
                "Anda menyatakan termasuk kelompok “%(group)s”. Kelompok ini tidak dapat menjadi penerima "
                "Kartu Prakerja (Permenko 11/2020)."
            )
            % {"group": group.label}
        )
    raise ValueError(f"unknown exclusion reason {code!r}")
