"""Rejections carry a reason from a list (waves.rejections); a fixable one lets the applicant upload a corrected
letter at once, any other keeps the rule "a new letter only after a further failed selection" (issue #16 item 4).
The applicant's page, email and SMS carry the reason."""

import pytest

from tests.factories import processed_letter, reviewer
from tests.helpers import last_message
from waves.errors import WaveError, WaveErrorCode
from waves.models import Complaint, StatementText
from waves.rejections import FIXABLE, RejectionReason
from waves.selectors import complaint_state
from waves.services import complaint_decide, complaint_submit

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/gagal-3-kali/"


def submit(user) -> Complaint:
    return complaint_submit(user=user, letter=processed_letter(), text=StatementText.objects.get(is_current=True))


def reject(complaint: Complaint, rejection: RejectionReason, reason: str = "") -> Complaint:
    return complaint_decide(
        complaint=complaint, acting_user=reviewer(), approve=False, rejection=rejection, reason=reason
    )


@pytest.mark.parametrize("rejection", sorted(FIXABLE))
def test_a_fixable_rejection_lets_the_applicant_upload_again_at_once(thrice_failed, rejection):
    first = reject(submit(thrice_failed), rejection)

    state = complaint_state(user=thrice_failed)
    again = submit(thrice_failed)

    assert first.fixable and state.may_file
    assert [wave.pk for wave in again.waves.all()] == [wave.pk for wave in first.waves.all()]


@pytest.mark.parametrize("rejection", [RejectionReason.NOT_AUTHENTIC, RejectionReason.OTHER])
def test_any_other_rejection_keeps_the_rule_of_a_further_failed_selection(thrice_failed, rejection):
    reject(submit(thrice_failed), rejection, reason="Tanda tangan berbeda dengan KTP.")

    with pytest.raises(WaveError) as refused:
        submit(thrice_failed)

    assert refused.value.code == WaveErrorCode.COMPLAINT_NEEDS_NEW_FAILURE


def test_a_second_rejection_of_a_corrected_letter_for_another_reason_applies_that_reasons_rule(thrice_failed):
    reject(submit(thrice_failed), RejectionReason.UNSIGNED)
    reject(submit(thrice_failed), RejectionReason.NOT_AUTHENTIC)

    assert complaint_state(user=thrice_failed).refusal == WaveErrorCode.COMPLAINT_NEEDS_NEW_FAILURE


def test_lainnya_needs_the_reviewers_words_and_no_reason_means_lainnya(thrice_failed):
    complaint = submit(thrice_failed)

    with pytest.raises(WaveError) as refused:
        reject(complaint, RejectionReason.OTHER, reason="  ")
    decided = complaint_decide(complaint=complaint, acting_user=reviewer(), approve=False, reason="Surat lama.")

    assert refused.value.code == WaveErrorCode.REJECTION_NEEDS_REASON
    assert (decided.rejection_reason, decided.decision_reason) == ("lainnya", "Surat lama.")


def test_the_page_shows_the_reasons_sentence_and_the_upload_form_when_fixable(client, thrice_failed):
    reject(submit(thrice_failed), RejectionReason.NO_METERAI)

    html = client.get(PAGE).content.decode()

    assert "Tanpa meterai" in html and "Tempel meterai Rp10.000" in html
    assert 'data-testid="complaint-fixable"' in html and 'type="file"' in html
    dashboard = client.get("/dashboard/").content.decode()
    assert "Tanpa meterai" in dashboard and "Unggah surat yang diperbaiki" in dashboard


def test_the_page_offers_no_upload_after_a_rejection_that_cannot_be_fixed(client, thrice_failed):
    reject(submit(thrice_failed), RejectionReason.NOT_AUTHENTIC)

    html = client.get(PAGE).content.decode()

    assert "Diragukan keasliannya" in html and 'type="file"' not in html
    assert "setelah mengikuti seleksi gelombang berikutnya" in html


def test_the_email_and_sms_carry_the_reasons_label(thrice_failed):
    from verification.models import PhoneNumber

    reject(submit(thrice_failed), RejectionReason.UNREADABLE)

    email = last_message(recipient=thrice_failed.email, template="waves/complaint_rejected")
    assert "Tidak terbaca" in email.text and "langsung mengunggah" in email.text
    phone = PhoneNumber.objects.filter(user=thrice_failed).first()
    if phone is not None:
        sms = last_message(recipient=phone.number, template="waves/complaint_rejected_sms")
        assert "Tidak terbaca" in sms.text and "unggah lagi" in sms.text


@pytest.mark.services
def test_earlier_free_text_rejections_become_lainnya_with_their_words(private_media):
    """Migration 0006. Rows as they were before it (rejected, words only) cannot be written under the new
    constraint, so it is dropped inside the test's transaction first: PostgreSQL only (transactional DDL)."""
    from django.db import connection

    from tests.data_migrations import data_migration_run
    from tests.factories import ComplaintFactory

    if connection.vendor != "postgresql":
        from tests.helpers import require_service

        require_service("postgresql")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE waves_complaint DROP CONSTRAINT waves_complaint_rejection_reason")
    old = ComplaintFactory()
    pending = ComplaintFactory()
    Complaint.objects.filter(pk=old.pk).update(
        status="rejected", reviewer=reviewer(), decided_at=old.submitted_at, decision_reason="Tanpa meterai."
    )

    data_migration_run("waves", "0012_complaint_rejections_to_lainnya")

    old.refresh_from_db()
    assert (old.rejection_reason, old.decision_reason, old.fixable) == ("lainnya", "Tanpa meterai.", False)
    assert Complaint.objects.get(pk=pending.pk).rejection_reason == ""
