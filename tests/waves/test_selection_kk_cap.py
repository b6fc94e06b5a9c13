"""The KK cap's fix-up passes (waves/selection.py): a place freed by the cap goes to the next in the province,
who may belong to a full KK too, or may outrank a member of their KK selected in another province; and the
whole outcome is the one of taking the candidates one by one in rank order."""

import random
from collections import Counter

import pytest

from prakerja.crypto import IdentifierKind, pii_digest
from tests.waves.conftest import earlier_cards, enrolled, enrolled_many
from tests.waves.test_selection import closed_wave
from verification.models import IdentityVerification
from waves.lottery import lottery_number
from waves.models import Card, Enrollment, ProvinceQuota, Result
from waves.rules import RECIPIENTS_PER_KK
from waves.selection import selection_run

pytestmark = pytest.mark.django_db


def by_rank(enrollments, seed):
    return sorted(enrollments, key=lambda e: lottery_number(seed, e.pk))


def place(enrollment, *, province: str, kk: str) -> None:
    """Move an enrollment to ``province`` and its applicant to family ``kk`` (after its lottery is known)."""
    Enrollment.objects.filter(pk=enrollment.pk).update(province_id=province)
    IdentityVerification.objects.filter(user_id=enrollment.user_id).update(
        kk_digest=pii_digest(kk, kind=IdentifierKind.KK)
    )


def outcome(run) -> dict[int, tuple[bool, str | None, bool]]:
    return {e: (s, r, p) for e, s, r, p in Result.objects.filter(run=run).values_list("enrollment_id", "selected", "reason", "from_pool")}


def one_by_one(wave, candidates, seed) -> dict[int, tuple[bool, str | None, bool]]:
    """The reference: every candidate in rank order, selected while their province (then the national pool)
    has a place and their KK has room (RECIPIENTS_PER_KK less the cards it holds from earlier waves); set aside
    by the cap when only the KK is full. A candidate whose KK was already full before the wave is refused by the
    rules ("kk_full")."""
    quotas = dict(ProvinceQuota.objects.filter(wave=wave).values_list("province_id", "quota"))
    cards = Counter(Card.objects.exclude(wave=wave).values_list("kk_digest", flat=True))  # earlier waves' only
    rows = sorted(
        (lottery_number(seed, pk), pk, province, kk)
        for pk, province, kk in Enrollment.objects.filter(pk__in=[c.pk for c in candidates]).values_list(
            "pk", "province_id", "user__identity__kk_digest"
        )
    )
    taken: dict[str, int] = {}
    members: dict[str, int] = {}
    result = {}

    def room(kk: str) -> int:
        return RECIPIENTS_PER_KK - cards[kk] - members.get(kk, 0)

    for _lottery, pk, province, kk in rows:
        if RECIPIENTS_PER_KK - cards[kk] <= 0:
            result[pk] = (False, "kk_full", False)
        elif taken.get(province, 0) >= quotas.get(province, 0):
            result[pk] = (False, "quota", False)
        elif room(kk) <= 0:
            result[pk] = (False, "kk_cap", False)
        else:
            taken[province] = taken.get(province, 0) + 1
            members[kk] = members.get(kk, 0) + 1
            result[pk] = (True, None, False)
    if wave.pool_unused_quota:
        places = sum(quotas.values()) - sum(taken.values())
        for _lottery, pk, province, kk in rows:
            if places > 0 and result[pk] == (False, "quota", False):
                if room(kk) <= 0:
                    result[pk] = (False, "kk_cap", False)
                else:
                    members[kk] = members.get(kk, 0) + 1
                    places -= 1
                    result[pk] = (True, None, True)
    return result


def test_a_place_freed_by_the_cap_cascades_through_full_kks_and_across_provinces(db):
    # Ranks 0 (best) to 6. West Java (32) has one place, every other province one (Jakarta, 31) or one each.
    # Pass 1 selects q1 in 31, a1 in 33, a2 in 35, z in 36, y in 32. Family A (a1, a2, q1) is over: q1 goes,
    # 31's place goes to x, whose family K (z, x, y) is then over with y worst: y, selected in 32, is displaced
    # by a better-ranked member selected in another province, and 32's place goes to w.
    seed = 5
    wave = closed_wave(province_quotas={"31": 1, "32": 1, "33": 1, "35": 1, "36": 1}, pool_unused_quota=False)
    a1, a2, z, q1, x, y, w = by_rank([enrolled(wave) for _ in range(7)], seed)
    for enrollment, province, kk in ((a1, "33", "A"), (a2, "35", "A"), (q1, "31", "A"), (z, "36", "K"),
                                     (x, "31", "K"), (y, "32", "K"), (w, "32", "W")):
        place(enrollment, province=province, kk=kk)

    run = selection_run(wave=wave, operator=None, seed=seed)

    reasons = {e: (selected, reason) for e, (selected, reason, _pool) in outcome(run).items()}
    assert {e.pk for e in (a1, a2, z, x, w)} == {e for e, (selected, _) in reasons.items() if selected}
    assert reasons[q1.pk] == (False, "kk_cap") and reasons[y.pk] == (False, "kk_cap")
    assert run.counts["reasons"] == {"kk_cap": 2}
    assert {code: entry["selected"] for code, entry in run.counts["provinces"].items()} == dict.fromkeys(
        ["31", "32", "33", "35", "36"], 1
    )


def test_a_freed_place_skips_every_next_candidate_whose_kk_is_full(db):
    # 32 has one place; its three best candidates belong to families already full with members selected in
    # 31 and 33, so the place moves down the province until a candidate with room.
    seed = 9
    wave = closed_wave(province_quotas={"31": 2, "33": 2, "32": 1}, pool_unused_quota=False)
    e = by_rank([enrolled(wave) for _ in range(8)], seed)
    arrangement = [("31", "K"), ("31", "K"), ("33", "L"), ("33", "L"), ("32", "K"), ("32", "L"), ("32", "K"), ("32", "M")]
    for enrollment, (province, kk) in zip(e, arrangement):
        place(enrollment, province=province, kk=kk)

    run = selection_run(wave=wave, operator=None, seed=seed)

    chosen = {pk for pk, (selected, _, _) in outcome(run).items() if selected}
    assert chosen == {e[0].pk, e[1].pk, e[2].pk, e[3].pk, e[7].pk}
    assert run.counts["reasons"] == {"kk_cap": 3}


@pytest.mark.parametrize("pool", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_outcome_is_that_of_taking_candidates_one_by_one_in_rank_order(db, seed, pool):
    # Large families spread over three provinces, tight quotas and one province short of candidates. They are
    # dealt out in rank order, so the arrangement (and how hard it is) does not depend on the ids the database
    # gives the enrollments, which move the lottery.
    rng = random.Random(seed)
    wave = closed_wave(province_quotas={"31": 6, "32": 9, "33": 12}, pool_unused_quota=pool)
    enrollments = by_rank([enrolled(wave) for _ in range(45)], seed)
    for enrollment in enrollments:
        place(enrollment, province=rng.choice(["31", "32", "32", "32", "33"]), kk=f"F{rng.randrange(16)}")
    excluded = enrolled(wave, province="33", in_education=True)  # no place, no effect on the others

    run = selection_run(wave=wave, operator=None, seed=seed)

    got = outcome(run)
    assert got.pop(excluded.pk) == (False, "in_education", False)
    assert got == one_by_one(wave, enrollments, seed)
    assert Result.objects.get(enrollment=excluded).province_rank is None
    assert run.counts["reasons"]["kk_cap"] >= 3 and (run.counts["from_pool"] > 0) == pool  # the data is not easy


@pytest.mark.xfail(reason="issue #12: the KK passes look at one row each and stop at 1,000", strict=True)
def test_families_split_between_a_large_province_and_a_province_of_one_place_are_selected_one_by_one(db):
    # Issue #12: 1,100 KKs that already hold a card from an earlier wave, each with one member in Jakarta (31,
    # 1,100 places) and one in West Java (32, one place), national pool on. The pool has places left and every
    # remaining candidate is in a full KK. (More KKs than the old passes' safety bound of 1,000, each pass of
    # which looked at one row.)
    families = 1100
    wave = closed_wave(province_quotas={"31": families, "32": 1}, pool_unused_quota=True)
    kks = [f"3276010103{n:06d}" for n in range(families)]
    enrolled_many(wave, 2 * families, provinces=("31", "32"), kks=[kk for kk in kks for _member in (31, 32)])
    earlier_cards(closed_wave(number=2), dict.fromkeys(kks, 1))

    run = selection_run(wave=wave, operator=None, seed=11)

    assert (run.counts["selected"], run.counts["reasons"]) == (families, {"kk_cap": families})
    assert outcome(run) == one_by_one(wave, Enrollment.objects.filter(wave=wave), 11)
