"""Eligibility rules (DESIGN §4), each defined ONCE, with its reason code, as a query expression.

The join-time check and the selection both filter with these expressions, so the two can never disagree.
A rule is a function of the wave (some depend on its close date or its policy) and of the path from the
rows being filtered to the applicant: ``""`` when filtering users (accounts.User), ``"user__"`` when
filtering enrollments. It returns a ``Q`` that is true for applicants the rule lets through.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import BooleanField, Case, CharField, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from assessment.models import Attempt
from prakerja.timeutil import wib_date
from waves.models import Card, Complaint, ComplaintStatus, Wave

ADULT_AGE = 18
RECIPIENTS_PER_KK = 2
# A rule a wave's policy switches off lets everyone through (an empty Q() cannot be a column).
EVERYONE = Q(pk__isnull=False)


def _years_before(day, years: int):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _user(prefix: str) -> str:
    """The outer reference to the applicant's id from the rows being filtered."""
    return f"{prefix}pk" if not prefix else f"{prefix[:-2]}_id"


def recipients():
    """Everyone ever given a card, revoked or not (a voided run's cards are gone with it).

    Cards, not results: the selection writes results in the same statement that reads these rules, and a
    rule reading the table being written would scan its growing heap once per row.
    """
    return Card.objects.all()


def kk_room(prefix: str = "", *, kk_digest: str | None = None):
    """How many more recipients the applicant's Kartu Keluarga may have, counting every earlier wave. The KK is
    the applicant's, or the field ``kk_digest`` of the rows being filtered (the selection's results)."""
    earlier = (
        recipients()
        .filter(kk_digest=OuterRef(kk_digest or f"{prefix}identity__kk_digest"))
        .values("kk_digest")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Value(RECIPIENTS_PER_KK) - Coalesce(Subquery(earlier, output_field=IntegerField()), Value(0))


# The priority tier of the lottery (DESIGN §4 step 2): applicants with an approved "gagal 3 kali" complaint rank
# before everyone else, and the lottery orders each tier. Tiers are single digits (0-9): the selection sorts on a
# text key that writes the tier as one character (waves/selection.py, _rank_key).
PRIORITY_COMPLAINT = 1
PRIORITY_NONE = 0


def priority_tier(prefix: str = ""):
    """The applicant's tier: an approved complaint gives priority until they are selected. No end date is
    needed: once selected they are a recipient, whom the rules exclude from every later wave."""
    approved = Complaint.objects.filter(user_id=OuterRef(_user(prefix)), status=ComplaintStatus.APPROVED)
    return Case(
        When(Exists(approved), then=Value(PRIORITY_COMPLAINT)), default=Value(PRIORITY_NONE), output_field=IntegerField()
    )


@dataclass(frozen=True)
class Rule:
    code: str
    message: Promise
    allows: Callable[[Wave, str], Q]


RULES: tuple[Rule, ...] = (
    Rule(
        "age",
        _("Usia minimal 18 tahun saat gelombang ditutup."),
        # The WIB date of the close: closes_at read from the database is in UTC, a day early before 07:00 WIB.
        lambda wave, p: Q(**{f"{p}identity__birth_date__lte": _years_before(wib_date(wave.closes_at), ADULT_AGE)}),
    ),
    Rule(
        "in_education",
        _("Peserta tidak sedang menempuh pendidikan formal."),
        lambda wave, p: Q(**{f"{p}declaration__in_formal_education": False}),
    ),
    Rule(
        "excluded_group_declared",
        _("Peserta bukan pejabat negara, anggota DPR/DPRD, ASN, prajurit TNI, anggota Polri, kepala/perangkat desa, "
          "atau direksi/komisaris/dewan pengawas BUMN/BUMD."),
        lambda wave, p: Q(**{f"{p}declaration__excluded_groups": []}),
    ),
    Rule(
        "excluded_group_registry",
        _("Menurut data Dukcapil, pekerjaan di KTP Anda termasuk kelompok yang tidak dapat mengikuti program."),
        lambda wave, p: Q(**{f"{p}identity__registry_excluded_occupation": False}),
    ),
    Rule(
        "past_recipient",
        _("Penerima Kartu Prakerja sebelumnya tidak dapat menerima lagi."),
        lambda wave, p: ~Q(Exists(recipients().filter(user_id=OuterRef(_user(p))))),
    ),
    Rule(
        "kk_full",
        _("Sudah ada 2 penerima Kartu Prakerja dalam Kartu Keluarga Anda."),
        lambda wave, p: Q(GreaterThan(kk_room(p), 0)),
    ),
    Rule(
        "other_aid",
        _("Gelombang ini tidak terbuka bagi penerima bantuan pemerintah lain."),
        lambda wave, p: EVERYONE if wave.other_aid_allowed else Q(**{f"{p}declaration__other_aid": []}),
    ),
    Rule(
        "test_not_passed",
        _("Lulus Tes Motivasi & Kemampuan Dasar."),
        # No attempt can start after a pass, so "has a passed attempt" is "the latest attempt passed".
        lambda wave, p: Q(Exists(Attempt.objects.filter(user_id=OuterRef(_user(p)), passed=True))),
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


def rule_failures(*, user_id: int, wave: Wave) -> list[Rule]:
    """The rules ``user_id`` fails for ``wave``, in one query (each rule is a boolean column)."""
    from accounts.models import User

    columns = {f"rule_{rule.code}": as_boolean(rule.allows(wave, "")) for rule in RULES}
    row = User.objects.filter(pk=user_id).annotate(**columns).values(*columns).first()
    return [rule for rule in RULES if not row[f"rule_{rule.code}"]]


def first_failure(wave: Wave, prefix: str):
    """The reason code of the first rule an applicant fails, or NULL: one CASE expression for the selection."""
    return Case(
        *(When(~rule.allows(wave, prefix), then=Value(rule.code)) for rule in RULES),
        default=Value(None),
        output_field=CharField(),
    )


def as_boolean(condition: Q):
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


# Reasons a selection gives besides the rules (waves/selection.py), as shown to the applicant.
SELECTION_REASONS = {
    "quota": _("Kuota provinsi Anda sudah terisi oleh pendaftar dengan urutan undian lebih awal."),
    "kk_cap": _("Sudah ada 2 penerima Kartu Prakerja dalam Kartu Keluarga Anda."),
}


# A failed selection (DESIGN §5, what "gagal 3 kali" counts): the applicant was a candidate, through every rule
# above, and was not selected. Exclusions by a rule are not selections, and failed registration attempts
# (a NIK that did not match, a test not passed) never reach a selection at all.
FAILED_SELECTION_REASONS = tuple(SELECTION_REASONS)


def reason_message(code: str | None) -> str:
    if code is None:
        return ""
    if code in SELECTION_REASONS:
        return str(SELECTION_REASONS[code])
    return str(RULES_BY_CODE[code].message) if code in RULES_BY_CODE else code
