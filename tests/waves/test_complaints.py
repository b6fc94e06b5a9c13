""" "Gagal 3 kali" (DESIGN §5, issue #6): who may file, one open complaint, the decision and its effect on the
next selection."""

from datetime import timedelta
from functools import partial

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from assessment.models import Attempt
from notifications.models import Message
from tests.factories import (
    ApplicantFactory,
    AttemptFactory,
    EnrollmentFactory,
    UserFactory,
    WaveFactory,
    enrolled,
    lost_wave,
    lost_waves,
    processed_letter,
    reviewer,
)
from tests.helpers import require_service
from tests.races import at_once
from waves.errors import WaveError, WaveErrorCode
from waves.lottery import lottery_number
from waves.models import Complaint, ComplaintStatus, Enrollment, Result, StatementText
from waves.rules import PRIORITY_COMPLAINT
from waves.selection import selection_run
from waves.selectors import complaint_state
from waves.services import complaint_decide, complaint_submit

pytestmark = pytest.mark.django_db


def submit(user, **kwargs) -> Complaint:
    return complaint_submit(
        user=user, letter=processed_letter(), text=StatementText.objects.get(is_current=True), **kwargs
    )


# --- Who may file ----------------------------------------------------------------------------------------


def test_three_failed_selections_open_the_complaint(thrice_failed):
    state = complaint_state(user=thrice_failed)

    assert len(state.failed) == 3 and state.may_file
    assert [wave.number for wave in state.waves_to_cite] == [3, 2, 1]
    assert {result.reason for result in state.failed} == {"quota"}


def test_two_failed_selections_are_not_enough(private_media):
    user = ApplicantFactory(test_passed=True)
    lost_waves(user, 2)

    state = complaint_state(user=user)

    assert not state.may_file and state.failures_needed == 1
    with pytest.raises(WaveError) as refused:
        submit(user)
    assert refused.value.code == WaveErrorCode.COMPLAINT_TOO_EARLY


def test_exclusions_by_the_rules_are_not_failed_selections(private_media):
    """An applicant excluded by a hard rule in three waves was never a candidate: nothing to complain about."""
    user = ApplicantFactory(test_failed=True)  # enrolled straight into the tables: the join would have refused

    lost_waves(user, 3)

    assert list(Result.objects.filter(user=user).values_list("reason", flat=True)) == ["test_not_passed"] * 3
    state = complaint_state(user=user)
    assert state.failed == [] and not state.may_file


def test_failed_registration_attempts_do_not_count(private_media):
    """Three failed tests (and any number of refused NIKs) are registration attempts, not selections."""
    user = ApplicantFactory(test_failed=True)
    started = timezone.now() - timedelta(days=3)
    for day in range(2):
        AttemptFactory(user=user, seed=day + 2, started_at=started + timedelta(days=day), score=10, passed=False)

    state = complaint_state(user=user)

    assert Attempt.objects.filter(user=user, passed=False).count() == 3
    assert state.failed == [] and not state.may_file


def test_results_not_yet_announced_do_not_count(private_media):
    user = ApplicantFactory(test_passed=True)
    lost_waves(user, 2)
    lost_wave(user, 3, announced=False)

    assert len(complaint_state(user=user).failed) == 2
    assert complaint_state(user=user, now=timezone.now() + timedelta(days=3)).may_file


def test_a_wave_the_applicant_won_is_no_failure_and_a_recipient_cannot_file(private_media):
    user = ApplicantFactory(test_passed=True)
    lost_waves(user, 3)
    lost_wave(user, 4, opens_at=timezone.now() - timedelta(days=12), rival_wins=False)

    state = complaint_state(user=user)

    assert len(state.failed) == 3 and state.recipient and not state.may_file
    with pytest.raises(WaveError) as refused:
        submit(user)
    assert refused.value.code == WaveErrorCode.COMPLAINT_RECIPIENT


# --- One open complaint ----------------------------------------------------------------------------------


def test_a_complaint_names_the_three_waves_and_the_text_version(thrice_failed):
    complaint = submit(thrice_failed)

    assert complaint.status == ComplaintStatus.PENDING and complaint.failed_selections == 3
    assert sorted(complaint.waves.values_list("number", flat=True)) == [1, 2, 3]
    assert complaint.text.version == 1 and complaint.letter_kind == "pdf"
    assert complaint.letter.read().startswith(b"%PDF-")
    assert Message.objects.filter(user=thrice_failed, template="waves/complaint_received").count() == 1


def test_only_one_open_complaint_at_a_time(thrice_failed):
    submit(thrice_failed)

    with pytest.raises(WaveError) as refused:
        submit(thrice_failed)

    assert refused.value.code == WaveErrorCode.COMPLAINT_OPEN
    assert Complaint.objects.count() == 1


def test_an_approved_applicant_cannot_file_again_meanwhile(thrice_failed):
    complaint_decide(complaint=submit(thrice_failed), acting_user=reviewer(), approve=True)

    assert not complaint_state(user=thrice_failed).may_file
    with pytest.raises(WaveError) as refused:
        submit(thrice_failed)
    assert refused.value.code == WaveErrorCode.COMPLAINT_OPEN


def test_after_a_rejection_a_further_failed_selection_is_needed(thrice_failed):
    complaint_decide(
        complaint=submit(thrice_failed), acting_user=reviewer(), approve=False, reason="Tanda tangan tidak ada."
    )

    with pytest.raises(WaveError) as refused:
        submit(thrice_failed)
    assert refused.value.code == WaveErrorCode.COMPLAINT_NEEDS_NEW_FAILURE

    lost_wave(thrice_failed, 4, opens_at=timezone.now() - timedelta(days=12))
    state = complaint_state(user=thrice_failed)
    assert state.may_file and [wave.number for wave in state.waves_to_cite] == [4, 3, 2]
    again = submit(thrice_failed)
    assert again.failed_selections == 4


def test_the_database_keeps_one_open_complaint_per_applicant(thrice_failed):
    """The service's check can be raced; the partial unique constraint cannot."""
    from django.db import IntegrityError, transaction

    first = submit(thrice_failed)
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.create(
            user=thrice_failed,
            text=first.text,
            failed_selections=3,
            letter="x.pdf",
            letter_kind="pdf",
            letter_bytes=1,
            submitted_at=timezone.now(),
        )


# --- The decision ----------------------------------------------------------------------------------------


def test_a_decision_records_the_reviewer_and_time_and_tells_the_applicant(
    thrice_failed, sms_outbox, django_capture_on_commit_callbacks
):
    complaint = submit(thrice_failed)
    who = reviewer()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decided = complaint_decide(
            complaint=complaint, acting_user=who, approve=False, reason="  Meterai tidak terlihat.  "
        )

    assert decided.status == ComplaintStatus.REJECTED and decided.reviewer == who
    assert decided.decided_at is not None and decided.decision_reason == "Meterai tidak terlihat."
    assert [m.subject for m in mail.outbox] == ["Surat pernyataan gagal 3 kali Anda ditolak"]
    assert "Meterai tidak terlihat." in mail.outbox[0].body
    assert len(sms_outbox) == 1 and "ditolak" in sms_outbox[0]["body"]


def test_a_rejection_needs_a_reason(thrice_failed):
    complaint = submit(thrice_failed)

    with pytest.raises(WaveError) as refused:
        complaint_decide(complaint=complaint, acting_user=reviewer(), approve=False, reason="   ")

    assert refused.value.code == WaveErrorCode.REJECTION_NEEDS_REASON
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.PENDING


def test_only_a_reviewer_decides(thrice_failed):
    complaint = submit(thrice_failed)

    for somebody in (UserFactory(is_staff=True), thrice_failed):
        with pytest.raises(WaveError) as refused:
            complaint_decide(complaint=complaint, acting_user=somebody, approve=True)
        assert refused.value.code == WaveErrorCode.NOT_A_REVIEWER
    assert Complaint.objects.get().status == ComplaintStatus.PENDING


def test_a_decision_is_final(thrice_failed):
    complaint = submit(thrice_failed)
    complaint_decide(complaint=complaint, acting_user=reviewer(), approve=True)

    with pytest.raises(WaveError) as refused:
        complaint_decide(complaint=complaint, acting_user=reviewer(), approve=False, reason="berubah pikiran")

    assert refused.value.code == WaveErrorCode.COMPLAINT_DECIDED
    assert Complaint.objects.get().status == ComplaintStatus.APPROVED


def test_the_database_refuses_a_decision_without_a_reviewer(thrice_failed):
    from django.db import IntegrityError, transaction

    complaint = submit(thrice_failed)
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(status=ComplaintStatus.APPROVED, decided_at=timezone.now())


# --- Priority in the next selection ----------------------------------------------------------------------


def _next_wave_against_rivals(user, rivals: int = 5):
    """Wave 4 with one place: ``user`` and ``rivals`` others, and a seed under which ``user`` ranks last."""
    wave = WaveFactory(
        number=4, province_quotas={"32": 1}, opens_at=timezone.now() - timedelta(days=9), pool_unused_quota=False
    )
    others = [enrolled(wave) for _ in range(rivals)]
    mine = EnrollmentFactory(wave=wave, user=user)
    seed = next(
        s
        for s in range(1, 100_000)
        if all(
            lottery_number(s, other.registration_number) < lottery_number(s, mine.registration_number)
            for other in others
        )
    )
    return wave, seed


def test_an_approval_puts_the_applicant_first_in_the_next_selection(thrice_failed):
    complaint_decide(complaint=submit(thrice_failed), acting_user=reviewer(), approve=True)
    wave, seed = _next_wave_against_rivals(thrice_failed)

    run = selection_run(wave=wave, acting_user=None, seed=seed)

    mine = Result.objects.get(run=run, user=thrice_failed)
    assert mine.selected and mine.priority == PRIORITY_COMPLAINT
    assert Result.objects.filter(run=run, selected=True).count() == 1
    assert set(Result.objects.filter(run=run).exclude(user=thrice_failed).values_list("priority", flat=True)) == {0}


@pytest.mark.parametrize("decision", [None, "rejected"])
def test_a_pending_or_rejected_complaint_gives_no_priority(thrice_failed, decision):
    complaint = submit(thrice_failed)
    if decision:
        complaint_decide(complaint=complaint, acting_user=reviewer(), approve=False, reason="Bukan tanda tangan asli.")
    wave, seed = _next_wave_against_rivals(thrice_failed)

    run = selection_run(wave=wave, acting_user=None, seed=seed)

    mine = Result.objects.get(run=run, user=thrice_failed)
    assert not mine.selected and mine.priority == 0 and mine.reason == "quota"


def test_priority_ends_when_the_applicant_is_selected(thrice_failed):
    complaint_decide(complaint=submit(thrice_failed), acting_user=reviewer(), approve=True)
    wave, seed = _next_wave_against_rivals(thrice_failed)
    selection_run(wave=wave, acting_user=None, seed=seed)
    later = WaveFactory(number=5, province_quotas={"32": 5}, opens_at=timezone.now() - timedelta(days=8))
    Enrollment.objects.filter(wave=wave).update(pending=False)
    EnrollmentFactory(wave=later, user=thrice_failed)

    run = selection_run(wave=later, acting_user=None, seed=1)

    assert Result.objects.get(run=run, user=thrice_failed).reason == "past_recipient"


# --- Races (PostgreSQL) ----------------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_uploads_leave_one_complaint(private_media):
    if connection.vendor != "postgresql":
        require_service("postgresql")
    user = ApplicantFactory(test_passed=True)
    lost_waves(user, 3)
    text = StatementText.objects.get(is_current=True)
    letters = [processed_letter(), processed_letter()]

    outcomes = at_once(
        *(partial(complaint_submit, user=user, letter=letter, text=text) for letter in letters), errors=(WaveError,)
    )

    assert sorted(map(str, outcomes)) == ["complaint_open", "ok"], outcomes
    assert Complaint.objects.count() == 1
    stored = [path for path in private_media.rglob("*") if path.is_file()]
    assert len(stored) == 1, "the losing upload's file is removed"
