"""Each applicant draws 18 questions balanced by kind, at random but reproducibly from the attempt's seed."""

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from assessment.errors import AssessmentError, AssessmentErrorCode
from assessment.models import Question
from assessment.rules import DRAW_PER_KIND, QuestionKind, questions_draw
from assessment.services import attempt_start
from tests.clock import T0
from tests.factories import DeclarationFactory, UserFactory

pytestmark = pytest.mark.django_db

POOL = {kind: [f"{kind}-{n:02d}" for n in range(1, 11)] for kind in QuestionKind.values}


def test_a_draw_holds_5_arithmetic_4_ordering_4_reading_and_5_motivation_questions_in_that_order(started_attempt):
    items = list(started_attempt.items.select_related("question").order_by("position"))

    assert [item.position for item in items] == list(range(1, 19))
    assert [item.question.kind for item in items] == (
        ["arithmetic"] * 5 + ["ordering"] * 4 + ["reading"] * 4 + ["motivation"] * 5
    )
    assert len({item.question_id for item in items}) == 18
    assert all(sorted(item.option_order) == [1, 2, 3, 4] for item in items)
    assert sum(DRAW_PER_KIND.values()) == 18


def test_the_attempts_seed_reproduces_its_draw(started_attempt):
    pool = {
        kind: list(Question.objects.filter(kind=kind, active=True).values_list("key", flat=True))
        for kind in QuestionKind.values
    }

    redrawn = questions_draw(seed=started_attempt.seed, pool=pool)

    stored = [
        (item.position, item.question.key, tuple(item.option_order))
        for item in started_attempt.items.select_related("question").order_by("position")
    ]
    assert [(item.position, item.question_key, item.option_order) for item in redrawn] == stored


def test_two_applicants_draw_different_questions(declared_applicant, question_bank):
    other = UserFactory(verified=True)
    DeclarationFactory(user=other)

    first = attempt_start(user=declared_applicant, now=T0)
    second = attempt_start(user=other, now=T0)

    assert first.seed != second.seed
    assert list(first.items.values_list("question_id", "option_order")) != list(
        second.items.values_list("question_id", "option_order")
    )


@hypothesis_settings(max_examples=200, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**63 - 1))
def test_any_seed_gives_a_balanced_draw_the_same_every_time(seed):
    drawn = questions_draw(seed=seed, pool=POOL)

    assert Counter(item.question_key.split("-")[0] for item in drawn) == DRAW_PER_KIND
    assert len({item.question_key for item in drawn}) == 18
    assert all(sorted(item.option_order) == [1, 2, 3, 4] for item in drawn)
    assert questions_draw(seed=seed, pool={kind: list(reversed(keys)) for kind, keys in POOL.items()}) == drawn


def test_inactive_questions_are_never_drawn(declared_applicant, question_bank):
    retired = list(Question.objects.filter(kind="reading").values_list("pk", flat=True)[:6])
    Question.objects.filter(pk__in=retired).update(active=False)

    attempt = attempt_start(user=declared_applicant, now=T0)

    assert not attempt.items.filter(question_id__in=retired).exists()
    assert attempt.items.filter(question__kind="reading").count() == 4


def test_a_bank_too_small_for_a_draw_starts_nothing(declared_applicant, question_bank):
    keep = Question.objects.filter(kind="ordering").order_by("key").values_list("pk", flat=True)[:3]
    Question.objects.filter(kind="ordering").exclude(pk__in=list(keep)).update(active=False)

    with pytest.raises(AssessmentError) as refused:
        attempt_start(user=declared_applicant, now=T0)

    assert refused.value.code == AssessmentErrorCode.QUESTION_BANK_TOO_SMALL
    assert not declared_applicant.test_attempts.exists()
