"""Step 1: a result row for every enrollment, in one INSERT … SELECT.

Each row carries the first rule the applicant fails (the same expressions as the join-time check,
waves/rules.py), the priority tier, the lottery number (waves/lottery.py), the place among the province's
candidates, and the province cut as if no Kartu Keluarga were full: places up to the quota are selected, the
other candidates get "quota". Step 2 (kk_cap.py) corrects the few rows where a KK is full.
"""

from django.db import connection
from django.db.models import F, Value

from waves.lottery import lottery_expression
from waves.models import Enrollment, ProvinceQuota, SelectionRun, Wave
from waves.rules import JoinedLookups, first_failure, priority_tier
from waves.selection.dialect import dialect
from waves.selection.sql import QUOTA, named
from waves.services import enrollment_ages_count


def results_insert(run: SelectionRun, wave: Wave) -> None:
    """One row per enrollment: its rules, lottery and place in its province, and the province cut as if no KK
    were full. The ages are counted for the wave's close first: the age rule reads them."""
    enrollment_ages_count(wave=wave)
    # The rules' look-ups (cards, retained NIKs, complaints, attempts) as joins, each set grouped once.
    lookups = JoinedLookups()
    rows = (
        Enrollment.objects.filter(wave=wave)
        .annotate(
            r_run=Value(run.pk),
            r_kk=F("user__identity__kk_digest"),
            r_priority=priority_tier("user__", lookups),
            r_lottery=lottery_expression(run.seed),
            r_reason=first_failure(wave, "user__", lookups),
        )
        .values_list("r_run", "pk", "user_id", "province_id", "r_kk", "r_priority", "r_lottery", "r_reason")
    )
    rows_sql, rows_params = named(*lookups.sql(rows), "e")
    db = dialect()
    c = db.bytewise
    with connection.cursor() as cursor:
        # The rows are sorted once, on one text key: province, candidate or not (candidates first), priority tier,
        # lottery (rank_key). Its first bytes tell most rows apart, so the sort compares short prefixes instead of
        # five columns, which at millions of rows is several times faster. A row's place in its province is its
        # place in that order less the place of its province's first candidate (a running maximum over the same
        # order, with no second sort). Candidates come first in each province, so the rows are written in
        # (province, place) order and, where they go into the indexed table (SQLite), the (run, province, place)
        # index is filled at its right edge.
        db.results_write(
            cursor,
            run.pk,
            f"""WITH enrollment_rows (run_id, enrollment_id, user_id, province_id, kk_digest, priority, lottery,
                                      reason) AS (
                    -- each enrollment with its first failed rule (NULL: a candidate), its tier and its lottery
                    {rows_sql}
                ),
                keyed AS (
                    -- the rank's one sort key, and the group it starts with (the province, candidate or not);
                    -- the fence keeps the rules evaluated once per row, not once per use of the reason
                    SELECT e.*, {rank_group("e")} AS rank_group, {rank_key("e")} AS rank_key
                    FROM (SELECT * FROM enrollment_rows{db.fence}) e
                ),
                ordered AS (
                    -- each row's position in that order, and the group of the row before it
                    SELECT k.*, ROW_NUMBER() OVER by_rank AS position, LAG(k.rank_group) OVER by_rank AS previous_group
                    FROM keyed k
                    WINDOW by_rank AS (ORDER BY k.rank_key{c}, k.enrollment_id)
                ),
                placed AS (
                    -- a candidate's place in its province: its position less its group's first position, plus one
                    SELECT o.*, CASE WHEN o.reason IS NULL THEN o.position + 1 - MAX(
                               CASE WHEN o.previous_group IS NULL OR o.previous_group <> o.rank_group THEN o.position END
                           ) OVER (ORDER BY o.rank_key{c}, o.enrollment_id ROWS UNBOUNDED PRECEDING) END AS province_rank
                    FROM ordered o
                )
                -- the province cut as if no KK were full: places up to the quota selected, other candidates "quota"
                SELECT s.position, s.run_id, s.enrollment_id, s.user_id, s.province_id, s.kk_digest, s.priority,
                       s.lottery, s.province_rank,
                       CASE WHEN s.reason IS NOT NULL THEN s.reason
                            WHEN s.province_rank <= q.quota THEN NULL ELSE %(quota_reason)s END AS reason,
                       CASE WHEN s.reason IS NULL AND s.province_rank <= q.quota THEN TRUE ELSE FALSE END AS selected,
                       FALSE AS from_pool
                FROM placed s
                LEFT JOIN {ProvinceQuota._meta.db_table} q ON q.wave_id = %(wave)s AND q.province_id = s.province_id""",
            {**rows_params, "quota_reason": QUOTA, "wave": wave.pk},
            rows=Enrollment.objects.filter(wave=wave).count(),
        )


def rank_group(alias: str) -> str:
    """A province's candidates, or its excluded rows: the province code and 0 for candidates, 1 for the others."""
    return f"({alias}.province_id || CASE WHEN {alias}.reason IS NULL THEN '0' ELSE '1' END)"


def rank_key(alias: str) -> str:
    """The sort key of the rank, as one text: the group, the tier as one digit (9 - tier, so a higher tier comes
    first; the results' check constraint keeps tiers to one digit) and the lottery's hex digits. Within a group it
    orders as rank_order does."""
    return f"({rank_group(alias)} || (9 - {alias}.priority) || {alias}.lottery)"


def rank_order(alias: str) -> str:
    """The rank: the priority tier first, then the lottery; the enrollment id only breaks a (never seen) SHA-256
    tie. Lottery numbers are lowercase hex, which every collation orders alike."""
    return f"{alias}.priority DESC, {alias}.lottery{dialect().bytewise}, {alias}.enrollment_id"
