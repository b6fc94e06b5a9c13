"""Step 6 and 7: the declaration, a test taken, and a small question bank to draw tests from."""

import json
import tempfile
from datetime import timedelta
from pathlib import Path

import factory
from django.utils import timezone

from assessment.eligibility import exclusion_reasons_from
from assessment.models import Attempt, Declaration, DeclarationText, FinishedReason
from assessment.rules import ABILITY_KINDS, QuestionKind

# --- The declaration (step 6) ---------------------------------------------------------------------------


def declaration_answers(**overrides) -> dict:
    """Answers that leave the applicant eligible, with ``overrides``: what declaration_submit takes."""
    answers = {
        "employment": "phk",
        "in_formal_education": False,
        "excluded_groups": [],
        "other_aid": [],
        "truthful": True,
    }
    answers.update(overrides)
    return answers


def declaration_form(**overrides) -> dict:
    """The declaration page's fields filled in so the applicant stays eligible, with ``overrides``: what the
    browser posts (add ``confirm="1"`` for "Kirim pernyataan" on the check page)."""
    from assessment.eligibility import ExcludedGroup
    from assessment.selectors import declaration_text_current

    data = {
        "text_version": str(declaration_text_current().version),
        "employment": "phk",
        "in_formal_education": "tidak",
        **{f"group_{group}": "tidak" for group in ExcludedGroup.values},
        "other_aid": ["tidak_menerima"],
        "truthful": "on",
    }
    data.update(overrides)
    return data


class DeclarationFactory(factory.django.DjangoModelFactory):
    """A declaration submitted through declaration_submit (which works out its exclusion reasons), against the
    current text; eligible unless the answers say otherwise (``in_formal_education=True``, ``excluded_groups``).

    ``DeclarationFactory.build(...)`` gives the same row unsaved, its reasons worked out by the same function,
    for the bulk builders."""

    class Meta:
        model = Declaration

    user = None
    # The declaration in force (what user.declaration and the rules read): a built row needs it as a created one has.
    current_for = factory.SelfAttribute("user")
    text = factory.LazyFunction(lambda: DeclarationText.objects.get(is_current=True))
    employment = "phk"
    in_formal_education = False
    excluded_groups = factory.LazyFunction(list)
    other_aid = factory.LazyFunction(list)
    truthful = True
    exclusion_reasons = factory.LazyAttribute(
        lambda o: list(
            exclusion_reasons_from(in_formal_education=o.in_formal_education, excluded_groups=set(o.excluded_groups))
        )
    )
    submitted_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, exclusion_reasons, submitted_at, current_for, **answers):
        from assessment.services import declaration_submit

        return declaration_submit(**answers, now=submitted_at)


# --- The test (step 7) ----------------------------------------------------------------------------------


class AttemptFactory(factory.django.DjangoModelFactory):
    """A finished test, passed (80 of 60) unless ``passed=False`` (20), taken 20 days before the clock's now.

    Written straight into the table, without its questions: the selection and the journey read only the
    outcome. A test to answer question by question is attempt_start's, on the ``question_bank`` fixture."""

    class Meta:
        model = Attempt

    user = None
    seed = 1
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=20))
    deadline = factory.LazyAttribute(lambda o: o.started_at + timedelta(minutes=25))
    submitted_at = factory.LazyAttribute(lambda o: o.started_at + timedelta(minutes=10))
    finished_reason = FinishedReason.SUBMITTED
    passed = True
    score = factory.LazyAttribute(lambda o: 80 if o.passed else 20)
    pass_score = 60


# --- The question bank ----------------------------------------------------------------------------------

BANK_SIZE_PER_KIND = 10


def bank_entries(per_kind: int = BANK_SIZE_PER_KIND) -> list[dict]:
    """A small bank: ``per_kind`` questions of each kind. Ability questions have their right answer at different
    places; motivation options are worth 0..3 points, in a different order for each question."""
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


def question_bank_create(entries: list[dict] | None = None) -> int:
    """Load the small bank (or ``entries``) through the loader, as seed_demo loads the real file."""
    from assessment.services import question_bank_load

    with tempfile.TemporaryDirectory() as folder:
        return question_bank_load(path=write_bank(Path(folder) / "questions.json", entries or bank_entries()))
