"""The KK cap (waves/selection/kk_cap.py, pool.py): a place freed by the cap goes to the next in the province, who may belong to a
full KK too, or may outrank a member of their KK selected in another province; the whole outcome is the one of
taking the candidates one by one in rank order, for any population (property tests against that oracle), in a
number of statements that depends on the provinces, not on the families."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from prakerja.crypto import IdentifierKind, pii_digest
from tests.factories import WaveFactory, earlier_cards, enrolled, enrolled_many
from verification.models import IdentityVerification
from waves import selection
from waves.lottery import ALPHABET, lottery_number
from waves.models import Card, Enrollment, ProvinceQuota, Result
from waves.rules import RECIPIENTS_PER_KK
from waves.selection import selection_run

pytestmark = pytest.mark.django_db


def announced_long_ago():
    """A wave announced long before the waves under test closed (it opened 90 days ago): its cards count for every
    rule (waves/rules.py counts another wave's cards once it is announced)."""
    return WaveFactory(announced=True, opens_at=timezone.now() - timedelta(days=90))


def by_rank(enrollments, seed):
    return sorted(enrollments, key=lambda e: lottery_number(seed, e.registration_number))


def place(enrollment, *, province: str, kk: str) -> None:
    """Move an enrollment to ``province`` and its applicant to family ``kk`` (after its lottery is known)."""
    Enrollment.objects.filter(pk=enrollment.pk).update(province_id=province)
    IdentityVerification.objects.filter(user_id=enrollment.user_id).update(
        kk_digest=pii_digest(kk, kind=IdentifierKind.KK)
    )


def outcome(run) -> dict[int, tuple[bool, str | None, bool]]:
    return {
        e: (s, r, p)
        for e, s, r, p in Result.objects.filter(run=run).values_list("enrollment_id", "selected", "reason", "from_pool")
    }


def one_by_one(wave, candidates, seed) -> dict[int, tuple[bool, str | None, bool]]:
    """The reference: every candidate in rank order, selected while their province (then the national pool)
    has a place and their KK has room (RECIPIENTS_PER_KK less the cards it holds from earlier waves); set aside
    by the cap when only the KK is full. A candidate whose KK was already full before the wave is refused by the
    rules ("kk_full")."""
    quotas = dict(ProvinceQuota.objects.filter(wave=wave).values_list("province_id", "quota"))
    cards = Counter(Card.objects.exclude(wave=wave).values_list("kk_digest", flat=True))  # earlier waves' only
    rows = sorted(
        (lottery_number(seed, number), pk, province, kk)
        for pk, number, province, kk in Enrollment.objects.filter(pk__in=[c.pk for c in candidates]).values_list(
            "pk", "registration_number", "province_id", "user__identity__kk_digest"
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
        for _lottery, pk, _province, kk in rows:
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
    wave = WaveFactory(
        closed=True, province_quotas={"31": 1, "32": 1, "33": 1, "35": 1, "36": 1}, pool_unused_quota=False
    )
    a1, a2, z, q1, x, y, w = by_rank([enrolled(wave) for _ in range(7)], seed)
    for enrollment, province, kk in (
        (a1, "33", "A"),
        (a2, "35", "A"),
        (q1, "31", "A"),
        (z, "36", "K"),
        (x, "31", "K"),
        (y, "32", "K"),
        (w, "32", "W"),
    ):
        place(enrollment, province=province, kk=kk)

    run = selection_run(wave=wave, acting_user=None, seed=seed)

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
    wave = WaveFactory(closed=True, province_quotas={"31": 2, "33": 2, "32": 1}, pool_unused_quota=False)
    e = by_rank([enrolled(wave) for _ in range(8)], seed)
    arrangement = [
        ("31", "K"),
        ("31", "K"),
        ("33", "L"),
        ("33", "L"),
        ("32", "K"),
        ("32", "L"),
        ("32", "K"),
        ("32", "M"),
    ]
    for enrollment, (province, kk) in zip(e, arrangement, strict=True):
        place(enrollment, province=province, kk=kk)

    run = selection_run(wave=wave, acting_user=None, seed=seed)

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
    wave = WaveFactory(closed=True, province_quotas={"31": 6, "32": 9, "33": 12}, pool_unused_quota=pool)
    enrollments = by_rank([enrolled(wave) for _ in range(45)], seed)
    for enrollment in enrollments:
        place(enrollment, province=rng.choice(["31", "32", "32", "32", "33"]), kk=f"F{rng.randrange(16)}")
    excluded = enrolled(wave, province="33", in_education=True)  # no place, no effect on the others

    run = selection_run(wave=wave, acting_user=None, seed=seed)

    got = outcome(run)
    assert got.pop(excluded.pk) == (False, "in_education", False)
    assert got == one_by_one(wave, enrollments, seed)
    assert Result.objects.get(enrollment=excluded).province_rank is None
    assert run.counts["reasons"]["kk_cap"] >= 3 and (run.counts["from_pool"] > 0) == pool  # the data is not easy


def test_families_split_between_a_large_province_and_a_province_of_one_place_are_selected_one_by_one(db):
    # Issue #12: 1,100 KKs that already hold a card from an earlier wave, each with one member in Jakarta (31,
    # 1,100 places) and one in West Java (32, one place), national pool on. The pool has places left and every
    # remaining candidate is in a full KK. (More KKs than the old passes' safety bound of 1,000, each pass of
    # which looked at one row.)
    families = 1100
    wave = WaveFactory(closed=True, province_quotas={"31": families, "32": 1}, pool_unused_quota=True)
    kks = [f"3276010103{n:06d}" for n in range(families)]
    enrolled_many(wave, 2 * families, provinces=("31", "32"), kks=[kk for kk in kks for _member in (31, 32)])
    earlier_cards(announced_long_ago(), dict.fromkeys(kks, 1))

    run = selection_run(wave=wave, acting_user=None, seed=11)

    assert (run.counts["selected"], run.counts["reasons"]) == (families, {"kk_cap": families})
    assert outcome(run) == one_by_one(wave, Enrollment.objects.filter(wave=wave), 11)


def registration_drawn(rng: random.Random) -> str:
    """A registration number (waves/lottery.py) drawn from ``rng``, not from the system's randomness."""
    digits = "".join(rng.choice(ALPHABET) for _ in range(16))
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def deal(wave, seed, arrangement: list[tuple[str, str]]) -> list:
    """Enrollments in ``wave``, the n-th best-ranked of them in the province and family given by the n-th entry
    of ``arrangement`` (so how hard the data is does not depend on the ids the database gives them). Their
    registration numbers, so their lottery numbers too, follow from ``seed``: the first reads of the selection
    go by where lottery numbers lie, and a population that fails must fail again when Hypothesis replays it."""
    enrolled_many(wave, len(arrangement))
    rng = random.Random(f"deal:{seed}")
    enrollments = list(Enrollment.objects.filter(wave=wave).order_by("pk"))
    for enrollment in enrollments:
        enrollment.registration_number = registration_drawn(rng)
    enrollments = by_rank(enrollments, seed)
    identities = IdentityVerification.objects.in_bulk([e.user_id for e in enrollments], field_name="user_id")
    for enrollment, (province, kk) in zip(enrollments, arrangement, strict=True):
        enrollment.province_id = province
        identities[enrollment.user_id].kk_digest = pii_digest(kk, kind=IdentifierKind.KK)
    Enrollment.objects.bulk_update(enrollments, ["province_id", "registration_number"])
    IdentityVerification.objects.bulk_update(identities.values(), ["kk_digest"])
    return enrollments


def test_a_province_settled_in_a_round_frees_a_place_that_another_settles_on(db):
    # Ranks 0 (best) to 5; KKs B and X hold a card already. One by one: z fills 33; b is "quota", so t (whose KK B
    # has room left) fills 31; x1 is "quota", so x2 (KK X) has room and fills 32; y is "quota". Before 31 is
    # known to fill at t, x1 looks eligible, takes X's room and pushes 32 to y: 32's place can be settled only
    # after 31's, since x1, a contested row of 31 after t, ranks before y.
    seed = 4
    wave = WaveFactory(closed=True, province_quotas={"31": 1, "32": 1, "33": 1}, pool_unused_quota=False)
    z, b, t, x1, x2, y = deal(
        wave, seed, [("33", "Z"), ("33", "B"), ("31", "B"), ("31", "X"), ("32", "X"), ("32", "Y")]
    )
    earlier_cards(announced_long_ago(), {"B": 1, "X": 1})

    run = selection_run(wave=wave, acting_user=None, seed=seed)

    assert {e: selected for e, (selected, _reason, _pool) in outcome(run).items() if selected} == dict.fromkeys(
        [z.pk, t.pk, x2.pk], True
    )
    assert outcome(run) == one_by_one(wave, [z, b, t, x1, x2, y], seed)


def test_a_row_after_the_place_where_its_province_fills_up_is_quota_even_if_its_kk_is_full(db):
    # 31 fills up at t (its KK B has room: b is "quota" in 33); c, next in 31, belongs to KK C, whose room c0 took:
    # it is "quota", not "kk_cap", since 31 had no place left for it.
    seed = 8
    wave = WaveFactory(closed=True, province_quotas={"31": 1, "33": 1, "35": 5}, pool_unused_quota=False)
    z, b, t, c0, c, n = deal(wave, seed, [("33", "Z"), ("33", "B"), ("31", "B"), ("35", "C"), ("31", "C"), ("31", "N")])
    earlier_cards(announced_long_ago(), {"B": 1, "C": 1})

    run = selection_run(wave=wave, acting_user=None, seed=seed)

    assert outcome(run)[c.pk] == (False, "quota", False)
    assert outcome(run) == one_by_one(wave, [z, b, t, c0, c, n], seed)


def test_the_pool_reads_on_when_the_rows_it_reads_first_do_not_hold_its_picks(db):
    # Three provinces of one place each, and 200 places with no candidates for the pool. Left out, in rank order:
    # 200 rows of Jakarta, 300 of West Java, 300 of Central Java, 100 of Jakarta. The pool first reads the rows
    # where its picks most likely are, each province's rows taken to lie evenly between its first and its last
    # left out (so about 120 of Jakarta's, with a margin); its picks are Jakarta's first 200, past those.
    seed = 6
    wave = WaveFactory(closed=True, province_quotas={"31": 1, "32": 1, "33": 1, "82": 200}, pool_unused_quota=True)
    runs = (("31", 200), ("32", 300), ("33", 300), ("31", 100))
    left_out = [
        (province, f"3276010108{i}{province}{n:03d}") for i, (province, size) in enumerate(runs) for n in range(size)
    ]
    enrollments = deal(wave, seed, [("31", "A"), ("32", "B"), ("33", "C"), *left_out])

    run = selection_run(wave=wave, acting_user=None, seed=seed)

    assert {e.pk for e in enrollments[3:203]} == set(
        Result.objects.filter(run=run, from_pool=True).values_list("enrollment_id", flat=True)
    )
    assert outcome(run) == one_by_one(wave, enrollments, seed)


def registration_at(seed, position: float) -> str:
    """A registration number whose lottery number under ``seed`` starts at ``position`` (0 to 1) of the lottery's
    range, to two hex digits: found by trying numbers drawn from a generator seeded with the position, so always
    the same one."""
    rng = random.Random(f"{seed}:{position}")
    target = f"{int(position * 256):02x}"
    while True:
        number = registration_drawn(rng)
        if lottery_number(seed, number).startswith(target):
            return number


def test_the_pool_reads_a_province_of_which_it_read_no_row_first_before_picking_past_its_rows(db, monkeypatch):
    # Jakarta (31) fills its one place with s; the pool has two places (82 has places and no candidates). Left out,
    # with their lotteries: a (0.10) and nine rows close together (0.55 to 0.58) of Jakarta, and t (0.50) of a
    # province without a quota (73). Taking Jakarta's rows to lie evenly between its first and its last, the pool
    # expects its two picks before 0.16, so it first reads two or three of Jakarta's rows and none of 73's (with
    # a first read just as large as its places, as the property tests try). One by one, the pool takes a and t;
    # it took a and b, a row ranked after t, which it had not read.
    monkeypatch.setattr(selection.pool, "scope", lambda places: places)
    seed = 12
    wave = WaveFactory(closed=True, province_quotas={"31": 1, "82": 2}, pool_unused_quota=True)
    rows = [(0.01, "31"), (0.10, "31"), (0.50, "73"), *((0.55 + n * 0.003, "31") for n in range(9))]
    enrolled_many(wave, len(rows))
    enrollments = list(Enrollment.objects.filter(wave=wave).order_by("pk"))
    for enrollment, (position, province) in zip(enrollments, rows, strict=True):
        enrollment.registration_number, enrollment.province_id = registration_at(seed, position), province
    Enrollment.objects.bulk_update(enrollments, ["registration_number", "province_id"])
    s, a, t, b = by_rank(enrollments, seed)[:4]

    run = selection_run(wave=wave, acting_user=None, seed=seed)

    got = outcome(run)
    assert [got[e.pk] for e in (s, a, t, b)] == [
        (True, None, False),
        (True, None, True),
        (True, None, True),
        (False, "quota", False),
    ]
    assert got == one_by_one(wave, enrollments, seed)


PROVINCES = ("31", "32", "33", "34", "35", "36", "51", "52", "61")


@st.composite
def populations(draw, *, crowded: bool):
    """Families spread over many provinces with small quotas, KKs already at 1 or 2 cards (whose members the rules
    refuse), sometimes a province without a quota (73) and one with places but no candidates (82, the pool's to
    give), pool on or off; and how far the selection reads first (None: its own margin; 0 to 4: just past the
    quotas and the pool's places, so that it often has to read everything again). ``crowded``: a few large
    families and quotas of 1 to 3 in a few provinces, mostly KKs with room for one more, so the cap is everywhere;
    otherwise families of every size and the pool on."""
    provinces = draw(
        st.lists(st.sampled_from(PROVINCES), min_size=1, max_size=4 if crowded else len(PROVINCES), unique=True)
    )
    sizes = [1, 1, 1, 2, 3] if crowded else [0, 1, 1, 2, 3, 5, 8]
    quotas = {province: draw(st.sampled_from(sizes)) for province in provinces}
    quotas["82"] = draw(st.sampled_from([0, 1, 2] if crowded else [1, 2, 5, 10]))
    where = provinces + (["73"] if draw(st.booleans()) else [])
    families = draw(st.integers(2, 10) if crowded else st.integers(4, 40))
    arrangement = draw(
        st.lists(
            st.tuples(st.sampled_from(where), st.integers(0, families - 1).map(lambda n: f"3276010105{n:06d}")),
            min_size=8,
            max_size=40,
        )
    )
    held = [0, 1, 1, 1, 2] if crowded else [0, 0, 1, 1, 2]
    cards = {kk: draw(st.sampled_from(held)) for _province, kk in arrangement}
    return {
        "quotas": quotas,
        "arrangement": arrangement,
        "cards": cards,
        "pool": draw(st.booleans()) if crowded else True,
        "seed": draw(st.integers(0, 2**20)),
        "margin": draw(st.sampled_from([None, 0, 1, 4])),
    }


def selected_as_one_by_one(population) -> None:
    with transaction.atomic(), pytest.MonkeyPatch.context() as patch:
        if population["margin"] is not None:
            margin = lambda places: places + population["margin"]  # noqa: E731
            patch.setattr(selection.kk_cap, "scope", margin)
            patch.setattr(selection.pool, "scope", margin)
        wave = WaveFactory(closed=True, province_quotas=population["quotas"], pool_unused_quota=population["pool"])
        enrollments = deal(wave, population["seed"], population["arrangement"])
        earlier_cards(announced_long_ago(), {kk: n for kk, n in population["cards"].items() if n})

        run = selection_run(wave=wave, acting_user=None, seed=population["seed"])

        assert outcome(run) == one_by_one(wave, enrollments, population["seed"])
        transaction.set_rollback(True)  # the next example starts from an empty wave


PROPERTY = hypothesis_settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@PROPERTY
@given(population=populations(crowded=True))
def test_large_families_over_provinces_of_one_place_are_selected_as_one_by_one(db, population):
    selected_as_one_by_one(population)


@PROPERTY
@given(population=populations(crowded=False))
@example(  # the pool took a row of 31 past 32's first row, which it had not read (a first read just its places)
    population={
        "quotas": {"31": 0, "32": 0, "33": 2, "82": 2},
        "arrangement": [
            ("31", "3276010105000000"),
            ("31", "3276010105000001"),
            ("32", "3276010105000000"),
            *[("31", "3276010105000000")] * 7,
            ("33", "3276010105000001"),
        ],
        "cards": {},
        "pool": True,
        "seed": 3,
        "margin": 0,
    }
)
def test_families_of_every_size_with_places_for_the_pool_are_selected_as_one_by_one(db, population):
    selected_as_one_by_one(population)


def phase_statements(wave, seed):
    """Select ``wave``; returns the run and the number of SQL statements of each phase."""
    marks: list[tuple[str | None, int]] = []
    with CaptureQueriesContext(connection) as queries:
        run = selection_run(
            wave=wave,
            acting_user=None,
            seed=seed,
            on_progress=lambda progress: marks.append((progress.current, len(queries))),
        )
    # Progress comes at the start of the run, then at the start and the end of each phase.
    return run, {name: end - start for (name, start), (_done, end) in zip(marks[1::2], marks[2::2], strict=False)}


@pytest.mark.parametrize("families", [48, 480])
def test_the_kk_phases_take_a_number_of_statements_bounded_by_the_provinces_not_the_families(db, families):
    # Issue #12's population, spread: every KK holds a card already and has one member in Jakarta (31), which has
    # a place for each, and one in one of eight provinces of one place each; pool on. The passes before took a
    # statement for each KK or so.
    small = ["32", "33", "34", "35", "36", "51", "52", "61"]
    wave = WaveFactory(closed=True, province_quotas={"31": families, **dict.fromkeys(small, 1)}, pool_unused_quota=True)
    kks = [f"32760101{families:04d}{n:04d}" for n in range(families)]
    enrolled_many(
        wave,
        2 * families,
        provinces=[p for province in small for p in ("31", province)],
        kks=[kk for kk in kks for _member in (1, 2)],
    )
    earlier_cards(announced_long_ago(), dict.fromkeys(kks, 1))

    run, statements = phase_statements(wave, seed=3)

    # The province phase: collecting the contested rows (2 statements, 5 if it reads them all again), one
    # statement per province at most to find where they fill up, and one more; writing (2) and a drop.
    assert statements["kk_cap"] <= 5 + (len(small) + 1 + 1) + 3
    # The pool: the provinces' last places, how far it goes (reading them all again at most once), writing.
    assert statements["national_pool"] <= 4
    assert outcome(run) == one_by_one(wave, Enrollment.objects.filter(wave=wave), 3)
    assert run.counts["reasons"]["kk_cap"] >= families  # the data is not easy
