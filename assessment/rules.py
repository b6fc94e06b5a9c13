"""The test's rules in one place: what a draw holds, how options must look, how a score is computed, when a
failed test may be taken again.

Pure functions over plain values, so the draw and the score can be recomputed by hand (or by a test) from
what an attempt records: its seed, the question bank, the chosen options.
"""

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from math import floor

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    ARITHMETIC = "arithmetic", _("Berhitung")
    ORDERING = "ordering", _("Mengurutkan instruksi")
    READING = "reading", _("Pemahaman bacaan")
    MOTIVATION = "motivation", _("Motivasi")


# Kinds with one right answer; motivation items have none, each option is worth 0..3 points instead.
ABILITY_KINDS: tuple[str, ...] = (QuestionKind.ARITHMETIC, QuestionKind.ORDERING, QuestionKind.READING)

# The questions one attempt draws, per kind and in the order they are asked. The sum is
# settings.TEST_QUESTION_COUNT (a system check in apps.py holds the two together).
DRAW_PER_KIND: dict[str, int] = {
    QuestionKind.ARITHMETIC: 5,
    QuestionKind.ORDERING: 4,
    QuestionKind.READING: 4,
    QuestionKind.MOTIVATION: 5,
}

OPTIONS_PER_QUESTION = 4
MOTIVATION_MAX_POINTS = 3

# The score's weights: basic ability counts for 70 %, motivation for 30 %.
ABILITY_WEIGHT = Fraction(7, 10)
MOTIVATION_WEIGHT = Fraction(3, 10)


# --- The draw -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawnItem:
    position: int
    question_key: str
    option_order: tuple[int, ...]  # option positions (1..4) in the order they are shown


def questions_draw(*, seed: int, pool: Mapping[str, Sequence[str]]) -> list[DrawnItem]:
    """Draw DRAW_PER_KIND questions from ``pool`` (kind → keys of active questions) and shuffle each one's
    options, with ``random.Random(seed)`` only.

    The pool is sorted by key first, so the same seed over the same bank always gives the same draw: an
    attempt's seed is enough to show, later, why an applicant got the questions they got.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible from the stored seed on purpose; nothing secret
    drawn: list[DrawnItem] = []
    for kind, count in DRAW_PER_KIND.items():
        keys = sorted(pool.get(kind, ()))
        if len(keys) < count:
            raise ValueError(f"the bank has {len(keys)} active {kind} questions; a draw needs {count}")
        for key in rng.sample(keys, count):
            order = tuple(rng.sample(range(1, OPTIONS_PER_QUESTION + 1), OPTIONS_PER_QUESTION))
            drawn.append(DrawnItem(position=len(drawn) + 1, question_key=key, option_order=order))
    return drawn


# --- What a question must look like --------------------------------------------------------------------


@dataclass(frozen=True)
class OptionData:
    text: str
    correct: bool = False
    points: int = 0


def question_problems(*, kind: str, options: Sequence[OptionData]) -> list[str]:
    """What is wrong with a question's options (empty when nothing is); the loader and the admin share it."""
    problems = []
    if kind not in QuestionKind.values:
        return [f"unknown kind {kind!r}"]
    if len(options) != OPTIONS_PER_QUESTION:
        problems.append(f"needs {OPTIONS_PER_QUESTION} options, has {len(options)}")
    if any(not option.text.strip() for option in options):
        problems.append("an option has no text")
    if kind in ABILITY_KINDS:
        correct = sum(bool(option.correct) for option in options)
        if correct != 1:
            problems.append(f"needs exactly one correct option, has {correct}")
    else:
        if any(
            not isinstance(option.points, int) or not 0 <= option.points <= MOTIVATION_MAX_POINTS for option in options
        ):
            problems.append(f"motivation options need points between 0 and {MOTIVATION_MAX_POINTS}")
    return problems


# --- The score ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """What an attempt earned: right ability answers and motivation points, out of what was drawn."""

    ability_correct: int
    ability_total: int
    motivation_points: int
    motivation_total: int  # motivation items drawn

    @property
    def motivation_max(self) -> int:
        return self.motivation_total * MOTIVATION_MAX_POINTS


def score_compute(tally: Tally) -> int:
    """score = round(100 × (0.7 × ability_correct / ability_total + 0.3 × motivation_points / motivation_max)).

    Computed with exact fractions and rounded half up (62.5 → 63), so the same answers always give the same
    whole number 0–100 on every machine. Unanswered items earn nothing.
    """
    ability = Fraction(tally.ability_correct, tally.ability_total) if tally.ability_total else Fraction(0)
    motivation = Fraction(tally.motivation_points, tally.motivation_max) if tally.motivation_max else Fraction(0)
    exact = 100 * (ABILITY_WEIGHT * ability + MOTIVATION_WEIGHT * motivation)
    return floor(exact + Fraction(1, 2))


# --- Taking the test again ----------------------------------------------------------------------------


def retake_allowed(*, failed_at: datetime, latest_wave_opened_at: datetime | None, now: datetime) -> bool:
    """May a test that did not pass, finished at ``failed_at``, be taken again at ``now``? Once a new wave
    has opened since (DESIGN §2 step 7): the latest wave's opening lies after the failure and not after now.

    Waves are a later app that depends on this one, so the opening comes in as a plain instant (the journey
    reads it from waves.selectors.wave_last_opened_at); ``None`` — no wave has opened, or the caller does not
    know — never allows a retake. The window is counted in moments, not days.
    """
    return latest_wave_opened_at is not None and failed_at < latest_wave_opened_at <= now
