"""The question bank: loaded from JSON by key, checked before anything is written; the real file is sound."""

import json

import pytest

from assessment.errors import QuestionBankError
from assessment.models import Option, Question
from assessment.rules import ABILITY_KINDS, DRAW_PER_KIND, OptionData, QuestionKind, question_problems
from assessment.services import QUESTION_BANK_PATH, question_bank_load
from tests.factories import BANK_SIZE_PER_KIND, bank_entries, write_bank

pytestmark = pytest.mark.django_db


def test_the_loader_upserts_every_question_with_its_four_options(tmp_path):
    loaded = question_bank_load(path=write_bank(tmp_path / "q.json", bank_entries()))

    assert loaded == Question.objects.count() == 4 * BANK_SIZE_PER_KIND
    for question in Question.objects.prefetch_related("options"):
        options = list(question.options.all())
        assert [option.position for option in options] == [1, 2, 3, 4]
        if question.kind in ABILITY_KINDS:
            assert sum(option.is_correct for option in options) == 1
            assert {option.points for option in options} == {0}
        else:
            assert not any(option.is_correct for option in options)
            assert sorted(option.points for option in options) == [0, 1, 2, 3]


def test_loading_twice_changes_nothing_and_keeps_the_same_rows(tmp_path):
    path = write_bank(tmp_path / "q.json", bank_entries())
    question_bank_load(path=path)
    before = list(Option.objects.order_by("pk").values_list("pk", "text", "is_correct", "points"))

    question_bank_load(path=path)

    assert list(Option.objects.order_by("pk").values_list("pk", "text", "is_correct", "points")) == before
    assert Question.objects.count() == 4 * BANK_SIZE_PER_KIND


def test_an_edited_file_updates_questions_in_place_even_when_the_right_answer_moves(tmp_path):
    entries = bank_entries()
    question_bank_load(path=write_bank(tmp_path / "q.json", entries))
    entry = entries[0]
    first_option_pk = Option.objects.get(question__key=entry["key"], position=1).pk
    entry["text"] = "Berapa 7 × 8?"
    for index, option in enumerate(entry["options"]):
        option["correct"] = index == 3

    question_bank_load(path=write_bank(tmp_path / "q.json", entries))

    question = Question.objects.get(key=entry["key"])
    assert question.text == "Berapa 7 × 8?"
    assert question.options.get(is_correct=True).position == 4
    assert Option.objects.get(question=question, position=1).pk == first_option_pk


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [
        (lambda entries: entries[0]["options"].pop(), "needs 4 options, has 3"),
        (lambda entries: entries[0]["options"][0].update(correct=True), "exactly one correct option, has 2"),
        (lambda entries: [o.update(correct=False) for o in entries[1]["options"]], "exactly one correct option, has 0"),
        (lambda entries: entries[-1]["options"][0].update(points=4), "points between 0 and 3"),
        (lambda entries: entries[2].update(kind="trivia"), "unknown kind"),
        (lambda entries: entries[3].update(key=entries[4]["key"]), "appears more than once"),
        (lambda entries: entries[5].update(text=""), "text must be a non-empty string"),
    ],
)
def test_a_faulty_file_is_refused_whole_naming_the_fault(tmp_path, spoil, problem):
    entries = bank_entries()
    spoil(entries)

    with pytest.raises(QuestionBankError) as refused:
        question_bank_load(path=write_bank(tmp_path / "q.json", entries))

    assert any(problem in line for line in refused.value.problems), refused.value.problems
    assert not Question.objects.exists()


def test_the_admin_and_the_loader_share_one_rule_for_options():
    four = [OptionData(text=str(n), correct=n == 1) for n in range(4)]

    assert question_problems(kind=QuestionKind.ARITHMETIC, options=four) == []
    assert question_problems(kind=QuestionKind.MOTIVATION, options=[OptionData(text="x", points=5)] * 4)


def test_staff_edit_questions_with_their_options_and_filter_by_kind(admin_client, question_bank):
    question = Question.objects.filter(kind=QuestionKind.ARITHMETIC).first()

    listing = admin_client.get("/admin/assessment/question/", {"kind__exact": "arithmetic", "q": question.key})
    page = admin_client.get(f"/admin/assessment/question/{question.pk}/change/")

    assert question.key in listing.content.decode()
    assert page.status_code == 200
    assert 'name="options-0-is_correct"' in page.content.decode()


def test_the_admin_refuses_an_ability_question_with_two_right_answers(admin_client, question_bank):
    question = Question.objects.filter(kind=QuestionKind.ARITHMETIC).first()
    options = list(question.options.order_by("position"))
    data = {
        "key": question.key,
        "kind": question.kind,
        "passage": "",
        "text": question.text,
        "active": "on",
        "options-TOTAL_FORMS": "4",
        "options-INITIAL_FORMS": "4",
        "options-MIN_NUM_FORMS": "4",
        "options-MAX_NUM_FORMS": "4",
    }
    for index, option in enumerate(options):
        data |= {
            f"options-{index}-id": option.pk,
            f"options-{index}-question": question.pk,
            f"options-{index}-position": option.position,
            f"options-{index}-text": option.text,
            f"options-{index}-points": "0",
        }
        if index < 2:
            data[f"options-{index}-is_correct"] = "on"

    response = admin_client.post(f"/admin/assessment/question/{question.pk}/change/", data)

    assert response.status_code == 200
    assert "exactly one correct option" in response.content.decode()
    assert question.options.filter(is_correct=True).count() == 1


# The real question file, written separately; the lead makes sure it exists.
REAL_BANK_MIN_TOTAL = 60
REAL_BANK_MIN_PER_KIND = 18


@pytest.mark.skipif(not QUESTION_BANK_PATH.exists(), reason="assessment/data/questions.json is not there yet")
def test_the_real_question_file_loads_and_is_large_enough_for_many_different_draws():
    entries = json.loads(QUESTION_BANK_PATH.read_text(encoding="utf-8"))

    loaded = question_bank_load()

    assert loaded == len(entries) >= REAL_BANK_MIN_TOTAL
    for kind in QuestionKind.values:
        count = Question.objects.filter(kind=kind, active=True).count()
        assert count >= max(REAL_BANK_MIN_PER_KIND, DRAW_PER_KIND[kind]), (kind, count)


def test_a_question_staff_retired_stays_retired_when_the_file_is_loaded_again(tmp_path):
    path = write_bank(tmp_path / "q.json", bank_entries())
    question_bank_load(path=path)
    Question.objects.filter(key="reading-03").update(active=False)

    question_bank_load(path=path)

    assert Question.objects.get(key="reading-03").active is False
