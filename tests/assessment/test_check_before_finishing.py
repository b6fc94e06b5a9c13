"""Step 7 cannot end by a slip (issue #16): "Berikutnya" without an answer warns once, and "Selesai" opens
"Periksa jawaban", which lists what is unanswered and ends the test only when confirmed. The server's deadline
still ends it whatever page is open."""

import re

import pytest
from freezegun import freeze_time

from assessment.models import Attempt, AttemptItem
from tests.clock import MINUTE, T0
from tests.helpers import answer_key

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.assessment.urls")]

RESULT = "/dashboard/tes/hasil/"
REVIEW = "/dashboard/tes/periksa/"


def question(position: int) -> str:
    return f"/dashboard/tes/soal/{position}/"


def test_a_question_page_has_one_h1_naming_the_question(client, started_attempt):
    with freeze_time(T0 + MINUTE):
        html = client.get(question(3)).content.decode()

    assert len(re.findall(r"<h1\b", html)) == 1
    assert re.search(r"<h1[^>]*>\s*Soal 3 dari 18\s*</h1>", html)


def test_berikutnya_without_an_answer_warns_once_then_moves_on(client, started_attempt):
    with freeze_time(T0 + MINUTE):
        warned = client.post(question(2), {"next": "1"})
        html = warned.content.decode()

        assert warned.status_code == 200
        assert "Anda belum memilih jawaban untuk soal ini" in html
        assert re.search(r'<input type="hidden" name="skip" value="2">', html)

        moved = client.post(question(2), {"next": "1", "skip": "2"})

    assert moved.status_code == 302 and moved["Location"] == question(3)
    assert not AttemptItem.objects.filter(attempt=started_attempt, position=2, answered_at__isnull=False).exists()


def test_berikutnya_with_an_answer_or_a_saved_one_never_warns(client, started_attempt):
    with freeze_time(T0 + MINUTE):
        answered = client.post(question(4), {"choice": "1", "next": "1"})
        again = client.post(question(4), {"next": "1"})  # the answer saved before stands

    assert answered["Location"] == question(5)
    assert again["Location"] == question(5)


def test_a_skip_for_another_question_does_not_count_here(client, started_attempt):
    with freeze_time(T0 + MINUTE):
        response = client.post(question(5), {"next": "1", "skip": "4"})

    assert response.status_code == 200
    assert "Anda belum memilih jawaban" in response.content.decode()


def test_jumping_to_a_question_number_never_warns(client, started_attempt):
    with freeze_time(T0 + MINUTE):
        response = client.post(question(2), {"go": "7"})

    assert response["Location"] == question(7)


def test_selesai_opens_the_review_and_the_test_is_still_running(client, started_attempt):
    with freeze_time(T0 + 2 * MINUTE):
        finished = client.post(question(18), {"choice": "1", "finish": "1"})
        review = client.get(REVIEW)

    assert finished["Location"] == REVIEW
    assert Attempt.objects.get(pk=started_attempt.pk).submitted_at is None
    html = review.content.decode()
    assert "Periksa jawaban" in html
    assert "Anda sudah menjawab 1 dari 18 soal." in html
    assert "17 soal belum dijawab" in html
    for position in range(1, 18):
        assert f'href="{question(position)}"' in html
    assert f'href="{question(18)}"' not in html.split("data-unanswered")[1].split("</ul>")[0]
    assert 'name="confirm"' in html


def test_confirming_the_review_ends_the_test_and_shows_the_result(client, started_attempt):
    key = answer_key(started_attempt)
    with freeze_time(T0 + 5 * MINUTE):
        for position in range(1, 19):
            client.post(question(position), {"choice": str(key[position]), "next": "1"})
        review = client.get(REVIEW).content.decode()
        confirmed = client.post(REVIEW, {"confirm": "1"})

    assert "Semua soal sudah dijawab." in review
    assert confirmed["Location"] == RESULT
    attempt = Attempt.objects.get(pk=started_attempt.pk)
    assert attempt.submitted_at == T0 + 5 * MINUTE and attempt.passed is True


def test_the_review_carries_the_server_timer_and_past_the_deadline_shows_the_result(client, started_attempt):
    with freeze_time(T0 + 20 * MINUTE):
        html = client.get(REVIEW).content.decode()
    with freeze_time(T0 + 26 * MINUTE):
        late = client.get(REVIEW)
        late_confirm = client.post(REVIEW, {"confirm": "1"})

    assert 'data-remaining-seconds="300"' in html and f'data-timeout-url="{REVIEW}"' in html
    assert late["Location"] == RESULT and late_confirm["Location"] == RESULT
    assert Attempt.objects.get(pk=started_attempt.pk).finished_reason != "submitted"
