"""Step 3, when the wave pools unused quota: the places provinces could not fill go to the "quota" rows nationwide,
in rank order, the same way.

One capacity makes it one step: a row is eligible when its KK has room left after its province selections and its
better-ranked such rows, the pool takes the first eligible ones up to its places, and the ineligible ones ranked
before its last pick are "kk_cap". One statement finds how far the pool goes (reading first the rows where the
lottery says its picks lie, and all of them only if it goes further), one writes it.
"""

import math

from django.db import connection

from regions.models import Province
from waves.models import Result, SelectionRun, Wave
from waves.selection.dialect import dialect
from waves.selection.ranking import rank_order
from waves.selection.sql import KK_CAP, ranges_sql, room_sql, scope, values_sql


def national_pool(run: SelectionRun, wave: Wave, frontier: dict[str, int]) -> None:
    """Places the provinces could not fill go to the best-ranked "quota" rows nationwide (this module's docstring).

    A province leaves places only when its frontier went past its last candidate: it selected all of them but
    the set-aside ones, so it left (frontier - candidates) places. Its "quota" rows are its places after its
    frontier (a province without a quota: all of its candidates).
    """
    if not frontier:
        return  # no quotas: no places
    results, regions = Result._meta.db_table, Province._meta.db_table
    reached, params = values_sql(frontier.items())
    key = "(9 - r.priority) || r.lottery"  # the rank as one text, as in rank_key (without the province)
    with connection.cursor() as cursor:
        # Each province's last place (its number of candidates), and the ranks of its first row left out and of its
        # last row: index probes.
        cursor.execute(
            f"""WITH frontier (province_id, reached) AS (VALUES {reached})
                SELECT p.code,
                       (SELECT MAX(r.province_rank) FROM {results} r
                        WHERE r.run_id = %(run)s AND r.province_id = p.code),
                       (SELECT {key} FROM {results} r
                        WHERE r.run_id = %(run)s AND r.province_id = p.code
                          AND r.province_rank = COALESCE(f.reached, 0) + 1),
                       (SELECT {key} FROM {results} r
                        WHERE r.run_id = %(run)s AND r.province_id = p.code AND r.province_rank IS NOT NULL
                        ORDER BY r.province_rank DESC LIMIT 1)
                FROM {regions} p LEFT JOIN frontier f ON f.province_id = p.code""",
            {**params, "run": run.pk},
        )
        rows = cursor.fetchall()
    last = {province: n for province, n, _first, _final in rows if n}
    need = sum(max(reached - last.get(province, 0), 0) for province, reached in frontier.items())
    # Rows left out: a province's places after its frontier (0 for a province without a quota).
    left_out = {p: (frontier.get(p, 0), n) for p, n in last.items() if n > frontier.get(p, 0)}
    if need <= 0 or not left_out:
        return
    # First the rows that most likely hold the pool's picks; then, if the pool goes past what those tell, all.
    spans = {p: (_position(first), _position(final)) for p, _n, first, final in rows if p in left_out}
    everyone = sum(n - after for after, n in left_out.values())
    reach = _pool_reach(run, left_out, _pool_shares(left_out, spans, min(scope(need), everyone)), need)
    if reach is None:
        reach = _pool_reach(run, left_out, {p: n for p, (_after, n) in left_out.items()}, need)
    _pool_take(run, {province: (left_out[province][0], upto) for province, upto in reach.items()})


def _position(key: str) -> float:
    """Where a row lies in the national rank order, on [0, 10), from its rank as one text (the tier as 9 - tier,
    then the lottery's hex digits): the tier, plus the lottery as a fraction, which is uniform (SHA-256)."""
    return int(key[0]) + int(key[1:14], 16) / 16**13


def _pool_shares(
    left_out: dict[str, tuple[int, int]], spans: dict[str, tuple[float, float]], places: int
) -> dict[str, int]:
    """For each province, the place up to which to read its rows left out so that the best ``places`` of them
    nationwide are most likely read. Its rows left out lie evenly between the positions of its first and its
    last (``spans``); the best ``places`` are those before the position where the provinces' counts add up to
    ``places``, found by halving; each province reads its count there, with the margin."""

    def before(province: str, position: float) -> float:
        (after, n), (first, final) = left_out[province], spans[province]
        if position < first:
            return 0.0
        if position >= final:
            return n - after
        return 1 + (n - after - 1) * (position - first) / (final - first)

    low, high = min(first for first, _final in spans.values()), max(final for _first, final in spans.values())
    for _halving in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if sum(before(p, middle) for p in left_out) < places else (low, middle)
    return {p: min(n, after + scope(math.ceil(before(p, high)))) for p, (after, n) in left_out.items()}


def _room_left(alias: str) -> tuple[str, dict]:
    """The room the KK in ``alias``.kk_digest has left for the pool: the rules' room less its members selected in
    their province (the only selected rows before the pool's), counted by the index of selected rows' KKs."""
    room, params = room_sql(alias)
    selected = (
        f"(SELECT COUNT(*) FROM {Result._meta.db_table} t "
        f"WHERE t.kk_digest = {alias}.kk_digest AND t.run_id = %(run)s AND t.selected)"
    )
    return f"({room} - {selected})", params


def _pool_eligible_cte(source: str) -> str:
    """A CTE ``placed``: the rows of ``source`` (with ``room``, what their KK has left) with ``eligible`` 1 when it
    has room for them, its better-ranked members in ``source`` taking it first."""
    return f"""placed AS (
                    -- within the room their KK has left, its better-ranked members here taking it first
                    SELECT k.*, CASE WHEN k.kk_place <= k.room THEN 1 ELSE 0 END AS eligible FROM (
                        SELECT s.*,
                               ROW_NUMBER() OVER (PARTITION BY s.kk_digest{dialect().bytewise} ORDER BY {rank_order("s")})
                                   AS kk_place
                        FROM {source} s
                    ) k
                )"""


def _pool_reach(
    run: SelectionRun, left_out: dict[str, tuple[int, int]], read: dict[str, int], need: int
) -> dict[str, int] | None:
    """How far the pool goes, reading the left-out rows (``left_out``: a province's places after, up to its last)
    up to the places ``read``: each province's last place it goes through (up to its last pick, or every row if
    it never fills up). None: the rows read do not tell (the pool goes past them).

    Going through the rows in rank order, the pool takes a row while it has places and the row's KK has room,
    and the KK's room is taken only by its better-ranked members, so which rows are eligible does not depend
    on the pool's places: the pool takes the first ``need`` eligible rows, and the ineligible ones before its
    last pick are set aside."""
    results = Result._meta.db_table
    rows, params = ranges_sql({p: (left_out[p][0], upto) for p, upto in read.items()})
    # The first row not read of each province not read to the end (its last row read would not do: a province of
    # which no row is read, its first left out at place 1, has none, and nothing would bound the rows known).
    short = {p: (upto, upto + 1) for p, upto in read.items() if upto < left_out[p][1]}
    ends, end_params = ranges_sql(short, prefix="e")
    room, room_params = _room_left("k")
    params.update(**end_params, **room_params, run=run.pk, need=need)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH edge AS (
                    -- the best-ranked of the first rows not read of provinces not read to the end: every row
                    -- left out that ranks before it was read
                    SELECT e.priority, e.lottery, e.enrollment_id FROM {results} e WHERE e.run_id = %(run)s AND ({ends})
                    ORDER BY {rank_order("e")} LIMIT 1
                ),
                known AS (
                    -- those rows read, the first of all the left-out rows, with their KK's room left
                    SELECT k.*, {room} AS room FROM (
                        SELECT r.id, r.province_id, r.province_rank, r.kk_digest, r.priority, r.lottery, r.enrollment_id
                        FROM {results} r WHERE r.run_id = %(run)s AND ({rows}) AND NOT EXISTS (
                            SELECT 1 FROM edge e
                            WHERE (-e.priority, e.lottery, e.enrollment_id) < (-r.priority, r.lottery, r.enrollment_id)
                        ){dialect().fence}
                    ) k
                ),
                {_pool_eligible_cte("known")},
                counted AS (
                    -- the number of rows the pool takes before each one
                    SELECT p.*, SUM(p.eligible) OVER (ORDER BY {rank_order("p")} ROWS UNBOUNDED PRECEDING) - p.eligible
                                AS taken_before
                    FROM placed p
                )
                -- each province's last place the pool goes through, and the number of rows it takes up to there
                SELECT province_id, MAX(province_rank), MAX(taken_before + eligible)
                FROM counted WHERE taken_before < %(need)s GROUP BY province_id""",
            params,
        )
        reach = cursor.fetchall()
    if max((taken for _province, _upto, taken in reach), default=0) < need and short:
        return None
    return {province: upto for province, upto, _taken in reach}


def _pool_take(run: SelectionRun, ranges: dict[str, tuple[int, int]]) -> None:
    """Writes the pool's outcome for the rows it goes through (``ranges``, from _pool_reach): the eligible ones are
    selected from the pool, the others set aside ("kk_cap")."""
    if not ranges:
        return
    results = Result._meta.db_table
    read, params = ranges_sql(ranges)
    room, room_params = _room_left("g")
    params.update(**room_params, run=run.pk, kk_cap=KK_CAP)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH gone_through AS (
                    -- the rows the pool goes through, with their KK's room left
                    SELECT g.*, {room} AS room FROM (
                        SELECT r.id, r.province_id, r.province_rank, r.kk_digest, r.priority, r.lottery, r.enrollment_id
                        FROM {results} r WHERE r.run_id = %(run)s AND ({read}){dialect().fence}
                    ) g
                ),
                {_pool_eligible_cte("gone_through")}
                UPDATE {results} SET selected = (placed.eligible = 1), from_pool = (placed.eligible = 1),
                                     reason = CASE WHEN placed.eligible = 1 THEN NULL ELSE %(kk_cap)s END
                FROM placed WHERE {results}.run_id = %(run)s AND {results}.id = placed.id""",
            params,
        )
