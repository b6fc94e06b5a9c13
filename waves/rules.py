"""Eligibility rules (DESIGN §4), each defined ONCE, with its reason code, as a query expression.

The join-time check and the selection both filter with these expressions, so the two can never disagree (one
rule, marked ``at_join=False``, reads another wave's unannounced cards, which only the selection may act on).
Codes and texts are waves.reasons.ResultReason.
A rule is a function of the wave (some depend on its close date or its policy) and of the path from the
rows being filtered to the applicant: ``""`` when filtering users (accounts.User), ``"user__"`` when
filtering enrollments. It returns a ``Q`` that is true for applicants the rule lets through.

One rule reads a date the database cannot compare: the birth date is encrypted (prakerja/fields.py). The age rule
is therefore worked out in Python, by ``adult_at_close``, for the one applicant who joins (``Rule.check``), and
the enrollment keeps the outcome (``Enrollment.adult_at_close``, recounted by the selection if the wave's close
moved: waves.services.enrollment_ages_count), which the selection's SQL reads. Both come from the same function.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from assessment.models import Attempt
from prakerja.timeutil import wib_date
from verification.models import IdentityVerification, RetainedNikIndex
from waves.models import Card, Complaint, ComplaintStatus, Wave
from waves.reasons import ResultReason

ADULT_AGE = 18
RECIPIENTS_PER_KK = 2
# A rule a wave's policy switches off lets everyone through (an empty Q() cannot be a column).
EVERYONE = Q(pk__isnull=False)


def _years_before(day, years: int):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def adult_at_close(birth_date: date | None, closes_at: datetime) -> bool:
    """Whether someone born on ``birth_date`` is ADULT_AGE by the day (WIB) a wave closing at ``closes_at``
    closes: the age rule, to the day (someone born on 29 February turns a year older on 28 February)."""
    return birth_date is not None and birth_date <= _years_before(wib_date(closes_at), ADULT_AGE)


def _adult_at_join(wave: Wave, user_id: int) -> bool:
    birth_date = IdentityVerification.objects.filter(user_id=user_id).values_list("birth_date", flat=True).first()
    return adult_at_close(birth_date, wave.closes_at)


def _enrollment_adult(wave: Wave, prefix: str) -> Q:
    # Only the enrollments' form exists (the selection's, prefix "user__"): at join it is Rule.check.
    if prefix != "user__":
        raise ValueError("the age rule filters enrollments; at join it is checked in Python (Rule.check)")
    return Q(adult_at_close=True)


def _user(prefix: str) -> str:
    """The outer reference to the applicant's id from the rows being filtered."""
    return f"{prefix}pk" if not prefix else f"{prefix[:-2]}_id"


def recipients(*, announced_by: datetime | None = None):
    """Everyone ever given a card, revoked or not (a voided run's cards are gone with it); with
    ``announced_by``, only the cards of waves announced by then (the others are still secret).

    Cards, not results: the selection writes results in the same statement that reads these rules, and a
    rule reading the table being written would scan its growing heap once per row.
    """
    cards = Card.objects.all()
    return cards.filter(wave__announce_at__lte=announced_by) if announced_by else cards


def kk_room(prefix: str = "", *, kk_digest: str | None = None, announced_by: datetime | None = None):
    """How many more recipients the applicant's Kartu Keluarga may have, counting every earlier wave (or those
    announced by ``announced_by``). The KK is the applicant's, or the field ``kk_digest`` of the rows being
    filtered (the selection's results)."""
    earlier = (
        recipients(announced_by=announced_by)
        .filter(kk_digest=OuterRef(kk_digest or f"{prefix}identity__kk_digest"))
        .values("kk_digest")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Value(RECIPIENTS_PER_KK) - Coalesce(Subquery(earlier, output_field=IntegerField()), Value(0))


# The priority tier of the lottery (DESIGN §4 step 2): applicants with an approved "gagal 3 kali" complaint rank
# before everyone else, and the lottery orders each tier. Tiers are single digits (0-9): the selection sorts on a
# text key that writes the tier as one character (waves/selection/ranking.py, rank_key), and the results' check
# constraint (waves_result_priority_one_digit) refuses any other value.
PRIORITY_COMPLAINT = 1
PRIORITY_NONE = 0


def priority_tier(prefix: str = ""):
    """The applicant's tier: an approved complaint gives priority until they are selected. No end date is
    needed: once selected they are a recipient, whom the rules exclude from every later wave."""
    approved = Complaint.objects.filter(user_id=OuterRef(_user(prefix)), status=ComplaintStatus.APPROVED)
    return Case(
        When(Exists(approved), then=Value(PRIORITY_COMPLAINT)),
        default=Value(PRIORITY_NONE),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class Rule:
    code: ResultReason
    allows: Callable[[Wave, str], Q]
    # False for a rule that reads what applicants may not know yet (another wave's unannounced cards): the
    # selection applies it, the join-time check cannot say it.
    at_join: bool = True
    # The join-time check in Python, for a rule SQL cannot say for one applicant (the age: an encrypted date).
    check: Callable[[Wave, int], bool] | None = None

    @property
    def message(self) -> str:
        return self.code.applicant_message


def _announced_by(wave: Wave) -> datetime:
    """Cards a rule may count as known: of waves announced by now, or by this wave's close once it is closed."""
    return min(timezone.now(), wave.closes_at)


RULES: tuple[Rule, ...] = (
    Rule(ResultReason.AGE, _enrollment_adult, check=_adult_at_join),
    Rule(ResultReason.IN_EDUCATION, lambda wave, p: Q(**{f"{p}declaration__in_formal_education": False})),
    Rule(ResultReason.EXCLUDED_GROUP_DECLARED, lambda wave, p: Q(**{f"{p}declaration__excluded_groups": []})),
    Rule(
        ResultReason.EXCLUDED_GROUP_REGISTRY,
        lambda wave, p: Q(**{f"{p}identity__registry_excluded_occupation": False}),
    ),
    Rule(
        ResultReason.PAST_RECIPIENT,
        lambda wave, p: (
            ~Q(Exists(recipients().filter(user_id=OuterRef(_user(p)))))
            # A recipient who deleted their account and came back with the same NIK (verification.RetainedNikIndex).
            & ~Q(Exists(RetainedNikIndex.objects.filter(nik_digest=OuterRef(f"{p}identity__nik_digest"))))
        ),
    ),
    Rule(ResultReason.KK_FULL, lambda wave, p: Q(GreaterThan(kk_room(p, announced_by=_announced_by(wave)), 0))),
    # After KK_FULL: the KK had room counting the announced waves, and another wave selected meanwhile (its
    # cards not announced yet) has filled it. Selections take turns (waves/selection/dialect.py), so the later one
    # sees the earlier one's cards.
    Rule(ResultReason.KK_FILLED_ELSEWHERE, lambda wave, p: Q(GreaterThan(kk_room(p), 0)), at_join=False),
    Rule(
        ResultReason.OTHER_AID,
        lambda wave, p: EVERYONE if wave.other_aid_allowed else Q(**{f"{p}declaration__other_aid": []}),
    ),
    Rule(
        ResultReason.TEST_NOT_PASSED,
        # No attempt can start after a pass, so "has a passed attempt" is "the latest attempt passed".
        lambda wave, p: Q(Exists(Attempt.objects.filter(user_id=OuterRef(_user(p)), passed=True))),
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


def rule_failures(*, user_id: int, wave: Wave) -> list[Rule]:
    """The rules ``user_id`` fails for ``wave``, in one query (each rule is a boolean column)."""
    from accounts.models import User

    rules = [rule for rule in RULES if rule.at_join]
    columns = {f"rule_{rule.code}": as_boolean(rule.allows(wave, "")) for rule in rules if rule.check is None}
    row = User.objects.filter(pk=user_id).annotate(**columns).values(*columns).first()
    return [
        rule
        for rule in rules
        if not (rule.check(wave, user_id) if rule.check is not None else row[f"rule_{rule.code}"])
    ]


def first_failure(wave: Wave, prefix: str):
    """The reason code of the first rule an applicant fails, or NULL: one CASE expression for the selection, over
    enrollments whose age has been counted for the wave's close (waves.services.enrollment_ages_count)."""
    return Case(
        *(When(~rule.allows(wave, prefix), then=Value(rule.code.value)) for rule in RULES),
        default=Value(None),
        output_field=CharField(),
    )


def as_boolean(condition: Q):
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())
