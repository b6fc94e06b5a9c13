import json
from pathlib import Path

import pytest

from assessment.rules import ABILITY_KINDS, QuestionKind
from tests.clock import T0

# A small bank: 10 questions of each kind. Ability questions have their right answer at different places;
# motivation options are worth 0..3 points, in a different order for each question.
BANK_SIZE_PER_KIND = 10


def bank_entries(per_kind: int = BANK_SIZE_PER_KIND) -> list[dict]:
    entries = []
    for kind in QuestionKind.values:
        for number in range(1, per_kind + 1):
            if kind in ABILITY_KINDS:
                right = number % 4
                options = [
                    {"text": f"{kind} {number} pilihan {index + 1}", "correct": index == right, "points": 0}
                    for index in range(4)
                ]
            else:
                points = [(number + index) % 4 for index in range(4)]
                options = [
                    {"text": f"motivasi {number} sikap {index + 1}", "correct": False, "points": points[index]}
                    for index in range(4)
                ]
            entries.append(
                {
                    "key": f"{kind}-{number:02d}",
                    "kind": kind,
                    "passage": f"Bacaan untuk soal {number}." if kind == QuestionKind.READING else "",
                    "text": f"Pertanyaan {kind} nomor {number}?",
                    "options": options,
                }
            )
    return entries


def write_bank(path: Path, entries: list[dict]) -> Path:
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def question_bank(db, tmp_path):
    """The small bank, loaded through the loader as seed_demo loads the real file."""
    from assessment.services import question_bank_load

    question_bank_load(path=write_bank(tmp_path / "questions.json", bank_entries()))


def declaration_answers(**overrides) -> dict:
    answers = {
        "employment": "phk",
        "in_formal_education": False,
        "excluded_groups": [],
        "other_aid": [],
        "truthful": True,
    }
    answers.update(overrides)
    return answers


def declare(user, **overrides):
    from assessment.selectors import declaration_text_current
    from assessment.services import declaration_submit

    return declaration_submit(user=user, text=declaration_text_current(), **declaration_answers(**overrides))


@pytest.fixture
def applicant(client, verified_user):
    client.force_login(verified_user)
    return verified_user


@pytest.fixture
def declared_applicant(applicant):
    """An applicant whose declaration makes them eligible (step 6 done)."""
    declare(applicant)
    return applicant


@pytest.fixture
def started_attempt(declared_applicant, question_bank):
    """A test started at T0 (deadline T0 + 25 minutes)."""
    from assessment.services import attempt_start

    return attempt_start(user=declared_applicant, now=T0)


def answer_key(attempt) -> dict[int, int]:
    """For each position, the shown number (1..4) of the best option: the right one, or the most points."""
    return _key(attempt, max)


def wrong_key(attempt) -> dict[int, int]:
    """For each position, the shown number of a worst option: wrong, or worth 0 points."""
    return _key(attempt, min)


def _key(attempt, pick) -> dict[int, int]:
    key = {}
    for item in attempt.items.select_related("question").prefetch_related("question__options"):
        options = {option.position: option for option in item.question.options.all()}
        scores = [
            (1 if options[position].is_correct else 0)
            if item.question.kind in ABILITY_KINDS
            else options[position].points
            for position in item.option_order
        ]
        key[item.position] = scores.index(pick(scores)) + 1
    return key
