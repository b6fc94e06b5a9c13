"""Races on PostgreSQL: a double "Selesai", the expiry sweep meeting "Selesai", a double "Mulai"."""

import threading

import pytest
from django.db import connection

from assessment import services
from assessment.errors import AssessmentError
from assessment.models import Attempt
from assessment.services import attempt_start, attempt_submit, attempts_finish_expired, declaration_text_publish
from tests.clock import MINUTE, T0
from tests.factories import DeclarationFactory, UserFactory, bank_entries, write_bank
from tests.helpers import require_service

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def racer(tmp_path):
    """An eligible applicant and a loaded bank (transactional tests start from empty tables)."""
    if connection.vendor != "postgresql":
        require_service("postgresql")
    services.question_bank_load(path=write_bank(tmp_path / "q.json", bank_entries()))
    declaration_text_publish(title="Pernyataan", intro="Pengantar.", clauses="Saya menyatakan.")
    user = UserFactory(verified=True)
    DeclarationFactory(user=user)
    return user


def run_together(*calls) -> list[object]:
    """Run each call in its own thread and connection, released at the same moment; their outcomes."""
    start = threading.Barrier(len(calls), timeout=10)
    outcomes: list[object] = [None] * len(calls)

    def run(index, call) -> None:
        try:
            start.wait()
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - reported by the caller's assertions
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def records(monkeypatch) -> list[bool]:
    """Every finishing write, and whether it changed the attempt."""
    seen: list[bool] = []
    original = services._attempt_record

    def counting(**kwargs) -> bool:
        changed = original(**kwargs)
        seen.append(changed)
        return changed

    monkeypatch.setattr(services, "_attempt_record", counting)
    return seen


def test_two_selesai_at_the_same_moment_finish_the_attempt_once(racer, records):
    attempt = attempt_start(user=racer, now=T0)

    outcomes = run_together(
        lambda: attempt_submit(user=racer, now=T0 + MINUTE),
        lambda: attempt_submit(user=racer, now=T0 + 2 * MINUTE),
    )

    assert all(isinstance(outcome, Attempt) for outcome in outcomes), outcomes
    assert records.count(True) == 1
    finished = Attempt.objects.get(pk=attempt.pk)
    assert {outcome.submitted_at for outcome in outcomes} == {finished.submitted_at}


def test_the_expiry_sweep_and_a_late_selesai_finish_the_attempt_once(racer, records):
    attempt = attempt_start(user=racer, now=T0)
    deadline = T0 + 25 * MINUTE

    outcomes = run_together(
        lambda: attempts_finish_expired(now=deadline + MINUTE),
        lambda: attempt_submit(user=racer, now=deadline + MINUTE),
    )

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert records.count(True) == 1
    finished = Attempt.objects.get(pk=attempt.pk)
    assert (finished.submitted_at, finished.finished_reason) == (deadline, "timeout")


def test_the_conditional_update_alone_lets_only_one_writer_finish(racer):
    """Even without the row lock, ``… WHERE submitted_at IS NULL`` lets exactly one of two writers through."""
    attempt = attempt_start(user=racer, now=T0)

    def record(minutes: int):
        return lambda: services._attempt_record(
            attempt=attempt, reason=services.FinishedReason.SUBMITTED, finished_at=T0 + minutes * MINUTE
        )

    outcomes = run_together(record(1), record(2))

    assert sorted(outcomes) == [False, True], outcomes


def test_two_mulai_at_the_same_moment_start_one_attempt(racer):
    outcomes = run_together(lambda: attempt_start(user=racer, now=T0), lambda: attempt_start(user=racer, now=T0))

    started = [outcome for outcome in outcomes if isinstance(outcome, Attempt)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, AssessmentError)]
    assert len(started) == 1 and len(refused) == 1, outcomes
    assert refused[0].code == "attempt_running"
    assert Attempt.objects.filter(user=racer).count() == 1
