"""The answer key never reaches the applicant: no page depends on which option is right or worth more."""

import re

import pytest
from freezegun import freeze_time

from assessment.models import Option
from assessment.services import attempt_submit
from tests.clock import MINUTE, T0

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.assessment.urls")]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def page(client, position: int) -> str:
    with freeze_time(T0 + MINUTE):
        html = client.get(f"/dashboard/tes/soal/{position}/").content.decode()
    return CSRF.sub("", html)


def test_no_question_page_carries_correctness_or_points(client, started_attempt):
    for position in range(1, 19):
        html = page(client, position)
        for marker in ("is_correct", "correct", "points", "poin", "data-answer"):
            assert marker not in html, (position, marker)


def test_an_ability_question_page_is_the_same_whichever_option_is_right(client, started_attempt):
    item = started_attempt.items.get(position=1)
    before = page(client, 1)

    # the right answer moves to another option
    right = Option.objects.get(question_id=item.question_id, is_correct=True)
    Option.objects.filter(pk=right.pk).update(is_correct=False)
    Option.objects.filter(question_id=item.question_id).exclude(pk=right.pk).filter(
        position=right.position % 4 + 1
    ).update(is_correct=True)

    assert page(client, 1) == before


def test_a_motivation_question_page_is_the_same_whatever_each_option_is_worth(client, started_attempt):
    item = started_attempt.items.get(position=18)
    before = page(client, 18)

    for option in Option.objects.filter(question_id=item.question_id):
        Option.objects.filter(pk=option.pk).update(points=3 - option.points)

    assert page(client, 18) == before


def test_options_are_sent_as_display_numbers_not_bank_ids(client, started_attempt):
    html = page(client, 1)

    assert re.findall(r'name="choice"[^>]*value="([^"]+)"', html) == ["1", "2", "3", "4"]


def test_the_result_page_tells_the_score_but_not_which_answers_were_right(client, started_attempt, settings):
    settings.TEST_PASS_SCORE = 0
    attempt_submit(user=started_attempt.user, now=T0 + MINUTE)
    option_texts = Option.objects.filter(question__in=started_attempt.items.values("question")).values_list(
        "text", flat=True
    )

    with freeze_time(T0 + 2 * MINUTE):
        html = client.get("/dashboard/tes/hasil/").content.decode()

    assert "Nilai Anda 0 dari 100" in html
    assert not any(text in html for text in option_texts)
    assert "is_correct" not in html
