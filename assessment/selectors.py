"""Reads of the declaration and the test, for this app's views and for the journey (later waves).

The test's deadline holds when read: an attempt whose deadline has passed counts as finished here, scored
from its saved answers, whether or not assessment.services.attempts_finish_expired has recorded it yet.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from accounts.models import User
from assessment.models import Attempt, AttemptItem, Declaration, DeclarationText, FinishedReason, Option
from assessment.rules import ABILITY_KINDS, QuestionKind, Tally, retake_allowed, score_compute
from prakerja.json_rows import json_rows, rows_from_json
from prakerja.shared_cache import shared_read


@dataclass(frozen=True)
class AssessmentProgress:
    declaration_done: bool
    exclusion_reasons: tuple[str, ...]  # codes of the declared answers that exclude the applicant (empty = eligible)
    test_passed: bool  # latest finished attempt passed
    test_failed: bool  # latest finished attempt did not pass
    test_in_progress: bool  # an attempt started, deadline not passed, not submitted


def assessment_progress(*, user: User, now: datetime | None = None) -> AssessmentProgress:
    """Steps 6 and 7 for ``user``, in one query once the test is started (one more while an expired attempt
    awaits its score), two before.

    Step 6 is done when ``declaration_done and not exclusion_reasons``; an excluded applicant stops there.
    Step 7 is done when ``test_passed``. The latest attempt counts: a pass after a failure replaces it, and
    no attempt can start after a pass.
    """
    now = now or timezone.now()
    declaration = Declaration.objects.filter(current_for=user)
    # An applicant who has started the test has declared (step 6 comes first): the latest attempt and the
    # declaration's answers in one query; only before the first attempt a second look-up of the declaration.
    attempt = (
        Attempt.objects.filter(user=user)
        .annotate(
            declared_reasons=Subquery(
                declaration.values("exclusion_reasons")[:1], output_field=models.JSONField(default=list)
            )
        )
        .order_by("-started_at", "-pk")
        .first()
    )
    if attempt is not None and attempt.declared_reasons is not None:
        reasons = attempt.declared_reasons
    else:
        reasons = declaration.values_list("exclusion_reasons", flat=True).first()
    outcome = attempt_outcome(attempt=attempt, now=now) if attempt else None
    return AssessmentProgress(
        declaration_done=reasons is not None,
        exclusion_reasons=tuple(reasons or ()),
        test_passed=bool(outcome and outcome.passed),
        test_failed=bool(outcome and not outcome.passed),
        test_in_progress=bool(attempt and outcome is None),
    )


# --- The declaration ----------------------------------------------------------------------------------


def declaration_text_current() -> DeclarationText | None:
    return DeclarationText.objects.filter(is_current=True).first()


def declaration_text_shown() -> DeclarationText | None:
    """The current declaration text for its pages, from the shared cache (prakerja/shared_cache.py); a submit is
    checked against the database's (services.declaration_submit)."""
    return shared_read("texts", "assessment.DeclarationText", declaration_text_current)


def declaration_for(*, user: User) -> Declaration | None:
    """The applicant's declaration in force (the latest revision); the ones it replaced are kept but not read."""
    return Declaration.objects.filter(current_for=user).select_related("text").first()


# --- The test -----------------------------------------------------------------------------------------


def attempt_latest(*, user: User) -> Attempt | None:
    """The attempt that counts: the latest one started."""
    return Attempt.objects.filter(user=user).order_by("-started_at", "-pk").first()


def attempt_is_running(attempt: Attempt, *, now: datetime) -> bool:
    return attempt.submitted_at is None and now < attempt.deadline


def attempt_running(*, user: User, now: datetime | None = None) -> Attempt | None:
    """The attempt ``user`` may still answer: not submitted and its deadline not reached."""
    now = now or timezone.now()
    return Attempt.objects.filter(user=user, submitted_at__isnull=True, deadline__gt=now).first()


def attempt_tally(*, attempt_id: int) -> Tally:
    """What the attempt's saved answers earn, counted in the database in one query."""
    ability = Q(question__kind__in=ABILITY_KINDS)
    motivation = Q(question__kind=QuestionKind.MOTIVATION)
    row = AttemptItem.objects.filter(attempt_id=attempt_id).aggregate(
        ability_total=Count("pk", filter=ability),
        ability_correct=Count("pk", filter=ability & Q(chosen_option__is_correct=True)),
        motivation_total=Count("pk", filter=motivation),
        motivation_points=Sum("chosen_option__points", filter=motivation, default=0),
    )
    return Tally(**row)


@dataclass(frozen=True)
class AttemptOutcome:
    attempt: Attempt
    score: int
    passed: bool
    pass_score: int
    finished_at: datetime
    finished_reason: str
    recorded: bool  # False while an expired attempt awaits attempts_finish_expired


def attempt_outcome(*, attempt: Attempt, now: datetime | None = None) -> AttemptOutcome | None:
    """The attempt's result, or ``None`` while it is still running (the deadline read against ``now``)."""
    now = now or timezone.now()
    if attempt.submitted_at is not None:
        return AttemptOutcome(
            attempt=attempt,
            score=attempt.score,
            passed=attempt.passed,
            pass_score=attempt.pass_score if attempt.pass_score is not None else settings.TEST_PASS_SCORE,
            finished_at=attempt.submitted_at,
            finished_reason=attempt.finished_reason,
            recorded=True,
        )
    if now < attempt.deadline:
        return None
    score = score_compute(attempt_tally(attempt_id=attempt.pk))
    return AttemptOutcome(
        attempt=attempt,
        score=score,
        passed=score >= settings.TEST_PASS_SCORE,
        pass_score=settings.TEST_PASS_SCORE,
        finished_at=attempt.deadline,
        finished_reason=FinishedReason.TIMEOUT,
        recorded=False,
    )


def retake_possible(*, user: User, latest_wave_opened_at: datetime | None, now: datetime | None = None) -> bool:
    """Would ``attempt_start`` let ``user`` take the test again now? For the step-7 page, which offers the
    button only then; the service checks the same rule (rules.retake_allowed) again when it is pressed.

    ``latest_wave_opened_at`` is the fact this app cannot read (waves depend on it): when the most recent wave
    opened. An applicant with no attempt needs no retake: their first attempt is always allowed.
    """
    now = now or timezone.now()
    attempt = attempt_latest(user=user)
    if attempt is None:
        return False
    outcome = attempt_outcome(attempt=attempt, now=now)
    if outcome is None or outcome.passed:
        return False
    return retake_allowed(failed_at=outcome.finished_at, latest_wave_opened_at=latest_wave_opened_at, now=now)


@dataclass(frozen=True)
class ShownOption:
    number: int  # 1..4, the value the form sends; never an option's id or position in the bank
    text: str


@dataclass(frozen=True)
class NavEntry:
    position: int
    answered: bool
    current: bool


@dataclass(frozen=True)
class QuestionPage:
    attempt: Attempt
    item: AttemptItem
    options: tuple[ShownOption, ...]
    chosen_number: int | None
    navigation: tuple[NavEntry, ...]
    total: int

    @property
    def is_last(self) -> bool:
        return self.item.position == self.total

    @property
    def unanswered_count(self) -> int:
        return sum(not entry.answered for entry in self.navigation)


def attempt_first_unanswered(*, attempt: Attempt) -> int:
    """Where a returning applicant resumes: the first question without an answer (the last if none)."""
    positions = AttemptItem.objects.filter(attempt=attempt, answered_at__isnull=True).order_by("position")
    first = positions.values_list("position", flat=True).first()
    if first is not None:
        return first
    return AttemptItem.objects.filter(attempt=attempt).count()


def attempt_answered(*, attempt: Attempt) -> list[tuple[int, bool]]:
    """Each question's position and whether it has an answer, in order, in one query ("Periksa jawaban")."""
    rows = AttemptItem.objects.filter(attempt=attempt).order_by("position").values_list("position", "answered_at")
    return [(position, answered_at is not None) for position, answered_at in rows]


def attempt_question_page(*, attempt: Attempt, position: int) -> QuestionPage | None:
    """One question as the applicant sees it, in two queries; ``None`` for a position not in the attempt.

    Options are listed in the attempt's drawn order and carry only a display number and their text, so
    nothing on the page depends on which option is right.
    """
    items = list(AttemptItem.objects.filter(attempt=attempt).select_related("question").order_by("position"))
    item = next((candidate for candidate in items if candidate.position == position), None)
    if item is None:
        return None
    by_position = {
        option.position: option
        for option in Option.objects.filter(question_id=item.question_id).only("pk", "position", "text")
    }
    shown, chosen_number = [], None
    for number, option_position in enumerate(item.option_order, start=1):
        option = by_position[option_position]
        shown.append(ShownOption(number=number, text=option.text))
        if option.pk == item.chosen_option_id:
            chosen_number = number
    navigation = tuple(
        NavEntry(position=entry.position, answered=entry.answered_at is not None, current=entry.position == position)
        for entry in items
    )
    return QuestionPage(
        attempt=attempt,
        item=item,
        options=tuple(shown),
        chosen_number=chosen_number,
        navigation=navigation,
        total=len(items),
    )


@dataclass(frozen=True)
class AssessmentRecord:
    """The applicant's declaration and every test they took, with its outcome (None: still running)."""

    declaration: Declaration | None
    attempts: list[tuple[Attempt, AttemptOutcome | None]]  # newest first


# What ``attempt_outcome`` reads of an attempt.
_ATTEMPT_OUTCOME_FIELDS = ("started_at", "deadline", "submitted_at", "finished_reason", "score", "passed", "pass_score")


def assessment_record_for(*, user: User, now: datetime | None = None) -> AssessmentRecord:
    """In one query, however many attempts (one more while an expired attempt awaits its score, as in
    ``attempt_outcome``): the account row with the declaration in force and its text joined, and every attempt
    as a JSON list (prakerja/json_rows.py)."""
    now = now or timezone.now()
    row = (
        User.objects.filter(pk=user.pk)
        .select_related("declaration__text")
        .annotate(attempt_rows=json_rows(Attempt.objects.filter(user=OuterRef("pk")), *_ATTEMPT_OUTCOME_FIELDS))
        .get()
    )
    attempts = rows_from_json(Attempt, row.attempt_rows, order_by=("-started_at", "-pk"))
    return AssessmentRecord(
        declaration=getattr(row, "declaration", None),  # none yet: DoesNotExist, an AttributeError, no query
        attempts=[(attempt, attempt_outcome(attempt=attempt, now=now)) for attempt in attempts],
    )
