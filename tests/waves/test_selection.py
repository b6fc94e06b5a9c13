"""Selection (DESIGN §4): exact quotas, the exact KK cap, the national pool, a lottery anyone can recompute,
reruns that change nothing, and a failed run that leaves nothing behind."""

from datetime import timedelta

import pytest
from django.db import connection
from freezegun import freeze_time

from prakerja.timeutil import wib_date
from tests.factories import EnrollmentFactory, UserFactory, WaveFactory, enrolled, enrolled_many
from waves.lottery import lottery_number
from waves.models import Result, RunStatus, SelectionRun, Wave, WaveStatus
from waves.selection import SelectionFailed, selection_run
from waves.services import selection_void

pytestmark = pytest.mark.django_db


def selected_users(run) -> set[int]:
    return set(Result.objects.filter(run=run, selected=True).values_list("user_id", flat=True))


def test_each_province_gets_exactly_its_quota_or_all_its_candidates(db):
    wave = WaveFactory(closed=True, province_quotas={"32": 5, "31": 10}, pool_unused_quota=False)
    for _ in range(12):
        enrolled(wave, province="32")
    for _ in range(4):
        enrolled(wave, province="31")

    run = selection_run(wave=wave, acting_user=UserFactory(is_staff=True), seed=7)

    figures = ("enrollments", "candidates", "selected", "from_pool", "quota", "reasons")
    jabar, jakarta = (run.counts["provinces"][code] for code in ("32", "31"))
    assert {key: jabar[key] for key in figures} == dict(zip(figures, (12, 12, 5, 0, 5, {"quota": 7}), strict=True))
    assert {key: jakarta[key] for key in figures} == dict(zip(figures, (4, 4, 4, 0, 10, {}), strict=True))
    # The cut: Jawa Barat's fifth place, the last it selected; Jakarta's fourth, all its candidates.
    fifth = Result.objects.get(run=run, province_id="32", province_rank=5)
    assert jabar["cut"] == {"place": 5, "tier": 0, "lottery": fifth.lottery} and jakarta["cut"]["place"] == 4
    assert run.counts["reasons"] == {"quota": 7}
    assert Wave.objects.get().status == WaveStatus.SELECTED


def test_quota_a_province_cannot_use_goes_to_the_best_ranked_remaining_nationwide(db):
    wave = WaveFactory(closed=True, province_quotas={"32": 3, "31": 5}, pool_unused_quota=True)
    west_java = [enrolled(wave, province="32") for _ in range(8)]
    for _ in range(2):
        enrolled(wave, province="31")

    run = selection_run(wave=wave, acting_user=None, seed=11)

    assert run.counts["selected"] == 8
    assert run.counts["from_pool"] == 3
    ranked = sorted(west_java, key=lambda e: lottery_number(11, e.registration_number))
    assert {e.user_id for e in ranked[:6]} <= selected_users(run)
    assert not {e.user_id for e in ranked[6:]} & selected_users(run)


def test_the_rank_is_the_documented_hash_recomputed_by_hand(db):
    import hashlib

    wave = WaveFactory(closed=True, province_quotas={"32": 3}, pool_unused_quota=False)
    enrollments = [enrolled(wave) for _ in range(10)]

    run = selection_run(wave=wave, acting_user=None, seed=2026)

    by_hand = sorted(enrollments, key=lambda e: hashlib.sha256(f"2026:{e.registration_number}".encode()).hexdigest())
    assert selected_users(run) == {e.user_id for e in by_hand[:3]}
    stored = dict(Result.objects.filter(run=run).values_list("enrollment_id", "lottery"))
    assert all(
        stored[e.pk] == hashlib.sha256(f"2026:{e.registration_number}".encode()).hexdigest() for e in enrollments
    )


def test_each_hard_rule_excludes_with_its_reason(db):
    wave = WaveFactory(closed=True, province_quotas={"32": 50}, pool_unused_quota=False)
    cases = {
        "age": enrolled(wave, birth_date=wib_date(wave.closes_at) - timedelta(days=365 * 17)),
        "in_education": enrolled(wave, in_education=True),
        "excluded_group_declared": enrolled(wave, excluded_groups=["tni"]),
        "excluded_group_registry": enrolled(wave, registry_excluded=True),
        "test_not_passed": enrolled(wave, passed=False),
    }
    eligible = enrolled(wave)

    run = selection_run(wave=wave, acting_user=None, seed=1)

    reasons = dict(Result.objects.filter(run=run).values_list("enrollment_id", "reason"))
    assert {code: reasons[e.pk] for code, e in cases.items()} == {code: code for code in cases}
    assert reasons[eligible.pk] is None
    assert selected_users(run) == {eligible.user_id}


def test_no_kartu_keluarga_gets_more_than_two_recipients_in_a_run_even_across_provinces(db):
    wave = WaveFactory(closed=True, province_quotas={"32": 10, "31": 10}, pool_unused_quota=False)
    family = "3276010102150001"
    members = [enrolled(wave, province="32" if n % 2 else "31", kk=family) for n in range(5)]
    others = [enrolled(wave) for _ in range(3)]

    run = selection_run(wave=wave, acting_user=None, seed=3)

    chosen = selected_users(run)
    ranked = sorted(members, key=lambda e: lottery_number(3, e.registration_number))
    assert {e.user_id for e in ranked[:2]} <= chosen
    assert not {e.user_id for e in ranked[2:]} & chosen
    assert run.counts["reasons"] == {"kk_cap": 3}
    assert {e.user_id for e in others} <= chosen


def test_the_kk_cap_counts_recipients_of_earlier_waves(db):
    family = "3276010102150002"
    first = WaveFactory(closed=True, number=1, province_quotas={"32": 10}, pool_unused_quota=False)
    sibling = enrolled(first, kk=family)
    selection_run(wave=first, acting_user=None, seed=1)
    second = WaveFactory(closed=True, number=2, province_quotas={"32": 10}, pool_unused_quota=False)
    members = [enrolled(second, kk=family) for _ in range(3)]

    run = selection_run(wave=second, acting_user=None, seed=5)

    assert Result.objects.get(enrollment=sibling).selected
    assert len(selected_users(run) & {e.user_id for e in members}) == 1
    assert run.counts["reasons"] == {"kk_cap": 2}


def test_nobody_is_left_out_by_the_cap_while_their_kk_has_room(db):
    # West Java has one place; the family's best-ranked member is there but loses to an outsider, so the
    # family's two places must go to members elsewhere, not be "used up" by someone who was not selected.
    wave = WaveFactory(closed=True, province_quotas={"32": 1, "31": 2}, pool_unused_quota=False)
    family = "3276010102150003"
    seed = 17
    candidates = [enrolled(wave, province="32") for _ in range(6)]
    members = [enrolled(wave, province="31", kk=family) for _ in range(3)]

    run = selection_run(wave=wave, acting_user=None, seed=seed)

    ranked = sorted(members, key=lambda e: lottery_number(seed, e.registration_number))
    assert {e.user_id for e in ranked[:2]} == selected_users(run) & {e.user_id for e in members}
    assert len(selected_users(run) & {e.user_id for e in candidates}) == 1


def test_a_past_recipient_is_never_selected_again(db):
    first = WaveFactory(closed=True, number=1, province_quotas={"32": 5}, pool_unused_quota=False)
    enrollment = enrolled(first)
    selection_run(wave=first, acting_user=None, seed=1)
    second = WaveFactory(closed=True, number=2, province_quotas={"32": 5}, pool_unused_quota=False)
    from waves.models import Enrollment

    Enrollment.objects.filter(pk=enrollment.pk).update(pending=False)
    again = EnrollmentFactory(wave=second, user=enrollment.user)

    run = selection_run(wave=second, acting_user=None, seed=2)

    assert Result.objects.get(run=run, enrollment=again).reason == "past_recipient"


def test_running_a_selected_wave_again_changes_nothing(db):
    wave = WaveFactory(closed=True, province_quotas={"32": 2}, pool_unused_quota=False)
    for _ in range(5):
        enrolled(wave)
    run = selection_run(wave=wave, acting_user=None, seed=1)
    before = list(Result.objects.order_by("id").values_list("id", "selected", "reason"))

    again = selection_run(wave=wave, acting_user=None, seed=999)

    assert again.pk == run.pk
    assert list(Result.objects.order_by("id").values_list("id", "selected", "reason")) == before
    assert SelectionRun.objects.count() == 1


def test_the_same_seed_gives_the_same_result(db):
    wave = WaveFactory(closed=True, province_quotas={"32": 4, "31": 2}, pool_unused_quota=True)
    for n in range(14):
        enrolled(wave, province="32" if n % 3 else "31", kk=f"32760101021599{n % 4:02d}")
    first = selection_run(wave=wave, acting_user=None, seed=42)
    chosen = dict(Result.objects.filter(run=first).values_list("enrollment_id", "selected"))
    reasons = dict(Result.objects.filter(run=first).values_list("enrollment_id", "reason"))
    # Voided by an operator before the announcement (the only time a run may be), then run again.
    with freeze_time(wave.announce_at - timedelta(hours=1)):
        selection_void(run=first, acting_user=UserFactory(is_staff=True))
        second = selection_run(wave=wave, acting_user=None, seed=42)

    assert second.pk != first.pk and second.status == RunStatus.SUCCEEDED  # a new run, not the voided one
    assert dict(Result.objects.filter(run=second).values_list("enrollment_id", "selected")) == chosen
    assert dict(Result.objects.filter(run=second).values_list("enrollment_id", "reason")) == reasons


def test_a_run_that_fails_half_way_leaves_nothing_and_the_wave_closed(db, monkeypatch):
    from waves import selection

    wave = WaveFactory(closed=True, province_quotas={"32": 2}, pool_unused_quota=False)
    for _ in range(4):
        enrolled(wave)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(selection.kk_cap, "_cap", broken)
    with pytest.raises(SelectionFailed):
        selection_run(wave=wave, acting_user=None, seed=1)

    assert not Result.objects.exists()
    run = SelectionRun.objects.get()
    assert run.status == RunStatus.FAILED and "disk full" in run.error
    assert Wave.objects.get().status == WaveStatus.CLOSED


def test_the_run_records_its_seed_operator_phases_and_counts(db):
    operator = UserFactory(is_staff=True)
    wave = WaveFactory(closed=True, province_quotas={"32": 1, "31": 1})
    enrolled(wave)

    run = selection_run(wave=wave, acting_user=operator, seed=123)

    assert (run.seed, run.operator, run.status) == ("123", operator, RunStatus.SUCCEEDED)
    assert [phase["name"] for phase in run.phases] == [
        "rules_and_ranking",
        "kk_cap",
        "national_pool",
        "cards",
        "announcement_messages",
        "counts",
    ]
    assert run.counts["enrollments"] == 1


def test_the_query_count_does_not_grow_with_the_number_of_enrollments(db, django_assert_max_num_queries):
    small = WaveFactory(closed=True, number=1, province_quotas={"32": 5, "31": 5})
    enrolled_many(small, 20)
    large = WaveFactory(closed=True, number=2, province_quotas={"32": 400, "31": 400})
    enrolled_many(large, 4000)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_queries:
        selection_run(wave=small, acting_user=None, seed=1)
    with CaptureQueriesContext(connection) as large_queries:
        run = selection_run(wave=large, acting_user=None, seed=1)

    assert (run.counts["enrollments"], run.counts["selected"]) == (4000, 800)
    assert len(large_queries) == len(small_queries)


def test_run_selection_command_selects_and_prints_the_figures(db):
    import io

    from django.core.management import call_command

    wave = WaveFactory(closed=True, number=9, province_quotas={"32": 2}, pool_unused_quota=False)
    for _ in range(3):
        enrolled(wave)
    out = io.StringIO()

    call_command("run_selection", "9", "--seed", "5", stdout=out)

    assert "2 of 3 enrollments selected" in out.getvalue()
    assert SelectionRun.objects.get().seed == "5"


def test_the_selection_task_is_safe_to_run_twice(db):
    from waves.tasks import selection_run_task

    wave = WaveFactory(closed=True, province_quotas={"32": 1}, pool_unused_quota=False)
    enrolled(wave)

    assert selection_run_task(wave.pk, None, 3) == selection_run_task(wave.pk, None, 4)


def _on_postgresql():
    from django.db import connection

    from tests.helpers import require_service

    if connection.vendor != "postgresql":
        require_service("postgresql")


def _partitions() -> dict[str, list[str]]:
    """The results' partitions on PostgreSQL, each with its indexes' definitions."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, i.indexdef FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
               LEFT JOIN pg_indexes i ON i.tablename = c.relname
               WHERE h.inhparent = 'waves_result'::regclass ORDER BY c.relname, i.indexdef"""
        )
        partitions: dict[str, list[str]] = {}
        for name, index in cursor.fetchall():
            partitions.setdefault(name, []).append(index)
        return partitions


def test_on_postgresql_a_run_s_results_are_its_own_partition_with_every_index(db):
    _on_postgresql()
    wave = WaveFactory(closed=True, province_quotas={"32": 1})
    enrolled(wave)
    enrolled(wave)

    run = selection_run(wave=wave, acting_user=None, seed=1)

    indexes = _partitions()[f"waves_result_run_{run.pk}"]
    assert len(indexes) == 4
    assert any("UNIQUE INDEX" in index and "(enrollment_id, run_id)" in index for index in indexes)
    assert any("(run_id, province_id, province_rank)" in index for index in indexes)
    assert any("(kk_digest, run_id) WHERE selected" in index for index in indexes)
    assert any("UNIQUE INDEX" in index and "(id, run_id)" in index for index in indexes)
    assert Result.objects.filter(run=run).count() == 2
    # Ids come from the table's one sequence, whichever way a row was written.
    assert len(set(Result.objects.values_list("pk", flat=True))) == 2


def test_on_postgresql_each_run_takes_a_block_of_result_ids_that_no_other_run_shares(db):
    _on_postgresql()
    first_wave = WaveFactory(closed=True, province_quotas={"32": 1, "31": 1})
    second_wave = WaveFactory(closed=True, province_quotas={"32": 1})
    enrolled_many(first_wave, 7)
    enrolled_many(second_wave, 3, provinces=("32",))

    first = selection_run(wave=first_wave, acting_user=None, seed=1)
    second = selection_run(wave=second_wave, acting_user=None, seed=1)

    # Each run's ids are one unbroken block, in the order its rows were ranked (province, then place) ...
    for run, count in ((first, 7), (second, 3)):
        rows = list(Result.objects.filter(run=run).order_by("pk").values_list("pk", "province_id", "province_rank"))
        ids = [pk for pk, _province, _place in rows]
        assert len(rows) == count and ids == list(range(ids[0], ids[0] + count))
        candidates = [(province, place) for _pk, province, place in rows if place is not None]
        assert candidates == sorted(candidates)
    # ... the second run's block after the first's, and the sequence past both.
    assert min(Result.objects.filter(run=second).values_list("pk", flat=True)) > max(
        Result.objects.filter(run=first).values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('waves_result', 'id'))")
        assert cursor.fetchone()[0] > max(Result.objects.values_list("pk", flat=True))


def test_on_postgresql_a_failed_run_leaves_no_partition(db, monkeypatch):
    _on_postgresql()
    from waves import selection

    wave = WaveFactory(closed=True, province_quotas={"32": 1})
    enrolled(wave)
    monkeypatch.setattr(selection.kk_cap, "_cap", lambda *args, **kwargs: 1 / 0)

    with pytest.raises(SelectionFailed):
        selection_run(wave=wave, acting_user=None, seed=1)

    run = SelectionRun.objects.get(wave=wave)
    assert run.status == RunStatus.FAILED
    # (Tests that commit leave their runs' partitions behind, emptied: only this run's matters.)
    assert f"waves_result_run_{run.pk}" not in _partitions()
