"""The registration funnel: its steps, who a wave's funnel counts, and the one statement that counts them.

Who is counted (docs/OPERATIONS.md, "The funnel"): every applicant account (not staff) made by the wave's
cut-off — its close, or now while it is open — with the steps of the journey it had taken by then, each step
counted by the time its row says it was taken. The steps up to the test are the account's own, whatever wave it
later joins, so two waves open at the same time show the same figures up to "Tes lolos"; "Gabung" counts the
wave's enrollments and "Terpilih" its standing selection run. An account is in the province of its domicile
(Data diri, step 3) once it has one; before that it has none, and its row is "Belum ada domisili". "Gabung" and
"Terpilih" are counted in the province of the enrollment (the domicile when joining, the quota it competed in).
The counts are cumulative and in step order: an account that verified its phone counts under every step before.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from assessment.models import Attempt, Declaration
from regions.models import District, Regency
from verification.models import IdentityVerification, KtpPhoto, PersonalData, PhoneNumber

# Every step, in the journey's order: (the FunnelCount field, its label).
STEPS: tuple[tuple[str, object], ...] = (
    ("accounts", _("Akun dibuat")),
    ("email_verified", _("Email terverifikasi")),
    ("ktp_verified", _("KTP terverifikasi")),
    ("personal_data", _("Data diri")),
    ("ktp_photo", _("Foto KTP")),
    ("phone_verified", _("Nomor HP terverifikasi")),
    ("declared", _("Pernyataan pendaftar")),
    ("test_passed", _("Tes lolos")),
    ("joined", _("Gabung gelombang")),
    ("selected", _("Terpilih")),
)
STEP_NAMES = tuple(name for name, _label in STEPS)
# The steps an account takes by itself, before it joins a wave: the statement below counts them.
ACCOUNT_STEPS = STEP_NAMES[: STEP_NAMES.index("test_passed") + 1]
# From this step on an account has a domicile, hence a province.
DOMICILE_STEP = STEP_NAMES.index("personal_data")

# One row per account made by the cut-off: how many of its steps it had taken by then, in order (1: only the
# account), and its domicile's province. One statement over the tables of four apps, because one pass over the
# accounts with a join per step is what lets a million accounts be counted in seconds; a count per app would
# each have to join the accounts and the domicile again (and the steps' order could not be applied). It reads
# only timestamps, flags and keys: no personal value (those are encrypted) is compared. The test counts once
# the account has any passed attempt (a pass carries over to every later wave), found by a grouped sub-query so
# an account with several attempts is one row.
# Then, per province, how many reached each step (before Data diri an account has no domicile yet, whatever a
# later row says: it came after the cut-off): 39 rows, cumulative already.
_CUMULATIVE = ", ".join(f"SUM(CASE WHEN level >= {n} THEN 1 ELSE 0 END)" for n in range(1, len(ACCOUNT_STEPS) + 1))
ACCOUNT_LEVELS_SQL = f"""
WITH passed AS (
    SELECT user_id, MIN(submitted_at) AS at FROM {Attempt._meta.db_table} WHERE passed = %(yes)s GROUP BY user_id
), reached AS (
    SELECT rg.province_id AS province_id,
           CASE WHEN u.email_verified_at IS NULL OR u.email_verified_at > %(cutoff)s THEN 1
                WHEN iv.verified_at IS NULL OR iv.verified_at > %(cutoff)s THEN 2
                WHEN pd.completed_at IS NULL OR pd.completed_at > %(cutoff)s THEN 3
                WHEN kp.uploaded_at IS NULL OR kp.uploaded_at > %(cutoff)s THEN 4
                WHEN ph.verified_at IS NULL OR ph.verified_at > %(cutoff)s THEN 5
                WHEN de.submitted_at IS NULL OR de.submitted_at > %(cutoff)s THEN 6
                WHEN pa.at IS NULL OR pa.at > %(cutoff)s THEN 7
                ELSE 8 END AS level
    FROM {User._meta.db_table} u
    LEFT JOIN {IdentityVerification._meta.db_table} iv ON iv.user_id = u.id
    LEFT JOIN {PersonalData._meta.db_table} pd ON pd.user_id = u.id
    LEFT JOIN {District._meta.db_table} di ON di.code = pd.district_id
    LEFT JOIN {Regency._meta.db_table} rg ON rg.code = di.regency_id
    LEFT JOIN {KtpPhoto._meta.db_table} kp ON kp.user_id = u.id
    LEFT JOIN {PhoneNumber._meta.db_table} ph ON ph.user_id = u.id
    LEFT JOIN {Declaration._meta.db_table} de ON de.user_id = u.id
    LEFT JOIN passed pa ON pa.user_id = u.id
    WHERE u.date_joined <= %(cutoff)s AND u.is_staff = %(no)s
)
SELECT CASE WHEN level > %(domicile)s THEN province_id END AS province, {_CUMULATIVE}
FROM reached GROUP BY 1
"""


@dataclass
class Funnel:
    """Cumulative counts per step for one province (or the accounts without a domicile, ``province_id`` None)."""

    province_id: str | None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STEP_NAMES, 0))


def account_funnels(*, cutoff: datetime) -> dict[str | None, Funnel]:
    """The account steps' cumulative counts per domicile province at ``cutoff`` (one query)."""
    params = {
        "cutoff": connection.ops.adapt_datetimefield_value(cutoff),
        "yes": True,
        "no": False,
        "domicile": DOMICILE_STEP,
    }
    with connection.cursor() as cursor:
        cursor.execute(ACCOUNT_LEVELS_SQL, params)
        rows = cursor.fetchall()
    funnels: dict[str | None, Funnel] = {}
    for province, *counts in rows:
        funnel = funnels[province] = Funnel(province)
        funnel.counts.update(zip(ACCOUNT_STEPS, (n or 0 for n in counts), strict=True))
    return funnels
