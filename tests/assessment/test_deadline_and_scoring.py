"""The server's clock: the deadline holds when read, expired tests are scored, nothing is submitted twice,
and the score follows the published formula."""

import re

import pytest
from freezegun import freeze_time

from assessment.errors import AssessmentError, AssessmentErrorCode
from assessment.models import Attempt, AttemptItem
from assessment.rules import Tally, score_compute
from assessment.selectors import assessment_progress, attempt_outcome
from assessment.services import attempt_answer, attempt_start, attempt_submit, attempts_finish_expired
from assessment.tasks import attempts_finish_expired_task
from tests.clock import MINUTE, T0
from tests.factories import DeclarationFactory, UserFactory
from tests.helpers import answer_key, wrong_key

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.assessment.urls")]

DEADLINE = T0 + 25 * MINUTE
RESULT = "/dashboard/tes/hasil/"
REVIEW = "/dashboard/tes/periksa/"


def question(position: int) -> str:
    return f"/dashboard/tes/soal/{position}/"


def answer(attempt, key: dict[int, int], positions, *, now) -> None:
    for position in positions:
        attempt_answer(user=attempt.user, position=position, choice=key[position], now=now)


# --- The deadline holds when read ---------------------------------------------------------------------


def test_past_the_deadline_the_attempt_shows_as_finished_and_scored_though_no_job_ran(started_attempt, settings):
    # given an applicant who answered the ability questions right and then left
    settings.TEST_PASS_SCORE = 60
    answer(started_attempt, answer_key(started_attempt), range(1, 14), now=T0 + 5 * MINUTE)

    # when the journey reads the test one minute after the deadline
    progress = assessment_progress(user=started_attempt.user, now=DEADLINE + MINUTE)
    outcome = attempt_outcome(attempt=Attempt.objects.get(pk=started_attempt.pk), now=DEADLINE + MINUTE)

    # then it is finished and scored from the saved answers, though nothing was written
    assert not progress.test_in_progress
    assert progress.test_passed  # 13/13 ability answers = 70 points
    assert (outcome.score, outcome.finished_at, outcome.finished_reason, outcome.recorded) == (
        70,
        DEADLINE,
        "timeout",
        False,
    )
    assert Attempt.objects.get(pk=started_attempt.pk).submitted_at is None


def test_at_the_deadline_exactly_the_test_is_over(started_attempt):
    assert assessment_progress(user=started_attempt.user, now=DEADLINE - MINUTE / 60).test_in_progress
    assert not assessment_progress(user=started_attempt.user, now=DEADLINE).test_in_progress


def test_an_answer_after_the_deadline_is_refused_by_the_service(started_attempt):
    with pytest.raises(AssessmentError) as refused:
        attempt_answer(user=started_attempt.user, position=1, choice=1, now=DEADLINE)

    assert refused.value.code == AssessmentErrorCode.DEADLINE_PASSED
    assert AttemptItem.objects.get(attempt=started_attempt, position=1).answered_at is None


def test_an_answer_sent_after_the_deadline_is_not_saved_and_the_applicant_sees_the_result(client, started_attempt):
    with freeze_time(DEADLINE + MINUTE / 6):
        response = client.post(question(3), {"choice": "2", "next": "1"}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == RESULT
    assert "Waktu tes sudah habis" in html
    assert "Hasil Tes Motivasi" in html
    assert not AttemptItem.objects.filter(attempt=started_attempt, answered_at__isnull=False).exists()


def test_after_the_deadline_no_question_can_be_opened_again_and_the_test_cannot_be_restarted(client, started_attempt):
    with freeze_time(DEADLINE + MINUTE):
        for position in (1, 5, 18):
            assert client.get(question(position))["Location"] == RESULT
        start_page = client.get("/dashboard/tes/").content.decode()

    assert "belum lolos" in start_page  # nothing answered: the result is already known
    assert not re.search(r"<button[^>]*>\s*Mulai Tes Sekarang", start_page)


def test_the_result_page_records_an_expired_attempt_at_its_deadline(client, started_attempt, settings):
    settings.TEST_PASS_SCORE = 60
    answer(started_attempt, wrong_key(started_attempt), range(1, 4), now=T0 + MINUTE)

    with freeze_time(DEADLINE + 3 * MINUTE):
        html = client.get(RESULT).content.decode()

    attempt = Attempt.objects.get(pk=started_attempt.pk)
    assert (attempt.submitted_at, attempt.finished_reason, attempt.score, attempt.passed) == (
        DEADLINE,
        "timeout",
        0,
        False,
    )
    assert "Belum lolos" in html and "Waktu tes habis" in html


def test_selesai_pressed_after_the_deadline_counts_only_answers_given_in_time(started_attempt):
    key = answer_key(started_attempt)
    answer(started_attempt, key, [1], now=T0 + MINUTE)

    attempt = attempt_submit(user=started_attempt.user, now=DEADLINE + 2 * MINUTE)

    assert (attempt.submitted_at, attempt.finished_reason) == (DEADLINE, "timeout")
    assert attempt.score == score_compute(
        Tally(ability_correct=1, ability_total=13, motivation_points=0, motivation_total=5)
    )


# --- The expiry job -------------------------------------------------------------------------------------


def test_the_expiry_task_scores_abandoned_attempts_and_leaves_running_ones(started_attempt, settings):
    # given an abandoned attempt (started at T0) and one started 20 minutes later
    settings.TEST_PASS_SCORE = 0
    late = UserFactory(verified=True)
    DeclarationFactory(user=late)
    running = attempt_start(user=late, now=T0 + 20 * MINUTE)

    # when the task runs just after the first deadline
    with freeze_time(DEADLINE + MINUTE):
        recorded = attempts_finish_expired_task.delay().get()
        again = attempts_finish_expired_task.delay().get()

    # then only the abandoned one is finished, at its deadline, and a second run records nothing
    assert (recorded, again) == (1, 0)
    abandoned = Attempt.objects.get(pk=started_attempt.pk)
    assert (abandoned.submitted_at, abandoned.finished_reason, abandoned.score, abandoned.passed) == (
        DEADLINE,
        "timeout",
        0,
        True,
    )
    assert Attempt.objects.get(pk=running.pk).submitted_at is None


def test_the_sweep_works_through_many_attempts_in_batches(question_bank, settings):
    users = [UserFactory(verified=True) for _ in range(5)]
    for user in users:
        DeclarationFactory(user=user)
        attempt_start(user=user, now=T0)

    assert attempts_finish_expired(now=DEADLINE, batch_size=2) == 5
    assert not Attempt.objects.filter(submitted_at__isnull=True).exists()


# --- Never twice ----------------------------------------------------------------------------------------


def test_a_double_clicked_selesai_submits_once(client, started_attempt):
    with freeze_time(T0 + 3 * MINUTE):
        client.post(question(18), {"choice": "1", "finish": "1"})
        first = client.post(REVIEW, {"confirm": "1"})
    with freeze_time(T0 + 3 * MINUTE + MINUTE / 60):
        client.post(question(18), {"choice": "2", "finish": "1"})
        second = client.post(REVIEW, {"confirm": "1"})

    attempt = Attempt.objects.get(pk=started_attempt.pk)
    assert first["Location"] == second["Location"] == RESULT
    assert attempt.submitted_at == T0 + 3 * MINUTE
    item = AttemptItem.objects.get(attempt=attempt, position=18)
    assert item.chosen_option.position == item.option_order[0]  # the second click changed nothing


def test_submitting_twice_returns_the_same_finished_attempt(started_attempt):
    first = attempt_submit(user=started_attempt.user, now=T0 + MINUTE)
    second = attempt_submit(user=started_attempt.user, now=T0 + 2 * MINUTE)

    assert first.pk == second.pk
    assert second.submitted_at == T0 + MINUTE
    assert Attempt.objects.filter(submitted_at__isnull=False).count() == 1


def test_nothing_can_be_answered_after_selesai(started_attempt):
    attempt_submit(user=started_attempt.user, now=T0 + MINUTE)

    with pytest.raises(AssessmentError) as refused:
        attempt_answer(user=started_attempt.user, position=2, choice=1, now=T0 + 2 * MINUTE)

    assert refused.value.code == AssessmentErrorCode.NO_RUNNING_ATTEMPT


# --- The score -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tally", "score"),
    [
        (Tally(ability_correct=13, ability_total=13, motivation_points=15, motivation_total=5), 100),
        (Tally(ability_correct=0, ability_total=13, motivation_points=0, motivation_total=5), 0),
        (Tally(ability_correct=13, ability_total=13, motivation_points=0, motivation_total=5), 70),
        (Tally(ability_correct=0, ability_total=13, motivation_points=15, motivation_total=5), 30),
        # 100 × (0.7 × 10/13 + 0.3 × 12/15) = 53.846… + 24 = 77.846… → 78
        (Tally(ability_correct=10, ability_total=13, motivation_points=12, motivation_total=5), 78),
        # 100 × (0.7 × 7/13 + 0.3 × 9/15) = 37.692… + 18 = 55.692… → 56
        (Tally(ability_correct=7, ability_total=13, motivation_points=9, motivation_total=5), 56),
        # exactly half: 100 × (0.7 × 1/4 + 0.3 × 0) = 17.5 → 18 (half up, not to even)
        (Tally(ability_correct=1, ability_total=4, motivation_points=0, motivation_total=5), 18),
    ],
)
def test_the_score_follows_the_published_formula(tally, score):
    assert score_compute(tally) == score


def test_a_test_is_scored_on_the_server_from_the_saved_answers(started_attempt):
    # given 10 of the 13 ability questions right, and the best motivation answers on 4 of the 5
    right, wrong = answer_key(started_attempt), wrong_key(started_attempt)
    answer(started_attempt, right, range(1, 11), now=T0 + MINUTE)
    answer(started_attempt, wrong, range(11, 14), now=T0 + MINUTE)
    answer(started_attempt, right, range(14, 18), now=T0 + MINUTE)

    attempt = attempt_submit(user=started_attempt.user, now=T0 + 2 * MINUTE)

    # then 100 × (0.7 × 10/13 + 0.3 × 12/15) = 77.8 → 78
    assert attempt.score == 78


@pytest.mark.parametrize(
    ("pass_score", "answers", "passed"),
    [(0, "none", True), (100, "best", True), (100, "all but one", False), (60, "none", False)],
)
def test_the_pass_mark_is_read_at_scoring_time_from_0_to_100(started_attempt, settings, pass_score, answers, passed):
    settings.TEST_PASS_SCORE = pass_score
    right, wrong = answer_key(started_attempt), wrong_key(started_attempt)
    if answers == "best":
        answer(started_attempt, right, range(1, 19), now=T0 + MINUTE)
    elif answers == "all but one":
        answer(started_attempt, right, range(1, 18), now=T0 + MINUTE)
        answer(started_attempt, wrong, [18], now=T0 + MINUTE)

    attempt = attempt_submit(user=started_attempt.user, now=T0 + 2 * MINUTE)

    assert attempt.passed is passed
    assert attempt.pass_score == pass_score
    # a later change of the setting does not rewrite a recorded result
    settings.TEST_PASS_SCORE = 100 - pass_score
    assert assessment_progress(user=started_attempt.user).test_passed is passed
