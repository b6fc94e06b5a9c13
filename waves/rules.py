"""Eligibility rules (DESIGN §4), each defined ONCE, with its reason code, as a query expression over
applicants (accounts.User). The join-time check and the selection both filter with these expressions, so
the two can never disagree.

Each rule is a function of the wave (some depend on its close date or its policy) returning a ``Q`` that
is true for applicants the rule lets through. The rules that need selection results — a past or revoked
recipient, a Kartu Keluarga with 2 recipients already — arrive with the results (issue #5, selection).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.functional import Promise

from assessment.models import Attempt
from waves.models import Wave

ADULT_AGE = 18
# A rule a wave's policy switches off lets everyone through (an empty Q() cannot be a column).
EVERYONE = Q(pk__isnull=False)


def _years_before(day, years: int):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class Rule:
    code: str
    message: Promise
    allows: Callable[[Wave], Q]


RULES: tuple[Rule, ...] = (
    Rule(
        "age",
        _("Usia minimal 18 tahun saat gelombang ditutup."),
        lambda wave: Q(identity__birth_date__lte=_years_before(wave.closes_at.date(), ADULT_AGE)),
    ),
    Rule(
        "in_education",
        _("Peserta tidak sedang menempuh pendidikan formal."),
        lambda wave: Q(declaration__in_formal_education=False),
    ),
    Rule(
        "excluded_group_declared",
        _("Peserta bukan pejabat negara, anggota DPR/DPRD, ASN, prajurit TNI, anggota Polri, kepala/perangkat desa, "
          "atau direksi/komisaris/dewan pengawas BUMN/BUMD."),
        lambda wave: Q(declaration__excluded_groups=[]),
    ),
    Rule(
        "excluded_group_registry",
        _("Menurut data Dukcapil, pekerjaan di KTP Anda termasuk kelompok yang tidak dapat mengikuti program."),
        lambda wave: Q(identity__registry_excluded_occupation=False),
    ),
    Rule(
        "other_aid",
        _("Gelombang ini tidak terbuka bagi penerima bantuan pemerintah lain."),
        lambda wave: EVERYONE if wave.other_aid_allowed else Q(declaration__other_aid=[]),
    ),
    Rule(
        "test_not_passed",
        _("Lulus Tes Motivasi & Kemampuan Dasar."),
        # No attempt can start after a pass, so "has a passed attempt" is "the latest attempt passed".
        lambda wave: Q(Exists(Attempt.objects.filter(user=OuterRef("pk"), passed=True))),
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


def rule_failures(*, user_id: int, wave: Wave) -> list[Rule]:
    """The rules ``user_id`` fails for ``wave``, in one query (each rule is a boolean column)."""
    from accounts.models import User

    columns = {f"rule_{rule.code}": _as_boolean(rule.allows(wave)) for rule in RULES}
    row = User.objects.filter(pk=user_id).annotate(**columns).values(*columns).first()
    return [rule for rule in RULES if not row[f"rule_{rule.code}"]]


def _as_boolean(condition: Q):
    from django.db.models import BooleanField, Case, Value, When

    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())
