"""Step 7 through HTTP: the rules, "Mulai Tes Sekarang", one question a page, answers saved as given."""

import re

import pytest
from freezegun import freeze_time

from assessment.errors import AssessmentError, AssessmentErrorCode
from assessment.models import Attempt, AttemptItem
from assessment.selectors import assessment_progress
from assessment.services import attempt_answer, attempt_start, attempt_submit
from tests.clock import MINUTE, T0
from tests.factories import DeclarationFactory
from tests.helpers import answer_key
from tests.prakerja.test_error_summary import _Page

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.assessment.urls")]

START = "/dashboard/tes/"
RESULT = "/dashboard/tes/hasil/"


def question(position: int) -> str:
    return f"/dashboard/tes/soal/{position}/"


START_BUTTON = re.compile(r"<button[^>]*>\s*Mulai Tes Sekarang\s*</button>")


def checked_value(html: str) -> str | None:
    found = re.search(r'name="choice"[^>]*value="(\d)"[^>]*checked', html)
    return found.group(1) if found else None


def test_the_intro_states_the_rules_and_offers_to_start(client, declared_applicant, question_bank):
    html = client.get(START).content.decode()

    assert "18 soal" in html
    assert "5 berhitung, 4 mengurutkan instruksi, 4 pemahaman bacaan, 5 motivasi." in html
    assert "25 menit" in html
    assert "tidak dapat dijeda" in html
    assert "Jawaban tersimpan" in html
    assert START_BUTTON.search(html)


def test_starting_sets_a_25_minute_deadline_on_the_server_and_opens_question_one(
    client, declared_applicant, question_bank
):
    with freeze_time(T0):
        response = client.post(START)

    attempt = Attempt.objects.get(user=declared_applicant)
    assert response["Location"] == question(1)
    assert attempt.started_at == T0
    assert attempt.deadline == T0 + 25 * MINUTE
    assert assessment_progress(user=declared_applicant, now=T0).test_in_progress


def test_pressing_mulai_twice_starts_one_test(client, declared_applicant, question_bank):
    with freeze_time(T0):
        client.post(START)
        second = client.post(START)

    assert Attempt.objects.filter(user=declared_applicant).count() == 1
    assert second["Location"] == question(1)


def test_a_question_page_shows_the_kind_the_question_its_options_progress_and_time_left(client, started_attempt):
    with freeze_time(T0 + 1 * MINUTE):
        html = client.get(question(1)).content.decode()

    item = started_attempt.items.select_related("question").get(position=1)
    assert "Soal 1 dari 18" in html
    assert "Berhitung" in html
    assert item.question.text in html
    assert html.count('name="choice"') == 4
    assert 'data-remaining-seconds="1440"' in html and "24:00" in html
    assert "Berikutnya" in html and "Selesai" not in html


def test_a_reading_question_shows_its_passage_and_the_last_question_offers_selesai(client, started_attempt):
    reading = started_attempt.items.select_related("question").filter(question__kind="reading").first()
    with freeze_time(T0):
        reading_html = client.get(question(reading.position)).content.decode()
        last_html = client.get(question(18)).content.decode()

    assert reading.question.passage in reading_html
    assert "Soal 18 dari 18" in last_html
    assert re.search(r'name="finish"[^>]*>\s*Selesai', last_html)


def test_an_answer_is_saved_as_given_and_shown_again(client, started_attempt):
    with freeze_time(T0 + MINUTE):
        response = client.post(question(1), {"choice": "3", "next": "1"})
        html = client.get(question(1)).content.decode()

    assert response["Location"] == question(2)
    item = AttemptItem.objects.get(attempt=started_attempt, position=1)
    assert item.answered_at == T0 + MINUTE
    assert item.chosen_option.position == item.option_order[2]
    assert checked_value(html) == "3"


def test_a_reload_or_a_phone_waking_up_resumes_at_the_first_unanswered_question(client, started_attempt):
    with freeze_time(T0 + MINUTE):
        for position in (1, 2, 3, 5):
            client.post(question(position), {"choice": "1", "next": "1"})
        # the phone went to sleep; the applicant opens the test again
        resumed = client.get(START)

    assert resumed["Location"] == question(4)


def test_the_applicant_may_go_back_and_change_an_answer_before_the_deadline(client, started_attempt):
    with freeze_time(T0 + MINUTE):
        client.post(question(1), {"choice": "1", "next": "1"})
        # on question 2, the applicant picks an answer and jumps back to 1: both are kept
        jump = client.post(question(2), {"choice": "4", "go": "1"})
        client.post(question(1), {"choice": "2", "next": "1"})

    assert jump["Location"] == question(1)
    items = {item.position: item for item in AttemptItem.objects.filter(attempt=started_attempt, position__in=[1, 2])}
    assert items[1].chosen_option.position == items[1].option_order[1]
    assert items[2].chosen_option.position == items[2].option_order[3]


def test_berikutnya_without_an_answer_moves_on_once_confirmed_and_leaves_the_question_unanswered(
    client, started_attempt
):
    with freeze_time(T0 + MINUTE):
        client.post(question(1), {"next": "1"})  # warned once (tests/assessment/test_check_before_finishing.py)
        response = client.post(question(1), {"next": "1", "skip": "1"})

    assert response["Location"] == question(2)
    assert AttemptItem.objects.get(attempt=started_attempt, position=1).answered_at is None


def test_a_choice_that_is_not_offered_is_refused_and_nothing_is_saved(client, started_attempt):
    with freeze_time(T0 + MINUTE):
        response = client.post(question(1), {"choice": "7", "next": "1"})

    assert response.status_code == 200
    assert "choice" in response.context["form"].errors
    assert AttemptItem.objects.get(attempt=started_attempt, position=1).answered_at is None


def test_a_choice_that_is_not_offered_is_said_in_the_shared_error_summary(client, started_attempt):
    """Like every other form (prakerja.forms.ErrorSummaryForm): "Ada masalah" at the top with a link to the
    first option, the options marked aria-invalid, the portal's own message, and no alert of its own."""
    with freeze_time(T0 + MINUTE):
        html = client.post(question(1), {"choice": "7", "next": "1"}).content.decode()

    page = _Page(html)
    assert "Ada masalah" in html
    assert page.summary_links == ["#id_choice_0"]
    assert "id_choice_0" in page.ids
    assert {"id_choice_0", "id_choice_1", "id_choice_2", "id_choice_3"} <= page.invalid
    assert html.count("Pilih salah satu jawaban yang tersedia.") == 2  # in the summary and at the question
    assert "bukan salah satu" not in html  # not Django's "7 bukan salah satu dari pilihan yang tersedia"
    assert 'class="alert alert-danger py-2"' not in html


def test_selesai_saves_the_last_answer_scores_and_shows_the_result(client, started_attempt, settings):
    settings.TEST_PASS_SCORE = 60
    key = answer_key(started_attempt)
    with freeze_time(T0 + 10 * MINUTE):
        for position in range(1, 18):
            client.post(question(position), {"choice": str(key[position]), "next": "1"})
        client.post(question(18), {"choice": str(key[18]), "finish": "1"})
        finish = client.post("/dashboard/tes/periksa/", {"confirm": "1"})
        result = client.get(RESULT).content.decode()

    attempt = Attempt.objects.get(pk=started_attempt.pk)
    assert finish["Location"] == RESULT
    assert (attempt.score, attempt.passed, attempt.finished_reason) == (100, True, "submitted")
    assert attempt.submitted_at == T0 + 10 * MINUTE
    assert 'data-result="passed"' in result and "Lolos" in result
    assert "Nilai Anda 100 dari 100" in result
    assert "0,7 × jawaban benar" in result  # the formula is on the page
    assert assessment_progress(user=started_attempt.user, now=T0 + 11 * MINUTE).test_passed


def test_a_question_outside_the_test_leads_back_to_where_the_applicant_left_off(client, started_attempt):
    with freeze_time(T0):
        assert client.get(question(19))["Location"] == question(1)


def test_the_question_page_costs_a_bounded_number_of_queries(client, started_attempt, django_assert_max_num_queries):
    with freeze_time(T0 + MINUTE):
        client.get(question(1))  # warm the session
        with django_assert_max_num_queries(6):
            client.get(question(7))
        with django_assert_max_num_queries(11):
            client.post(question(7), {"choice": "2", "next": "1"})


def test_the_journey_reads_the_test_in_a_few_queries(started_attempt, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assessment_progress(user=started_attempt.user, now=T0 + MINUTE)
    with django_assert_max_num_queries(3):
        assessment_progress(user=started_attempt.user, now=T0 + 30 * MINUTE)


# --- Who may start a test -------------------------------------------------------------------------------


def test_no_test_before_an_eligible_declaration(applicant, question_bank):
    with pytest.raises(AssessmentError) as missing:
        attempt_start(user=applicant, now=T0)
    DeclarationFactory(user=applicant, in_formal_education=True)
    with pytest.raises(AssessmentError) as excluded:
        attempt_start(user=applicant, now=T0)

    assert missing.value.code == AssessmentErrorCode.DECLARATION_MISSING
    assert excluded.value.code == AssessmentErrorCode.EXCLUDED


def test_no_second_attempt_while_one_is_running(started_attempt):
    with pytest.raises(AssessmentError) as refused:
        attempt_start(user=started_attempt.user, now=T0 + MINUTE, latest_wave_opened_at=T0 + MINUTE)

    assert refused.value.code == AssessmentErrorCode.ATTEMPT_RUNNING
    assert Attempt.objects.count() == 1


def test_no_second_attempt_after_a_pass_even_once_a_new_wave_has_opened(client, started_attempt, settings):
    settings.TEST_PASS_SCORE = 0
    attempt_submit(user=started_attempt.user, now=T0 + MINUTE)

    with pytest.raises(AssessmentError) as refused:
        attempt_start(user=started_attempt.user, now=T0 + 60 * MINUTE, latest_wave_opened_at=T0 + 30 * MINUTE)
    with freeze_time(T0 + 60 * MINUTE):
        page = client.get(START)

    assert refused.value.code == AssessmentErrorCode.ALREADY_PASSED
    assert page["Location"] == RESULT
    assert Attempt.objects.count() == 1


def _fail(attempt, settings) -> None:
    settings.TEST_PASS_SCORE = 100
    attempt_submit(user=attempt.user, now=T0 + MINUTE)
    assert Attempt.objects.get(pk=attempt.pk).passed is False


def test_after_a_failure_no_retake_until_a_new_wave_opens(client, started_attempt, settings):
    _fail(started_attempt, settings)

    with pytest.raises(AssessmentError) as refused:
        attempt_start(user=started_attempt.user, now=T0 + 60 * MINUTE)
    with freeze_time(T0 + 60 * MINUTE):
        page = client.get(START).content.decode()
        post = client.post(START)

    assert refused.value.code == AssessmentErrorCode.RETAKE_NOT_ALLOWED
    assert refused.value.params == {"failed_at": T0 + MINUTE}
    assert "belum lolos" in page and "setelah gelombang baru dibuka" in page
    assert not START_BUTTON.search(page)
    assert post.status_code == 200 and "setelah gelombang baru dibuka" in post.content.decode()
    assert Attempt.objects.count() == 1


@pytest.mark.parametrize(
    "opened_at",
    [
        pytest.param(T0 - 60 * MINUTE, id="the-latest-wave-opened-before-the-test"),
        pytest.param(T0 + MINUTE, id="at-the-moment-the-test-failed"),
        pytest.param(T0 + 90 * MINUTE, id="a-wave-that-opens-later"),
    ],
)
def test_the_service_itself_refuses_a_retake_the_rule_forbids(started_attempt, settings, opened_at):
    # Called directly, as any caller could: the rule is the service's, not the page's, and a failure at
    # T0 + 1 minute is retaken at T0 + 60 minutes only after a wave that opened in between.
    _fail(started_attempt, settings)

    with pytest.raises(AssessmentError) as refused:
        attempt_start(user=started_attempt.user, now=T0 + 60 * MINUTE, latest_wave_opened_at=opened_at)

    assert refused.value.code == AssessmentErrorCode.RETAKE_NOT_ALLOWED
    assert Attempt.objects.filter(user=started_attempt.user).count() == 1


def test_a_retake_is_allowed_once_a_wave_has_opened_since_and_the_latest_result_counts(started_attempt, settings):
    _fail(started_attempt, settings)
    settings.TEST_PASS_SCORE = 0

    retake = attempt_start(user=started_attempt.user, now=T0 + 60 * MINUTE, latest_wave_opened_at=T0 + 30 * MINUTE)
    attempt_submit(user=started_attempt.user, now=T0 + 61 * MINUTE)

    assert retake.pk != started_attempt.pk
    progress = assessment_progress(user=started_attempt.user, now=T0 + 62 * MINUTE)
    assert progress.test_passed and not progress.test_failed


def test_a_second_failure_needs_a_wave_opened_after_it(started_attempt, settings):
    # The latest result counts for the rule too: the wave that allowed the first retake allows no third try.
    _fail(started_attempt, settings)
    attempt_start(user=started_attempt.user, now=T0 + 60 * MINUTE, latest_wave_opened_at=T0 + 30 * MINUTE)
    attempt_submit(user=started_attempt.user, now=T0 + 61 * MINUTE)

    with pytest.raises(AssessmentError) as refused:
        attempt_start(user=started_attempt.user, now=T0 + 90 * MINUTE, latest_wave_opened_at=T0 + 30 * MINUTE)
    third = attempt_start(user=started_attempt.user, now=T0 + 90 * MINUTE, latest_wave_opened_at=T0 + 80 * MINUTE)

    assert refused.value.code == AssessmentErrorCode.RETAKE_NOT_ALLOWED
    assert third.started_at == T0 + 90 * MINUTE


@pytest.mark.urls("tests.assessment.urls_new_wave")
def test_a_failed_applicant_may_start_again_once_the_journey_says_a_new_wave_opened(client, started_attempt, settings):
    _fail(started_attempt, settings)

    with freeze_time(T0 + 60 * MINUTE):
        page = client.get(START).content.decode()
        started = client.post(START)

    assert "Gelombang baru sudah dibuka" in page and START_BUTTON.search(page)
    assert started["Location"] == question(1)
    assert Attempt.objects.filter(user=started_attempt.user).count() == 2


@pytest.mark.urls("tests.assessment.urls_new_wave")
def test_the_wave_that_allowed_a_retake_offers_no_further_one(client, started_attempt, settings):
    # The page passes the same fact on (a wave opened at T0 + 30 minutes); after a second failure it is
    # older than the latest result, so there is no button and the service refuses a POST sent anyway.
    _fail(started_attempt, settings)
    attempt_start(user=started_attempt.user, now=T0 + 60 * MINUTE, latest_wave_opened_at=T0 + 30 * MINUTE)
    attempt_submit(user=started_attempt.user, now=T0 + 61 * MINUTE)

    with freeze_time(T0 + 90 * MINUTE):
        page = client.get(START).content.decode()
        post = client.post(START)

    assert not START_BUTTON.search(page)
    assert post.status_code == 200 and "setelah gelombang baru dibuka" in post.content.decode()
    assert Attempt.objects.filter(user=started_attempt.user).count() == 2


def test_retake_possible_follows_the_rule_of_the_service(started_attempt, settings):
    from assessment.selectors import retake_possible

    _fail(started_attempt, settings)
    now = T0 + 60 * MINUTE

    assert retake_possible(user=started_attempt.user, latest_wave_opened_at=T0 + 2 * MINUTE, now=now) is True
    assert retake_possible(user=started_attempt.user, latest_wave_opened_at=T0 + MINUTE, now=now) is False
    assert retake_possible(user=started_attempt.user, latest_wave_opened_at=now + MINUTE, now=now) is False
    assert retake_possible(user=started_attempt.user, latest_wave_opened_at=None, now=now) is False


def test_retake_possible_is_false_without_an_attempt_while_running_and_after_a_pass(started_attempt, settings, user):
    from assessment.selectors import retake_possible

    opened = T0 + 2 * MINUTE
    assert retake_possible(user=user, latest_wave_opened_at=opened, now=T0 + 60 * MINUTE) is False
    assert retake_possible(user=started_attempt.user, latest_wave_opened_at=opened, now=T0 + 3 * MINUTE) is False
    settings.TEST_PASS_SCORE = 0
    attempt_submit(user=started_attempt.user, now=T0 + MINUTE)
    assert retake_possible(user=started_attempt.user, latest_wave_opened_at=opened, now=T0 + 60 * MINUTE) is False


def test_answering_refuses_a_position_that_is_not_in_the_test(started_attempt):
    with pytest.raises(AssessmentError) as refused:
        attempt_answer(user=started_attempt.user, position=19, choice=1, now=T0 + MINUTE)

    assert refused.value.code == AssessmentErrorCode.INVALID_POSITION
