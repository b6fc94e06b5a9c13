"""Eligibility rules (DESIGN §4), each defined ONCE, with its reason code, as a query expression.

The join-time check and the selection both filter with these expressions, so the two can never disagree (one
rule, marked ``at_join=False``, reads another wave's unannounced cards, which only the selection may act on).
Codes and texts are waves.reasons.ResultReason.
A rule is a function of the wave (some depend on its close date or its policy) and of the path from the
rows being filtered to the applicant: ``""`` when filtering users (accounts.User), ``"user__"`` when
filtering enrollments. It returns a ``Q`` that is true for applicants the rule lets through.

A rule that looks the applicant up in other rows (cards, retained NIKs, complaints, attempts) reads them through
``Lookups``: a subquery per applicant for one applicant (the join-time check), or for the selection's million each
set of rows grouped once and joined (``JoinedLookups``), so that the rule is still written once.

One rule reads a date the database cannot compare: the birth date is encrypted (prakerja/fields.py). The age rule
is therefore worked out in Python, by ``adult_at_close``, for the one applicant who joins (``Rule.check``), and
the enrollment keeps the outcome (``Enrollment.adult_at_close``, recounted by the selection if the wave's close
moved: waves.services.enrollment_ages_count), which the selection's SQL reads. Both come from the same function.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Expression
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


def _enrollment_adult(wave: Wave, prefix: str, lookups: "Lookups") -> Q:
    # Only the enrollments' form exists (the selection's, prefix "user__"): at join it is Rule.check.
    if prefix != "user__":
        raise ValueError("the age rule filters enrollments; at join it is checked in Python (Rule.check)")
    return Q(adult_at_close=True)


def _user(prefix: str) -> str:
    """The outer reference to the applicant's id from the rows being filtered."""
    return f"{prefix}pk" if not prefix else f"{prefix[:-2]}_id"


class Lookups:
    """How the rules read the rows they look an applicant up in (cards, retained NIKs, complaints, attempts): here
    a subquery per applicant, as the join-time check reads one applicant (and the KK cap a few rows). The selection
    reads a million applicants at once with ``JoinedLookups``: the same rows, grouped once and joined. A rule says
    what it looks up once, through these two methods, whichever way it is read."""

    def count(self, rows: QuerySet, key: str, outer: str):
        """How many of ``rows`` have ``key`` equal to the field ``outer`` of the row being filtered (0: none)."""
        matching = rows.filter(**{key: OuterRef(outer)}).values(key).annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(matching, output_field=IntegerField()), Value(0))

    def exists(self, rows: QuerySet, key: str, outer: str):
        """Whether one of ``rows`` has ``key`` equal to the field ``outer`` of the row being filtered."""
        return Exists(rows.filter(**{key: OuterRef(outer)}))


class JoinedLookups(Lookups):
    """The lookups of a query over many applicants (the selection's), each one set of rows grouped by its key once
    and LEFT JOINed on the applicant's field, where a subquery per applicant would run once per row: a million
    probes each, even of an empty table (docs/PERFORMANCE.md, "The rules' look-ups joined once"). Build the query's
    expressions with this object, then ``sql`` writes the query with its joins."""

    def __init__(self) -> None:
        self._joins: dict[tuple, str] = {}  # (the grouped rows' SQL, its parameters, the outer field) -> alias

    def _alias(self, rows: QuerySet, key: str, outer: str) -> str:
        grouped = rows.values(lookup_key=F(key)).annotate(n=Count("pk")).values("lookup_key", "n")
        sql, params = grouped.query.sql_with_params()
        entry = (sql, tuple(params), outer)
        if entry not in self._joins:
            self._joins[entry] = f"rule_lookup_{len(self._joins)}"
        return self._joins[entry]

    def count(self, rows: QuerySet, key: str, outer: str):
        return _JoinedColumn(f"COALESCE({self._alias(rows, key, outer)}.n, 0)", IntegerField())

    def exists(self, rows: QuerySet, key: str, outer: str):
        return _JoinedColumn(f"({self._alias(rows, key, outer)}.n IS NOT NULL)", BooleanField())

    def sql(self, queryset: QuerySet) -> tuple[str, list]:
        """``queryset``'s SQL and parameters with the joins of the lookups its expressions were built with: each
        before its WHERE, on the column the ORM reads the applicant's field from."""
        outers = {f"rule_lookup_on_{i}": F(outer) for i, (_sql, _params, outer) in enumerate(self._joins)}
        query = queryset.alias(**outers).query  # the outer fields' joins, for the ON conditions; not selected
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        where = _where_of(sql)
        before = sql[:where].count("%s")
        joins, join_params = [], []
        for i, ((rows_sql, rows_params, _outer), alias) in enumerate(self._joins.items()):
            on_sql, on_params = compiler.compile(query.annotations[f"rule_lookup_on_{i}"])
            joins.append(f" LEFT JOIN ({rows_sql}) {alias} ON ({alias}.lookup_key = {on_sql})")
            join_params += [*rows_params, *on_params]
        return (
            sql[:where] + "".join(joins) + sql[where:],
            [*params[:before], *join_params, *params[before:]],
        )


def _where_of(sql: str) -> int:
    """Where the WHERE of ``sql`` itself starts, not one of a subquery's (inside parentheses: the ORM writes no
    parenthesis in a name, and values go as parameters)."""
    depth, found = 0, []
    for position, character in enumerate(sql):
        if character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
        elif depth == 0 and sql.startswith(" WHERE ", position):
            found.append(position)
    if len(found) != 1:
        raise ValueError(f"joined lookups go before the WHERE of a query that has one: {sql}")
    return found[0]


class _JoinedColumn(Expression):
    """A value read from a lookup's join (``JoinedLookups``), by SQL this module writes from the join's alias."""

    def __init__(self, sql: str, output_field) -> None:
        super().__init__(output_field=output_field)
        self.sql = sql

    def as_sql(self, compiler, connection):
        return self.sql, []


def recipients(*, announced_by: datetime | None = None):
    """Everyone ever given a card, revoked or not (a voided run's cards are gone with it); with
    ``announced_by``, only the cards of waves announced by then (the others are still secret).

    Cards, not results: the selection writes results in the same statement that reads these rules, and a
    rule reading the table being written would scan its growing heap once per row.
    """
    cards = Card.objects.all()
    return cards.filter(wave__announce_at__lte=announced_by) if announced_by else cards


def kk_room(
    prefix: str = "",
    *,
    kk_digest: str | None = None,
    announced_by: datetime | None = None,
    lookups: Lookups | None = None,
):
    """How many more recipients the applicant's Kartu Keluarga may have, counting every earlier wave (or those
    announced by ``announced_by``). The KK is the applicant's, or the field ``kk_digest`` of the rows being
    filtered (the selection's results)."""
    earlier = (lookups or Lookups()).count(
        recipients(announced_by=announced_by), "kk_digest", kk_digest or f"{prefix}identity__kk_digest"
    )
    return Value(RECIPIENTS_PER_KK) - earlier


# The priority tier of the lottery (DESIGN §4 step 2): applicants with an approved "gagal 3 kali" complaint rank
# before everyone else, and the lottery orders each tier. Tiers are single digits (0-9): the selection sorts on a
# text key that writes the tier as one character (waves/selection/ranking.py, rank_key), and the results' check
# constraint (waves_result_priority_one_digit) refuses any other value.
PRIORITY_COMPLAINT = 1
PRIORITY_NONE = 0


def priority_tier(prefix: str = "", lookups: Lookups | None = None):
    """The applicant's tier: an approved complaint gives priority until they are selected. No end date is
    needed: once selected they are a recipient, whom the rules exclude from every later wave."""
    approved = Complaint.objects.filter(status=ComplaintStatus.APPROVED)
    return Case(
        When((lookups or Lookups()).exists(approved, "user_id", _user(prefix)), then=Value(PRIORITY_COMPLAINT)),
        default=Value(PRIORITY_NONE),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class Rule:
    code: ResultReason
    # The applicants it lets through, as a Q over the rows of the path ``prefix`` to the applicant, reading the rows
    # it looks them up in through ``lookups``.
    allows: Callable[[Wave, str, Lookups], Q]
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
    Rule(ResultReason.IN_EDUCATION, lambda wave, p, lookups: Q(**{f"{p}declaration__in_formal_education": False})),
    Rule(
        ResultReason.EXCLUDED_GROUP_DECLARED,
        lambda wave, p, lookups: Q(**{f"{p}declaration__excluded_groups": []}),
    ),
    Rule(
        ResultReason.EXCLUDED_GROUP_REGISTRY,
        lambda wave, p, lookups: Q(**{f"{p}identity__registry_excluded_occupation": False}),
    ),
    Rule(
        ResultReason.PAST_RECIPIENT,
        lambda wave, p, lookups: (
            ~Q(lookups.exists(recipients(), "user_id", _user(p)))
            # A recipient who deleted their account and came back with the same NIK (verification.RetainedNikIndex).
            & ~Q(lookups.exists(RetainedNikIndex.objects.all(), "nik_digest", f"{p}identity__nik_digest"))
        ),
    ),
    Rule(
        ResultReason.KK_FULL,
        lambda wave, p, lookups: Q(GreaterThan(kk_room(p, announced_by=_announced_by(wave), lookups=lookups), 0)),
    ),
    # After KK_FULL: the KK had room counting the announced waves, and another wave selected meanwhile (its
    # cards not announced yet) has filled it. Selections take turns (waves/selection/dialect.py), so the later one
    # sees the earlier one's cards.
    Rule(
        ResultReason.KK_FILLED_ELSEWHERE,
        lambda wave, p, lookups: Q(GreaterThan(kk_room(p, lookups=lookups), 0)),
        at_join=False,
    ),
    Rule(
        ResultReason.OTHER_AID,
        lambda wave, p, lookups: EVERYONE if wave.other_aid_allowed else Q(**{f"{p}declaration__other_aid": []}),
    ),
    Rule(
        ResultReason.TEST_NOT_PASSED,
        # No attempt can start after a pass, so "has a passed attempt" is "the latest attempt passed".
        lambda wave, p, lookups: Q(lookups.exists(Attempt.objects.filter(passed=True), "user_id", _user(p))),
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


def rule_failures(*, user_id: int, wave: Wave) -> list[Rule]:
    """The rules ``user_id`` fails for ``wave``, in one query (each rule is a boolean column)."""
    from accounts.models import User

    rules = [rule for rule in RULES if rule.at_join]
    lookups = Lookups()
    columns = {f"rule_{rule.code}": as_boolean(rule.allows(wave, "", lookups)) for rule in rules if rule.check is None}
    row = User.objects.filter(pk=user_id).annotate(**columns).values(*columns).first()
    return [
        rule
        for rule in rules
        if not (rule.check(wave, user_id) if rule.check is not None else row[f"rule_{rule.code}"])
    ]


def first_failure(wave: Wave, prefix: str, lookups: Lookups | None = None):
    """The reason code of the first rule an applicant fails, or NULL: one CASE expression for the selection, over
    enrollments whose age has been counted for the wave's close (waves.services.enrollment_ages_count)."""
    lookups = lookups or Lookups()
    return Case(
        *(When(~rule.allows(wave, prefix, lookups), then=Value(rule.code.value)) for rule in RULES),
        default=Value(None),
        output_field=CharField(),
    )


def as_boolean(condition: Q):
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())
