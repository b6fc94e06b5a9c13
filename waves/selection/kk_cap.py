"""Step 2: the KK cap in the provinces, in about one statement per province however families spread.

Were it known where each province fills up (the place of its quota-th selection), the outcome would follow: its
candidates up to there are *eligible*, the others "quota"; in each KK the best-ranked eligible members up to its
room (the rules' room, counting earlier waves' cards) are selected and the other eligible ones "kk_cap" (one by
one, an eligible member is selected while its KK's count is below its room, and that count grows only by
better-ranked eligible members). Those places are found in rounds: with the places found so far, and the other
provinces' candidates eligible, the earliest-ranked place where a province fills up is where it really does, as
every row ranked before it has its real outcome; each round settles that province (and any other that provably
cannot be affected), so there are at most as many rounds as provinces (38). Few rows take part: a province fills
up by the place of its quota-th row not past its KK's room among the rows read (such a row is selected when
eligible), so later rows never matter; and only rows of KKs with more members than room can be set aside. Those
*contested* rows go once into a temporary table; a province's place is its quota plus its rows set aside before it.
Then two UPDATEs write the outcome.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

from waves.models import Result, SelectionRun
from waves.selection.dialect import dialect
from waves.selection.ranking import rank_order
from waves.selection.sql import KK_CAP, ranges_sql, room_sql, scope, values_sql


@dataclass
class _Province:
    quota: int
    last: int  # its number of candidates: its last place
    bound: int  # where it fills up (the place of its quota-th selection) once found; until then, a place it fills by
    open: bool  # whether where it fills up is still to be found


def province_cap(run: SelectionRun, quotas: dict[str, int]) -> dict[str, int]:
    """The province cut with the KK cap; returns each province's frontier, the last place it reached: its quota
    plus its rows the cap set aside (past its last candidate when it could not fill its quota).

    Where each province fills up decides everything (this module's docstring): ``_contested_collect`` bounds those
    places and collects the only rows that can be set aside, ``_fill_find`` finds the places, ``_cap`` writes the
    outcome. About one statement per province, whatever the families look like.
    """
    if not quotas:
        return {}
    contested = f"selection_contested_{int(run.pk)}"
    provinces = _contested_collect(run, quotas, contested, scope)
    if provinces is None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {contested}")
        provinces = _contested_collect(run, quotas, contested, None)
    _fill_find(run, contested, provinces)
    capped = Counter(_cap(run, contested, provinces))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {contested}")
    return {province: quota + capped[province] for province, quota in quotas.items()}


def _contested_collect(
    run: SelectionRun, quotas: dict[str, int], table: str, scope: Callable[[int], int] | None
) -> dict[str, _Province] | None:
    """Into the temporary ``table``, the rows the cap may set aside, with everything the next steps need; returns
    each province's state, with a place it fills by. ``scope`` (None: every candidate) limits the rows read to a
    province's best places; None is returned when that was not enough to bound some province.

    Call a row past its KK's room among the rows read a *tail*. A province fills up by the place of its quota-th
    row that is not a tail (or its last place): were a row after those places eligible, the best-ranked such
    row would come after every row up to its province's place, all of them eligible; each that is not a tail
    then has room in its KK, as only rows read rank before it among its KK's eligible members, and is selected,
    so the province filled up before that row. So no row after those places is ever eligible, and only rows of
    KKs with more members than room among the rows read can be set aside: those are the *contested* rows.
    """
    results = Result._meta.db_table
    reach = {province: scope(quota) if scope else None for province, quota in quotas.items() if quota > 0}
    read, params = ranges_sql({province: (0, last_read) for province, last_read in reach.items()})
    room, room_params = room_sql("s")
    bounds, bound_params = values_sql((province, quota) for province, quota in quotas.items())
    params.update(**room_params, **bound_params, run=run.pk)
    c = dialect().bytewise
    with connection.cursor() as cursor:
        cursor.execute(
            f"""CREATE TEMP TABLE {table} AS
                WITH ranked AS (
                    -- the rows read, each with its place in its KK (rank order) and its KK's number of rows read
                    SELECT r.id, r.province_id, r.province_rank, r.kk_digest, r.priority, r.lottery, r.enrollment_id,
                           ROW_NUMBER() OVER (PARTITION BY r.kk_digest{c} ORDER BY {rank_order("r")}) AS kk_place,
                           COUNT(*) OVER (PARTITION BY r.kk_digest{c}) AS kk_size
                    FROM {results} r WHERE r.run_id = %(run)s AND ({read})
                ),
                shared AS (
                    -- those whose KK has others read (a candidate's KK has room for one at least), with its room
                    SELECT s.*, {room} AS room FROM ranked s WHERE s.kk_size > 1{dialect().fence}
                )
                SELECT id, province_id, province_rank, kk_digest, priority, lottery, enrollment_id, room, kk_place
                FROM shared WHERE kk_size > room""",
            params,
        )
        cursor.execute(
            f"""WITH bounds (province_id, quota) AS (VALUES {bounds}),
                tails AS (
                    -- the rows past their KK's room, each with the number of its province's other rows before it
                    SELECT t.province_id,
                           t.province_rank - ROW_NUMBER() OVER (PARTITION BY t.province_id ORDER BY t.province_rank)
                               AS others_before
                    FROM {table} t WHERE t.kk_place > t.room
                )
                -- the place of each province's quota-th other row (its quota plus the tails before it), and its last
                SELECT b.province_id, b.quota + COUNT(t.province_id),
                       (SELECT MAX(r.province_rank) FROM {results} r
                        WHERE r.run_id = %(run)s AND r.province_id = b.province_id)
                FROM bounds b LEFT JOIN tails t ON t.province_id = b.province_id AND t.others_before < b.quota
                GROUP BY b.province_id, b.quota""",
            params,
        )
        rows = cursor.fetchall()
    provinces = {}
    for province, bound, last in rows:
        last, last_read = last or 0, reach.get(province)
        if last_read is not None and last_read < min(bound, last):
            return None  # the place is past the rows read: unknown
        # A province with no more candidates than places selects all it can: nothing to find.
        quota = quotas[province]
        provinces[province] = _Province(quota=quota, last=last, bound=min(bound, last), open=0 < quota < last)
    return provinces


def _fill_find(run: SelectionRun, table: str, provinces: dict[str, _Province]) -> None:
    """Finds where each province fills up in the one-by-one outcome, as its ``bound``.

    With the places found so far, and the open provinces' rows eligible up to the places they fill by, the
    earliest-ranked place where an open province fills up is where it really fills up: on every rank before it,
    eligibility is the real one, so the outcome is. Each statement settles that province, and any other whose
    place ranks before the first contested row after a place just settled (settling a province changes only
    rows after its place, and among them only contested rows act on others). So there are at most as many
    statements as provinces, plus one that finds nothing left to settle.
    """
    results = Result._meta.db_table
    while any(state.open for state in provinces.values()):
        bounds, params = values_sql((p, s.quota, s.bound, int(s.open)) for p, s in provinces.items())
        with connection.cursor() as cursor:
            cursor.execute(
                f"""WITH bounds (province_id, quota, bound, open) AS (VALUES {bounds}),
                    {_capped_ctes(table)},
                    ahead AS (
                        -- each row set aside, with the number of its province's rows before it that are selected
                        SELECT province_id,
                               province_rank - ROW_NUMBER() OVER (PARTITION BY province_id ORDER BY province_rank)
                                   AS selected_before
                        FROM capped
                    ),
                    filled AS (
                        -- where each open province fills up: its quota plus the rows set aside before (if it does)
                        SELECT b.province_id, b.quota + COUNT(a.province_id) AS place
                        FROM bounds b LEFT JOIN ahead a ON a.province_id = b.province_id AND a.selected_before < b.quota
                        WHERE b.open = 1
                        GROUP BY b.province_id, b.quota, b.bound HAVING b.quota + COUNT(a.province_id) <= b.bound
                    ),
                    later AS (
                        -- the first contested row after each of those places
                        SELECT x.province_id, x.priority, x.lottery, x.enrollment_id FROM (
                            SELECT e.province_id, e.priority, e.lottery, e.enrollment_id,
                                   ROW_NUMBER() OVER (PARTITION BY e.province_id ORDER BY e.province_rank) AS n
                            FROM filled f JOIN eligible e ON e.province_id = f.province_id AND e.province_rank > f.place
                        ) x WHERE x.n = 1
                    )
                    SELECT f.province_id, f.place, r.priority, r.lottery, r.enrollment_id,
                           l.priority, l.lottery, l.enrollment_id
                    FROM filled f
                    JOIN {results} r
                      ON r.run_id = %(run)s AND r.province_id = f.province_id AND r.province_rank = f.place
                    LEFT JOIN later l ON l.province_id = f.province_id""",
                {**params, "run": run.pk},
            )
            places = cursor.fetchall()
        if not places:
            return  # the open provinces never fill up: all their candidates are eligible (their bound is their last)
        changes_from = None  # the rank from which the provinces settled in this round may change outcomes
        for province, place, *ranks in sorted(places, key=lambda row: _rank(*row[2:5])):
            if changes_from is not None and not _rank(*ranks[:3]) < changes_from:
                break
            provinces[province].bound, provinces[province].open = place, False
            if ranks[3] is not None:
                later = _rank(*ranks[3:])
                changes_from = later if changes_from is None else min(changes_from, later)


def _rank(priority: int, lottery: str, enrollment_id: int) -> tuple:
    """A row's rank as a Python sort key (the order of rank_order)."""
    return (-priority, lottery, enrollment_id)


def _capped_ctes(table: str) -> str:
    """CTEs over a ``bounds (province_id, …, bound, …)`` CTE: the contested rows of ``table`` eligible in their
    province (``eligible``), and among them those past their KK's room (``capped``)."""
    return f"""eligible AS (
                    -- the contested rows up to their province's bound
                    SELECT c.* FROM {table} c JOIN bounds b ON b.province_id = c.province_id
                    WHERE c.province_rank <= b.bound
                ),
                capped AS (
                    -- those past their KK's room: the KK's better-ranked eligible members fill it
                    SELECT k.id, k.province_id, k.province_rank FROM (
                        SELECT e.id, e.province_id, e.province_rank, e.room,
                               ROW_NUMBER() OVER (PARTITION BY e.kk_digest{dialect().bytewise} ORDER BY {rank_order("e")})
                                   AS kk_place
                        FROM eligible e
                    ) k WHERE k.kk_place > k.room
                )"""


def _cap(run: SelectionRun, table: str, provinces: dict[str, _Province]) -> list[str]:
    """Writes the province cut: each province selects its places up to where it fills up (the INSERT selected
    them up to its quota) but the rows past their KK's room, which are set aside ("kk_cap"); returns the
    provinces of the rows set aside."""
    results = Result._meta.db_table
    bounds, params = values_sql((p, s.quota, s.bound) for p, s in provinces.items())
    params.update(run=run.pk, kk_cap=KK_CAP)
    beyond, beyond_params = ranges_sql({p: (s.quota, s.bound) for p, s in provinces.items() if s.bound > s.quota})
    with connection.cursor() as cursor:
        if beyond_params:
            # The places after the quota, up to where the province fills up.
            cursor.execute(
                f"UPDATE {results} SET selected = TRUE, reason = NULL WHERE run_id = %(run)s AND ({beyond})",
                {**beyond_params, "run": run.pk},
            )
        cursor.execute(
            f"""WITH bounds (province_id, quota, bound) AS (VALUES {bounds}),
                {_capped_ctes(table)}
                UPDATE {results} SET selected = FALSE, reason = %(kk_cap)s
                WHERE run_id = %(run)s AND id IN (SELECT id FROM capped)
                RETURNING province_id""",
            params,
        )
        return [province for (province,) in cursor.fetchall()]
