"""Reasons as one type (waves/reasons.py), and the one the selection gives a family member whose KK another wave,
selected at the same time, has filled: it says so, and it is not a failed selection."""

from datetime import timedelta

import pytest
from django.db import connection

from assessment.eligibility import IN_EDUCATION
from tests.factories import WaveFactory, enrolled
from tests.helpers import require_service
from tests.races import at_once
from waves.errors import WaveError
from waves.models import Card, Result, Wave
from waves.reasons import FAILED_SELECTION, ResultReason, reason_message
from waves.rules import RULES, rule_failures
from waves.selection import selection_run
from waves.selectors import failed_selections

pytestmark = pytest.mark.django_db


def test_every_code_the_rules_and_the_selection_write_is_a_reason_with_two_texts():
    assert [rule.code for rule in RULES] == list(ResultReason)[: len(RULES)]
    assert ResultReason.IN_EDUCATION == IN_EDUCATION  # the declaration's code, not a second spelling
    for reason in ResultReason:
        assert reason.label and reason.applicant_message and reason.label != reason.applicant_message
        assert reason_message(reason.value) == reason.applicant_message
    assert {ResultReason.QUOTA, ResultReason.KK_CAP} == FAILED_SELECTION


def test_a_result_stores_its_reason_as_one_of_the_choices(db):
    wave = WaveFactory(closed=True, province_quotas={"32": 1}, pool_unused_quota=False)
    enrolled(wave)
    enrolled(wave)
    enrolled(wave, in_education=True)

    run = selection_run(wave=wave, acting_user=None, seed=1)

    stored = set(Result.objects.filter(run=run).values_list("reason", flat=True)) - {None}
    assert stored == {ResultReason.QUOTA, ResultReason.IN_EDUCATION}
    assert {Result(reason=code).get_reason_display() for code in stored} == {
        "Kuota provinsi terisi",
        "Sedang sekolah atau kuliah",
    }


def two_waves_sharing_a_family(*, first_announced_before_second_closes: bool):
    """Wave A selects both places of family K; wave B has a third member of K. Both closed, B after A."""
    from django.utils import timezone

    now = timezone.now()
    a_opens = now - timedelta(days=40 if first_announced_before_second_closes else 20)
    a = WaveFactory(number=31, province_quotas={"32": 5}, opens_at=a_opens, pool_unused_quota=False)
    b = WaveFactory(number=32, province_quotas={"31": 5}, opens_at=now - timedelta(days=20), pool_unused_quota=False)
    family = "3276010102777777"
    in_a = [enrolled(a, province="32", kk=family) for _ in range(2)]
    in_b = enrolled(b, province="31", kk=family)
    other_in_b = enrolled(b, province="31")
    return a, b, in_a, in_b, other_in_b


def test_a_member_whose_kk_another_wave_filled_before_its_announcement_is_told_so_and_not_counted_as_failed(db):
    a, b, _in_a, in_b, other_in_b = two_waves_sharing_a_family(first_announced_before_second_closes=False)
    assert Wave.objects.get(pk=a.pk).announce_at > b.closes_at

    selection_run(wave=a, acting_user=None, seed=1)
    run_b = selection_run(wave=b, acting_user=None, seed=1)

    result = Result.objects.get(run=run_b, enrollment=in_b)
    assert (result.selected, result.reason) == (False, ResultReason.KK_FILLED_ELSEWHERE)
    assert "gelombang lain yang diseleksi pada waktu yang sama" in reason_message(result.reason)
    assert Result.objects.get(run=run_b, enrollment=other_in_b).selected
    assert Card.objects.filter(kk_digest=result.kk_digest).count() == 2
    with_announcements = b.announce_at + timedelta(days=1)
    assert failed_selections(user=in_b.user, now=with_announcements) == []


def test_once_the_other_wave_is_announced_the_member_is_simply_in_a_full_kk(db):
    a, b, _in_a, in_b, _other = two_waves_sharing_a_family(first_announced_before_second_closes=True)
    assert Wave.objects.get(pk=a.pk).announce_at < b.closes_at

    selection_run(wave=a, acting_user=None, seed=1)
    run_b = selection_run(wave=b, acting_user=None, seed=1)

    assert Result.objects.get(run=run_b, enrollment=in_b).reason == ResultReason.KK_FULL


def test_joining_never_reveals_a_family_members_unannounced_selection(db):
    from django.utils import timezone

    now = timezone.now()
    a = WaveFactory(number=33, province_quotas={"32": 5}, opens_at=now - timedelta(days=8), pool_unused_quota=False)
    b = WaveFactory(number=34, province_quotas={"32": 5}, opens_at=now - timedelta(days=1))  # open now
    family = "3276010102888888"
    for _ in range(2):
        enrolled(a, province="32", kk=family)
    relative = enrolled(b, province="32", kk=family).user
    selection_run(wave=a, acting_user=None, seed=1)  # selected, announced in two days

    assert [rule.code for rule in rule_failures(user_id=relative.pk, wave=b)] == []


@pytest.mark.django_db(transaction=True)
def test_two_waves_selected_at_the_same_moment_never_give_a_kk_more_than_two_cards():
    if connection.vendor != "postgresql":
        require_service("postgresql")
    a, b, _in_a, in_b, _other = two_waves_sharing_a_family(first_announced_before_second_closes=False)
    extra_in_b = enrolled(b, province="31", kk="3276010102777777")

    outcomes = at_once(
        lambda: selection_run(wave=a, acting_user=None, seed=1),
        lambda: selection_run(wave=b, acting_user=None, seed=1),
        errors=(WaveError,),
    )

    assert outcomes == ["ok", "ok"]
    family = Result.objects.filter(enrollment__in=[in_b, extra_in_b]).values_list("kk_digest", flat=True).first()
    assert Card.objects.filter(kk_digest=family).count() == 2
    # Whichever ran second saw the other's cards from its start: its members are told why, and it is not their
    # loss in the lottery. (Interleaved, the second's KK pass met the first's cards midway: "kk_cap".)
    reasons = set(Result.objects.filter(kk_digest=family, selected=False).values_list("reason", flat=True))
    assert reasons == {ResultReason.KK_FILLED_ELSEWHERE}


def test_a_priority_tier_beyond_one_digit_fails_the_run_with_nothing_written(db, monkeypatch):
    from django.db.models import Value

    from waves import selection
    from waves.models import RunStatus, SelectionRun
    from waves.selection import SelectionFailed

    wave = WaveFactory(closed=True, province_quotas={"32": 1}, pool_unused_quota=False)
    enrolled(wave)
    monkeypatch.setattr(selection.ranking, "priority_tier", lambda prefix="": Value(10))

    with pytest.raises(SelectionFailed):
        selection_run(wave=wave, acting_user=None, seed=1)

    assert SelectionRun.objects.get(wave=wave).status == RunStatus.FAILED
    assert not Result.objects.filter(run__wave=wave).exists()
