"""Every write of the assessment app: declaration texts, declarations, the question bank, test attempts.

The test's clock is the server's: an attempt runs from ``started_at`` to ``deadline`` and no answer counts
after it. Finishing an attempt is one conditional UPDATE (``… WHERE submitted_at IS NULL``), under a lock on
the attempt row that answering takes too, so a double-clicked "Selesai", the expiry sweep and a last answer
can race without an attempt being scored twice or an answer landing after its score.
"""

import json
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from assessment.eligibility import ExcludedGroup, OtherAid, exclusion_reasons_from
from assessment.errors import AssessmentError, AssessmentErrorCode, QuestionBankError
from assessment.models import Attempt, AttemptItem, Declaration, DeclarationText, FinishedReason, Option, Question
from assessment.rules import (
    ABILITY_KINDS,
    OptionData,
    QuestionKind,
    question_problems,
    questions_draw,
    retake_allowed,
    score_compute,
)
from assessment.selectors import attempt_latest, attempt_outcome, attempt_tally
from audit.models import Action
from audit.services import audit_record
from prakerja.erasure import admin_log_scrub
from prakerja.versioning import text_version_publish
from verification.models import EmploymentStatus

logger = logging.getLogger(__name__)

QUESTION_BANK_PATH = Path(__file__).resolve().parent / "data" / "questions.json"


# --- The declaration ----------------------------------------------------------------------------------


@transaction.atomic
def declaration_text_publish(
    *, title: str, intro: str, clauses: str, acting_user: User | None = None, now: datetime | None = None
) -> DeclarationText:
    """Publish a new version of the declaration's text; it becomes the current one at once.

    Earlier versions stay as they were, because declarations point at the version their applicant answered.
    """
    text = text_version_publish(
        DeclarationText, acting_user=acting_user, now=now, title=title, intro=intro, clauses=clauses
    )
    audit_record(acting_user=acting_user, action=Action.TEXT_PUBLISH, target=text, details={"version": text.version})
    return text


def declaration_submit(
    *,
    user: User,
    text: DeclarationText,
    employment: str,
    in_formal_education: bool,
    excluded_groups: Iterable[str],
    other_aid: Iterable[str],
    truthful: bool,
    correction: bool = False,
    now: datetime | None = None,
) -> Declaration:
    """Record the applicant's declaration against ``text``, the version they read, and the exclusion
    reasons their answers give (assessment.eligibility). An excluded applicant's declaration is recorded all
    the same: the account stays, and the journey tells them which rule applies.

    ``text`` must still be the current version: answers to a text replaced meanwhile are refused
    (DECLARATION_TEXT_OUTDATED) so the applicant reads the new one first.

    With ``correction``, a declaration already recorded is replaced: the new one is the next revision and the
    one in force (``current_for``), and every earlier row is kept unchanged. The journey offers a correction only
    until the applicant joins a wave (journey.guards.until_joining_a_wave), since a join is checked against, and
    a selection reads, the declaration in force. Without it, a second declaration is DECLARATION_DONE.
    """
    excluded_groups, other_aid = frozenset(excluded_groups), frozenset(other_aid)
    if employment not in EmploymentStatus.values:
        raise ValueError(f"unknown employment status {employment!r}")
    if unknown := excluded_groups - set(ExcludedGroup.values):
        raise ValueError(f"unknown excluded groups {sorted(unknown)}")
    if unknown := other_aid - set(OtherAid.values):
        raise ValueError(f"unknown aid programmes {sorted(unknown)}")
    if not truthful:
        raise AssessmentError(AssessmentErrorCode.NOT_TRUTHFUL)
    if not correction and Declaration.objects.filter(user=user).exists():
        raise AssessmentError(AssessmentErrorCode.DECLARATION_DONE)
    current_id = DeclarationText.objects.filter(is_current=True).values_list("pk", flat=True).first()
    if current_id is None:
        raise AssessmentError(AssessmentErrorCode.DECLARATION_TEXT_MISSING)
    if text.pk != current_id:
        raise AssessmentError(AssessmentErrorCode.DECLARATION_TEXT_OUTDATED)
    excluded_groups = [group for group in ExcludedGroup.values if group in excluded_groups]
    other_aid = [aid for aid in OtherAid.values if aid in other_aid]
    if correction:
        current = Declaration.objects.filter(current_for=user).first()
        unchanged = current is not None and (
            current.text_id,
            current.employment,
            current.in_formal_education,
            current.excluded_groups,
            current.other_aid,
        ) == (text.pk, employment, in_formal_education, excluded_groups, other_aid)
        if unchanged:
            return current  # a correction that changes nothing (or the same one sent twice) is no new revision
    try:
        with transaction.atomic():
            # Two corrections at once both aim at the same next revision; the unique (user, revision) and the
            # one-to-one current_for let one through and turn the other into DECLARATION_DONE.
            latest = Declaration.objects.filter(user=user).aggregate(latest=Max("revision"))["latest"] or 0
            Declaration.objects.filter(current_for=user).update(current_for=None)
            return Declaration.objects.create(
                user=user,
                current_for=user,
                revision=latest + 1,
                text=text,
                employment=employment,
                in_formal_education=in_formal_education,
                # Stored in the regulation's order, so equal answers are equal rows.
                excluded_groups=excluded_groups,
                other_aid=other_aid,
                truthful=True,
                exclusion_reasons=list(
                    exclusion_reasons_from(in_formal_education=in_formal_education, excluded_groups=excluded_groups)
                ),
                submitted_at=now or timezone.now(),
            )
    except IntegrityError:
        raise AssessmentError(AssessmentErrorCode.DECLARATION_DONE) from None  # a double submit


# --- The question bank --------------------------------------------------------------------------------


def _bank_entry_problems(index: int, entry: object) -> list[str]:
    if not isinstance(entry, dict):
        return [f"entry {index}: not an object"]
    label = f"entry {index} ({entry.get('key', '?')})"
    problems = [
        f"{label}: {field} must be a non-empty string"
        for field in ("key", "kind", "text")
        if not isinstance(entry.get(field), str) or not entry[field].strip()
    ]
    if not isinstance(entry.get("passage", ""), str):
        problems.append(f"{label}: passage must be a string")
    options = entry.get("options")
    if not isinstance(options, list) or not all(isinstance(option, dict) for option in options):
        return [*problems, f"{label}: options must be a list of objects"]
    if problems:
        return problems
    parsed = [
        OptionData(
            text=str(option.get("text", "")),
            correct=option.get("correct", False) is True,
            points=option.get("points", 0),
        )
        for option in options
    ]
    return [f"{label}: {problem}" for problem in question_problems(kind=entry["kind"], options=parsed)]


@transaction.atomic
def question_bank_load(*, path: Path | str | None = None) -> int:
    """Upsert the questions of ``path`` (default assessment/data/questions.json) by key; returns how many.

    The file is a JSON array of ``{"key", "kind", "passage", "text", "options": [{"text", "correct",
    "points"}] × 4}``. Every entry is checked before anything is written (4 options; exactly one correct for
    ability kinds; points 0..3 for motivation), and a file with any fault raises QuestionBankError listing
    them all. Options are matched by their place in the list, so attempts that drew a question keep
    pointing at the same rows; ability options store no points and motivation options no right answer.
    The file is the source of the questions it lists (their text and options); whether one is active,
    and questions missing from the file, are the staff's (admin). Running it twice changes nothing.
    """
    entries = json.loads(Path(path or QUESTION_BANK_PATH).read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise QuestionBankError(["the file must hold a JSON array"])
    problems = [problem for index, entry in enumerate(entries) for problem in _bank_entry_problems(index, entry)]
    keys = [entry["key"] for entry in entries if isinstance(entry, dict) and "key" in entry]
    problems += [f"key {key!r} appears more than once" for key in sorted({k for k in keys if keys.count(k) > 1})]
    if problems:
        raise QuestionBankError(problems)

    for entry in entries:
        kind = entry["kind"]
        question, _created = Question.objects.update_or_create(
            key=entry["key"].strip(),
            # "active" is left alone: a question staff retired stays retired when seed_demo loads the file again.
            defaults={"kind": kind, "passage": entry.get("passage", "").strip(), "text": entry["text"].strip()},
        )
        ability = kind in ABILITY_KINDS
        # Clear the old right answer first: the database allows at most one per question at any moment.
        Option.objects.filter(question=question, is_correct=True).update(is_correct=False)
        for position, option in enumerate(entry["options"], start=1):
            Option.objects.update_or_create(
                question=question,
                position=position,
                defaults={
                    "text": option["text"].strip(),
                    "is_correct": ability and option.get("correct", False) is True,
                    "points": 0 if ability else option.get("points", 0),
                },
            )
    return len(entries)


# --- The test -----------------------------------------------------------------------------------------


def _attempt_record(*, attempt: Attempt, reason: FinishedReason, finished_at: datetime) -> bool:
    """Score ``attempt`` from its saved answers and mark it finished, unless something already did.

    The caller holds the attempt's row lock; the ``submitted_at IS NULL`` condition makes the write safe
    even without one. The pass mark is read now, at scoring time, and kept with the score.
    """
    score = score_compute(attempt_tally(attempt_id=attempt.pk))
    pass_score = settings.TEST_PASS_SCORE
    updated = Attempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
        submitted_at=finished_at, finished_reason=reason, score=score, passed=score >= pass_score, pass_score=pass_score
    )
    return updated == 1


def _locked_open_attempt(*, user: User) -> Attempt | None:
    return Attempt.objects.select_for_update().filter(user=user, submitted_at__isnull=True).first()


@transaction.atomic
def attempt_start(*, user: User, now: datetime | None = None, latest_wave_opened_at: datetime | None = None) -> Attempt:
    """Start the test: draw 18 questions (rules.DRAW_PER_KIND) with a fresh seed and start the clock.

    Refused before an eligible declaration, while an attempt is running, after a pass, and after a failure
    until a new wave has opened since it (DESIGN §2 step 7; the latest result counts). The rule is checked
    here, against this applicant's own latest attempt, so no caller can start a retake it forbids: the caller
    only supplies the fact this app cannot read, ``latest_wave_opened_at`` (when the most recent wave opened,
    from waves.selectors.wave_last_opened_at; the journey passes it). Without it there is no retake.
    Two "Mulai" at once start one attempt: the database allows one open attempt per applicant.
    """
    now = now or timezone.now()
    reasons = Declaration.objects.filter(current_for=user).values_list("exclusion_reasons", flat=True).first()
    if reasons is None:
        raise AssessmentError(AssessmentErrorCode.DECLARATION_MISSING)
    if reasons:
        raise AssessmentError(AssessmentErrorCode.EXCLUDED)
    attempts_finish_expired(user=user, now=now)
    latest = attempt_latest(user=user)
    if latest is not None:
        outcome = attempt_outcome(attempt=latest, now=now)
        if outcome is None:
            raise AssessmentError(AssessmentErrorCode.ATTEMPT_RUNNING)
        if outcome.passed:
            raise AssessmentError(AssessmentErrorCode.ALREADY_PASSED)
        if not retake_allowed(failed_at=outcome.finished_at, latest_wave_opened_at=latest_wave_opened_at, now=now):
            raise AssessmentError(AssessmentErrorCode.RETAKE_NOT_ALLOWED, failed_at=outcome.finished_at)

    bank = list(Question.objects.filter(active=True).values_list("kind", "key", "pk"))
    pool: dict[str, list[str]] = {kind: [] for kind in QuestionKind.values}
    for kind, key, _pk in bank:
        pool[kind].append(key)
    seed = secrets.randbits(63)
    try:
        drawn = questions_draw(seed=seed, pool=pool)
    except ValueError:
        logger.error("the question bank is too small for a draw: %s", {kind: len(keys) for kind, keys in pool.items()})
        raise AssessmentError(AssessmentErrorCode.QUESTION_BANK_TOO_SMALL) from None
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                user=user, seed=seed, started_at=now, deadline=now + settings.TEST_DURATION
            )
    except IntegrityError:
        raise AssessmentError(AssessmentErrorCode.ATTEMPT_RUNNING) from None  # "Mulai" pressed twice at once
    question_ids = {key: pk for _kind, key, pk in bank}
    AttemptItem.objects.bulk_create(
        AttemptItem(
            attempt=attempt,
            position=item.position,
            question_id=question_ids[item.question_key],
            option_order=list(item.option_order),
        )
        for item in drawn
    )
    return attempt


@transaction.atomic
def attempt_answer(*, user: User, position: int, choice: int, now: datetime | None = None) -> AttemptItem:
    """Save the answer to question ``position`` of the running attempt; ``choice`` is the number (1..4) of
    the option as shown. Answers may change until the deadline and never after it (DEADLINE_PASSED)."""
    now = now or timezone.now()
    attempt = _locked_open_attempt(user=user)
    if attempt is None:
        raise AssessmentError(AssessmentErrorCode.NO_RUNNING_ATTEMPT)
    if now >= attempt.deadline:
        raise AssessmentError(AssessmentErrorCode.DEADLINE_PASSED)
    item = AttemptItem.objects.filter(attempt=attempt, position=position).first()
    if item is None:
        raise AssessmentError(AssessmentErrorCode.INVALID_POSITION)
    if not 1 <= choice <= len(item.option_order):
        raise AssessmentError(AssessmentErrorCode.INVALID_CHOICE)
    item.chosen_option = Option.objects.get(question_id=item.question_id, position=item.option_order[choice - 1])
    item.answered_at = now
    item.save(update_fields=["chosen_option", "answered_at"])
    return item


@transaction.atomic
def attempt_submit(*, user: User, now: datetime | None = None) -> Attempt:
    """Finish the running attempt ("Selesai") and score it; returns the attempt that counts.

    Safe to repeat: a second "Selesai" finds nothing open and returns the finished attempt unchanged. After
    the deadline it is recorded as a timeout at the deadline, with the answers saved before it.
    """
    now = now or timezone.now()
    attempt = _locked_open_attempt(user=user)
    if attempt is None:
        latest = attempt_latest(user=user)
        if latest is None:
            raise AssessmentError(AssessmentErrorCode.NO_RUNNING_ATTEMPT)
        return latest
    if now < attempt.deadline:
        _attempt_record(attempt=attempt, reason=FinishedReason.SUBMITTED, finished_at=now)
    else:
        _attempt_record(attempt=attempt, reason=FinishedReason.TIMEOUT, finished_at=attempt.deadline)
    attempt.refresh_from_db()
    return attempt


def attempts_finish_expired(*, now: datetime | None = None, user: User | None = None, batch_size: int = 200) -> int:
    """Record every attempt whose deadline passed unsubmitted (of ``user`` only, when given) as a timeout,
    scored from the answers saved before the deadline; returns how many it recorded.

    Pages already treat such attempts as finished when they read them; this makes it permanent (beat runs
    it every minute; the result page runs it for its applicant). Each attempt is its own short transaction,
    so a sweep never holds many locks; running it twice, or alongside "Selesai", records nothing twice.
    """
    now = now or timezone.now()
    expired = Attempt.objects.filter(submitted_at__isnull=True, deadline__lte=now)
    if user is not None:
        expired = expired.filter(user=user)
    recorded = 0
    while True:
        # Every attempt of a batch leaves the query (recorded here, or submitted meanwhile), so this ends.
        batch = list(expired.order_by("deadline").values_list("pk", flat=True)[:batch_size])
        if not batch:
            return recorded
        for pk in batch:
            with transaction.atomic():
                attempt = Attempt.objects.select_for_update().filter(pk=pk, submitted_at__isnull=True).first()
                if attempt is not None:
                    recorded += _attempt_record(
                        attempt=attempt, reason=FinishedReason.TIMEOUT, finished_at=attempt.deadline
                    )


# --- Erasure (journey.services.account_delete, docs/PRIVACY.md) ------------------------------------------------


def assessment_erase_for(*, user: User) -> None:
    """Delete ``user``'s declaration (its answers: employment, education, excluded groups, other aid) and every
    test they took with its answers and scores. Selection results already written keep their reason code (e.g.
    "test not passed"), which is the program's record of why, and names no one."""
    for model in (Declaration, Attempt):
        rows = model.objects.filter(user=user)
        admin_log_scrub(model=model, pks=rows.values_list("pk", flat=True))
        rows.delete()
