"""Selection of a closed wave (DESIGN §4), set-based: a handful of SQL statements whatever the wave's size.

The outcome is that of taking the candidates one by one in rank order (priority tier, then lottery): a candidate
is selected while their province has a place and their Kartu Keluarga has room; one whose province still has a
place but whose KK is full is set aside ("kk_cap"), which leaves that place to the next in the province; the rest
are "quota". Then, if the wave pools unused quota, the places provinces could not fill go the same way to the
best-ranked remaining candidates nationwide. It is computed without a loop over applicants:

1. One INSERT … SELECT writes a result row for every enrollment (on PostgreSQL into a new table, attached as the
   run's partition of the results once written, which builds its indexes), with the first rule it fails (the same
   expressions as the join-time check, waves/rules.py), its priority tier, its lottery number (waves/lottery.py),
   its place among its province's candidates (a window function) and the province cut as if no KK were full:
   places up to the quota are selected, the other candidates get "quota".
2. The KK cap in the provinces, in about one statement per province however families spread (38 provinces).
   Were it known where each province fills up (the place of its quota-th selection), the outcome would follow:
   its candidates up to there are *eligible*, the others "quota"; in each KK the best-ranked eligible members up
   to its room (the rules' room, counting earlier waves' cards) are selected and the other eligible ones
   "kk_cap" (one by one, an eligible member is selected while its KK's count is below its room, and that count
   grows only by better-ranked eligible members). Those places are found in rounds: with the places found so
   far, and the other provinces' candidates eligible, the earliest-ranked place where a province fills up is
   where it really does, as every row ranked before it has its real outcome; each round settles that province
   (and any other that provably cannot be affected), so there are at most as many rounds as provinces. Few rows
   take part: a province fills up by the place of its quota-th row not past its KK's room among the rows read
   (such a row is selected when eligible), so later rows never matter; and only rows of KKs with more members
   than room can be set aside. Those *contested* rows go once into a temporary table; a province's place is its
   quota plus its rows set aside before it. Then two UPDATEs write the outcome.
3. If the wave pools unused quota and a province ran out of candidates, the places left go the same way to the
   "quota" rows nationwide, in rank order. One capacity makes it one step: a row is eligible when its KK has room
   left after its province selections and its better-ranked such rows, the pool takes the first eligible ones up
   to its places, and the ineligible ones ranked before its last pick are "kk_cap". One statement finds how far
   the pool goes (reading first the rows where the lottery says its picks lie, and all of them only if it goes
   further), one writes it.
Everything happens in one transaction: a run that fails leaves no result behind.
"""

import logging
import math
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Value
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.models import Channel
from notifications.services import messages_enqueue_bulk
from prakerja.timeutil import wib_date, wib_day_end
from regions.models import Province
from waves.cards import card_number_sql
from waves.errors import WaveError, WaveErrorCode
from waves.lottery import lottery_expression
from waves.models import Card, Enrollment, ProvinceQuota, Result, RunStatus, SelectionRun, Wave, WaveStatus
from waves.progress import PHASE_LABELS, Progress, progress_clear, progress_publish
from waves.reasons import ResultReason
from waves.rules import first_failure, kk_room, priority_tier
from waves.selection_lock import selection_lock, selections_take_turns
from waves.services import selection_interrupted_record, wave_transition

logger = logging.getLogger(__name__)

QUOTA = ResultReason.QUOTA.value
KK_CAP = ResultReason.KK_CAP.value


class SelectionFailed(Exception):
    pass


def selection_run(
    *,
    wave: Wave,
    operator: User | None,
    seed: int | None = None,
    now: datetime | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> SelectionRun:
    """Select ``wave``; returns the run. A wave already selected or announced is left as it is (the standing
    run is returned), so running twice changes nothing.

    While it runs it holds the wave's selection lock (waves/selection_lock.py), so a second run of the same
    wave is refused (WaveError ``selection_running``) and a run whose process dies is found and recorded as
    interrupted (``waves.services.selections_recover``). Whatever stops it, the wave goes back to "closed"
    with nothing written: at once when this process can still act (an error, Ctrl-C, a shutdown), otherwise
    at the next recovery. Its progress by phase is published outside its transaction (waves/progress.py) and,
    if given, passed to ``on_progress`` at the start and end of each phase (the command's progress bar).
    """
    now = now or timezone.now()
    standing = SelectionRun.objects.filter(wave=wave, status=RunStatus.SUCCEEDED).first()
    if standing is not None:
        return standing
    lock = selection_lock(wave.pk)
    if not lock.acquire():
        raise WaveError(WaveErrorCode.SELECTION_RUNNING)
    try:
        # Holding the lock, any run of this wave still marked running is a dead process's.
        for dead in SelectionRun.objects.filter(wave=wave, status=RunStatus.RUNNING):
            selection_interrupted_record(run=dead, note="ditemukan saat seleksi baru dimulai")
        wave.refresh_from_db()
        seed = seed if seed is not None else secrets.randbits(62)
        with transaction.atomic():
            wave_transition(wave=wave, to=WaveStatus.SELECTING, actor=operator, now=now, note=f"seleksi, benih {seed}")
            run = SelectionRun.objects.create(wave=wave, seed=seed, operator=operator, started_at=now)
        return _run(run, wave, operator, on_progress)
    finally:
        lock.release()


def _run(
    run: SelectionRun, wave: Wave, operator: User | None, on_progress: Callable[[Progress], None] | None
) -> SelectionRun:
    progress = Progress(planned=_planned_phases(wave))
    progress_publish(run_id=run.pk, progress=progress)
    if on_progress:
        on_progress(progress)
    try:
        with transaction.atomic():
            selections_take_turns()
            phases, counts = _select(run, wave, progress, on_progress)
            SelectionRun.objects.filter(pk=run.pk).update(
                status=RunStatus.SUCCEEDED, finished_at=timezone.now(), phases=phases, counts=counts
            )
            wave_transition(wave=wave, to=WaveStatus.SELECTED, actor=operator, note=f"run {run.pk}")
    except Exception as error:
        logger.exception("selection of wave %s failed (run %s)", wave.number, run.pk)
        _run_end(run, RunStatus.FAILED, error)
        raise SelectionFailed(str(error)) from error
    except BaseException as error:
        # Ctrl-C, a worker's shutdown: the transaction is already rolled back; say so before going.
        logger.warning("selection of wave %s interrupted (run %s): %s", wave.number, run.pk, type(error).__name__)
        _run_end(run, RunStatus.INTERRUPTED, error)
        raise
    finally:
        progress_clear(run_id=run.pk)  # the run's row now holds its phases, or its failure
    run.refresh_from_db()
    return run


def _run_end(run: SelectionRun, status: str, error: BaseException) -> None:
    """Record a run that did not succeed and close its wave again, on a working connection. Should even this
    fail (the database is gone), the lock goes with the connection and recovery records it later."""
    try:
        if not connection.is_usable():
            connection.close()  # the next query reconnects
        selection_interrupted_record(
            run=run, status=status, error=f"{type(error).__name__}: {error}"[:2000]
        )
    except Exception:  # noqa: BLE001 - the original error is the one to report
        logger.exception("could not record the end of selection run %s; recovery will", run.pk)


def _planned_phases(wave: Wave) -> tuple[str, ...]:
    return tuple(name for name in PHASE_LABELS if name != "national_pool" or wave.pool_unused_quota)


def _select(
    run: SelectionRun, wave: Wave, progress: Progress, on_progress: Callable[[Progress], None] | None
) -> tuple[list[dict], dict]:
    def report(state: Progress) -> None:
        nonlocal progress
        progress = state
        progress_publish(run_id=run.pk, progress=progress)
        if on_progress:
            on_progress(progress)

    def phase(name: str, work) -> None:
        report(progress.started(name))
        started = time.perf_counter()
        work()
        report(progress.finished(name, round(time.perf_counter() - started, 3)))

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Compiling the rules' expressions to machine code costs about a second per statement and saves
            # less than that on rows that are mostly written rather than computed.
            cursor.execute("SET LOCAL jit = off")
    quotas = dict(ProvinceQuota.objects.filter(wave=wave).values_list("province_id", "quota"))
    frontier: dict[str, int] = {}
    phase("rules_and_ranking", lambda: _results_insert(run, wave))
    phase("kk_cap", lambda: frontier.update(_province_cap(run, quotas)))
    if wave.pool_unused_quota:
        phase("national_pool", lambda: _national_pool(run, wave, frontier))
    phase("cards", lambda: _cards_issue(run, wave))
    phase("announcement_messages", lambda: _announcement_enqueue(run, wave))
    counts: dict = {}
    phase("counts", lambda: counts.update(_counts(run)))
    return progress.as_data()["done"], counts


def _cards_issue(run: SelectionRun, wave: Wave) -> None:
    """A card for every selected row, numbered in SQL (waves/cards.py), dated from the announcement.

    The first training may be bought until the end (23:59 WIB) of the FIRST_TRAINING_DAYS-th Jakarta day after
    the announcement's: a deadline counted in days is a calendar day to the applicant, not the announcement's
    hour 30 days on."""
    cards, results = Card._meta.db_table, Result._meta.db_table
    deadline = wib_day_end(wib_date(wave.announce_at) + timedelta(days=settings.FIRST_TRAINING_DAYS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {cards} (result_id, user_id, wave_id, number, kk_digest, balance, issued_at,
                                     first_training_deadline)
                SELECT r.id, r.user_id, %s, {card_number_sql(str(int(wave.number)), "r.id")}, r.kk_digest, %s, %s, %s
                FROM {results} r WHERE r.run_id = %s AND r.selected""",
            [wave.pk, settings.CARD_BALANCE, wave.announce_at, deadline, run.pk],
        )


ANNOUNCEMENTS = (
    # (channel, template, who): selected applicants get an SMS and an email, the others an email.
    (Channel.EMAIL, "waves/result_selected", True),
    (Channel.SMS, "waves/result_selected", True),
    (Channel.EMAIL, "waves/result_not_selected", False),
)


def _announcement_enqueue(run: SelectionRun, wave: Wave) -> None:
    """The announcement's messages, written now with "not before announce_at", one bulk insert per kind
    (notifications owns the table and the key format). The text names no personal data (the card number is on
    the dashboard), so each kind is rendered once for all its recipients."""
    context = {"wave": wave, "dashboard_url": settings.SITE_URL + reverse("journey:dashboard")}
    for channel, template, selected in ANNOUNCEMENTS:
        address = "user__email" if channel == Channel.EMAIL else "user__phone__number"
        recipients = Result.objects.filter(run=run, selected=selected, **{f"{address}__isnull": False}).annotate(
            recipient=F(address)
        )
        messages_enqueue_bulk(
            channel=channel, template=template, context=context, recipients=recipients,
            key_prefix=announcement_key_prefix(run), not_before=wave.announce_at,
        )


def announcement_key_prefix(run: SelectionRun) -> str:
    """The prefix of the run's announcement messages, which a void cancels."""
    return f"result:{run.pk}"


def _results_insert(run: SelectionRun, wave: Wave) -> None:
    """One row per enrollment: its rules, lottery and place in its province, and the province cut as if no KK
    were full (the KK passes correct the few rows where one is)."""
    rows = (
        Enrollment.objects.filter(wave=wave)
        .annotate(
            r_run=Value(run.pk),
            r_kk=F("user__identity__kk_digest"),
            r_priority=priority_tier("user__"),
            r_lottery=lottery_expression(run.seed),
            r_reason=first_failure(wave, "user__"),
            r_selected=Value(False),
            r_pool=Value(False),
        )
        .values_list("r_run", "pk", "user_id", "province_id", "r_kk", "r_priority", "r_lottery",
                     "r_reason", "r_selected", "r_pool")
    )
    sql, params = rows.query.sql_with_params()
    results, quotas = Result._meta.db_table, ProvinceQuota._meta.db_table
    c = _bytewise()
    # The rows are sorted once, on one text key: province, candidate or not (candidates first), priority tier,
    # lottery (see _rank_key). Its first bytes tell most rows apart, so the sort compares short prefixes instead
    # of five columns, which at millions of rows is several times faster. A row's place in its province is its
    # place in that order less the place of its province's first candidate (a running maximum over the same
    # order, with no second sort); an excluded row gets no place. Candidates come first in each province, so the
    # rows are written in (province, place) order and, where they go into the indexed table (SQLite), the
    # (run, province, place) index is filled at its right edge.
    # PostgreSQL would pull the rows' query up into the windows' and evaluate the rules once per reference to
    # the reason; OFFSET 0 keeps it a subquery evaluated once per row.
    postgresql = connection.vendor == "postgresql"
    fence = " OFFSET 0" if postgresql else ""
    target, id_column, id_value = results, "", ""
    with connection.cursor() as cursor:
        if postgresql:
            # The run's rows go into a table of their own, without indexes, which then becomes the run's partition
            # of the results (migration 0012): its indexes are built once from the written rows, several times
            # faster than keeping four indexes up to date row by row. The check lets the attachment trust it
            # holds only this run's rows instead of reading them again.
            run_id = int(run.pk)
            target = f"{results}_run_{run_id}"
            cursor.execute(
                f"CREATE TABLE {target} (LIKE {results} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
                f"CHECK (run_id = {run_id}))"
            )
            # Partitions do not share the table's identity; their ids come from its sequence all the same.
            id_column, id_value = "id, ", f"nextval(pg_get_serial_sequence('{results}', 'id')), "
        cursor.execute(
            f"""WITH enrollment_rows (run_id, enrollment_id, user_id, province_id, kk_digest, priority,
                                      lottery, reason, selected, from_pool) AS ({sql})
                INSERT INTO {target} ({id_column}run_id, enrollment_id, user_id, province_id, kk_digest, priority,
                                      lottery, province_rank, reason, selected, from_pool)
                SELECT {id_value}s.run_id, s.enrollment_id, s.user_id, s.province_id, s.kk_digest, s.priority,
                       s.lottery, s.province_rank,
                       CASE WHEN s.reason IS NOT NULL THEN s.reason WHEN s.province_rank <= q.quota THEN NULL ELSE %s END,
                       CASE WHEN s.reason IS NULL AND s.province_rank <= q.quota THEN TRUE ELSE FALSE END,
                       FALSE
                FROM (
                    SELECT o.*, CASE WHEN o.reason IS NULL THEN o.position + 1 - MAX(
                                    CASE WHEN o.previous_group IS NULL OR o.previous_group <> o.rank_group THEN o.position END
                                ) OVER (ORDER BY o.rank_key{c}, o.enrollment_id ROWS UNBOUNDED PRECEDING) END AS province_rank
                    FROM (
                        SELECT k.*, ROW_NUMBER() OVER ordered AS position, LAG(k.rank_group) OVER ordered AS previous_group
                        FROM (
                            SELECT e.*, {_rank_group("e")} AS rank_group, {_rank_key("e")} AS rank_key
                            FROM (SELECT * FROM enrollment_rows{fence}) e
                        ) k
                        WINDOW ordered AS (ORDER BY k.rank_key{c}, k.enrollment_id)
                    ) o
                ) s
                LEFT JOIN {quotas} q ON q.wave_id = %s AND q.province_id = s.province_id""",
            [*params, QUOTA, wave.pk],
        )
        if postgresql:
            # Attaching builds the partition's copies of the table's indexes and unique constraints. It waits for
            # (and then holds, until commit) the lock another selection's attachment takes, so two selections
            # finishing at once take turns here; readers of the results are not held up.
            cursor.execute(f"ALTER TABLE {results} ATTACH PARTITION {target} FOR VALUES IN ({run_id})")
            # Statistics for the planner, which otherwise knows nothing of the new rows; with them, the passes
            # below probe a KK's rows by index instead of scanning.
            cursor.execute(f"ANALYZE {target}")


def results_discard(run: SelectionRun) -> None:
    """A voided run's results and cards go. On PostgreSQL the run's partition is dropped, which costs the same
    for ten rows or a million and leaves no empty partition behind; SQLite deletes the rows."""
    results, cards = Result._meta.db_table, Card._meta.db_table
    with connection.cursor() as cursor:
        # Cards refer to results without a database constraint (they are written in bulk), so they go first.
        cursor.execute(f"DELETE FROM {cards} WHERE result_id IN (SELECT id FROM {results} WHERE run_id = %s)", [run.pk])
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TABLE IF EXISTS {results}_run_{int(run.pk)}")
        else:
            cursor.execute(f"DELETE FROM {results} WHERE run_id = %s", [run.pk])


def _rank_group(alias: str) -> str:
    """A province's candidates, or its excluded rows: the province code and 0 for candidates, 1 for the others."""
    return f"({alias}.province_id || CASE WHEN {alias}.reason IS NULL THEN '0' ELSE '1' END)"


def _rank_key(alias: str) -> str:
    """The sort key of the rank, as one text: the group, the tier as one digit (9 - tier, so a higher tier comes
    first) and the lottery's hex digits. Within a group it orders as _rank_order does."""
    return f"({_rank_group(alias)} || (9 - {alias}.priority) || {alias}.lottery)"


def _rank_order(alias: str) -> str:
    """The rank: the priority tier first, then the lottery; the enrollment id only breaks a (never seen) SHA-256
    tie. Lottery numbers are lowercase hex, which every collation orders alike."""
    return f"{alias}.priority DESC, {alias}.lottery{_bytewise()}, {alias}.enrollment_id"


def _bytewise() -> str:
    """Sort codes and hex digits byte by byte on PostgreSQL; the database's locale-aware collation orders them
    alike but compares several times slower, which a sort of millions of rows pays in seconds."""
    return ' COLLATE "C"' if connection.vendor == "postgresql" else ""


# The KK cap reads first each province's best places up to its quota and this margin (the pool: each province's
# likely share of its places, and the margin): in real waves the cap sets aside about 1.5% of the places, so the
# rows that can matter are there. A population where they are not (one built to need more) costs one more read,
# of all the candidates (or of all the rows left out).
def _scope(places: int) -> int:
    return places + places // 4 + 32


@dataclass
class _Province:
    quota: int
    last: int  # its number of candidates: its last place
    bound: int  # where it fills up (the place of its quota-th selection) once found; until then, a place it fills by
    open: bool  # whether where it fills up is still to be found


def _province_cap(run: SelectionRun, quotas: dict[str, int]) -> dict[str, int]:
    """The province cut with the KK cap; returns each province's frontier, the last place it reached: its quota
    plus its rows the cap set aside (past its last candidate when it could not fill its quota).

    Where each province fills up decides everything (module docstring, step 2): ``_contested_collect`` bounds those
    places and collects the only rows that can be set aside, ``_fill_find`` finds the places, ``_cap`` writes the
    outcome. About one statement per province, whatever the families look like.
    """
    if not quotas:
        return {}
    contested = f"selection_contested_{int(run.pk)}"
    provinces = _contested_collect(run, quotas, contested, _scope)
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
    read, params = _ranges({province: (0, last_read) for province, last_read in reach.items()})
    room, room_params = _room_sql("s")
    bounds, bound_params = _values((province, quota) for province, quota in quotas.items())
    params.update(**room_params, **bound_params, run=run.pk)
    c = _bytewise()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""CREATE TEMP TABLE {table} AS
                WITH ranked AS (
                    -- the rows read, each with its place in its KK (rank order) and its KK's number of rows read
                    SELECT r.id, r.province_id, r.province_rank, r.kk_digest, r.priority, r.lottery, r.enrollment_id,
                           ROW_NUMBER() OVER (PARTITION BY r.kk_digest{c} ORDER BY {_rank_order("r")}) AS kk_place,
                           COUNT(*) OVER (PARTITION BY r.kk_digest{c}) AS kk_size
                    FROM {results} r WHERE r.run_id = %(run)s AND ({read})
                ),
                shared AS (
                    -- those whose KK has others read (a candidate's KK has room for one at least), with its room
                    SELECT s.*, {room} AS room FROM ranked s WHERE s.kk_size > 1{_fence()}
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
        bounds, params = _values((p, s.quota, s.bound, int(s.open)) for p, s in provinces.items())
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
    """A row's rank as a Python sort key (the order of _rank_order)."""
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
                               ROW_NUMBER() OVER (PARTITION BY e.kk_digest{_bytewise()} ORDER BY {_rank_order("e")})
                                   AS kk_place
                        FROM eligible e
                    ) k WHERE k.kk_place > k.room
                )"""


def _cap(run: SelectionRun, table: str, provinces: dict[str, _Province]) -> list[str]:
    """Writes the province cut: each province selects its places up to where it fills up (the INSERT selected
    them up to its quota) but the rows past their KK's room, which are set aside ("kk_cap"); returns the
    provinces of the rows set aside."""
    results = Result._meta.db_table
    bounds, params = _values((p, s.quota, s.bound) for p, s in provinces.items())
    params.update(run=run.pk, kk_cap=KK_CAP)
    beyond, beyond_params = _ranges({p: (s.quota, s.bound) for p, s in provinces.items() if s.bound > s.quota})
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


def _values(rows) -> tuple[str, dict]:
    """``rows`` (tuples) as the rows of a VALUES list with named parameters, and the parameters."""
    tuples, params = [], {}
    for i, row in enumerate(rows):
        names = [f"v{i}_{j}" for j in range(len(row))]
        params.update(zip(names, row))
        tuples.append("(" + ", ".join(f"%({name})s" for name in names) + ")")
    return ", ".join(tuples), params


def _ranges(ranges: dict[str, tuple[int, int | None]], prefix: str = "g") -> tuple[str, dict]:
    """A condition on rows of the results: in a province of ``ranges``, at a place after its first number and up to
    its second (None: to the end), with named parameters (named after ``prefix``). Written as literal ranges, one
    index range each, which the planner reads as such (where a join to a list of bounds would have it scan every
    row of the run)."""
    conditions, params = ["1 = 0"], {}
    for i, (province, (after, upto)) in enumerate(ranges.items()):
        params.update({f"{prefix}{i}_p": province, f"{prefix}{i}_a": after, f"{prefix}{i}_u": upto})
        end = f" AND province_rank <= %({prefix}{i}_u)s" if upto is not None else ""
        conditions.append(f"(province_id = %({prefix}{i}_p)s AND province_rank > %({prefix}{i}_a)s{end})")
    return " OR ".join(conditions), params


def _room_sql(alias: str) -> tuple[str, dict]:
    """The rules' KK room (waves/rules.py, kk_room) of the KK in ``alias``.kk_digest, as SQL with named parameters:
    the one definition, compiled for rows of a statement here rather than for the results table."""
    query = Result.objects.annotate(room=kk_room(kk_digest="kk_digest")).query
    expression = query.annotations["room"].relabeled_clone({Result._meta.db_table: alias})
    sql, params = query.get_compiler(connection=connection).compile(expression)
    pieces = sql.split("%s")
    names = [f"room_{i}" for i in range(len(params))]
    if len(pieces) != len(names) + 1:
        raise ValueError(f"unexpected SQL for the KK room: {sql}")
    return pieces[0] + "".join(f"%({name})s{piece}" for name, piece in zip(names, pieces[1:])), dict(zip(names, params))


def _fence() -> str:
    """Keeps a subquery from being merged into the statement around it on PostgreSQL, so that its expensive
    columns are computed once per row it returns, after its WHERE."""
    return " OFFSET 0" if connection.vendor == "postgresql" else ""


def _national_pool(run: SelectionRun, wave: Wave, frontier: dict[str, int]) -> None:
    """Places the provinces could not fill go to the best-ranked "quota" rows nationwide (module docstring, step 3).

    A province leaves places only when its frontier went past its last candidate: it selected all of them but
    the set-aside ones, so it left (frontier - candidates) places. Its "quota" rows are its places after its
    frontier (a province without a quota: all of its candidates).
    """
    if not frontier:
        return  # no quotas: no places
    results, regions = Result._meta.db_table, Province._meta.db_table
    reached, params = _values(frontier.items())
    key = "(9 - r.priority) || r.lottery"  # the rank as one text, as in _rank_key (without the province)
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
    reach = _pool_reach(run, left_out, _pool_shares(left_out, spans, min(_scope(need), everyone)), need)
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
    return {p: min(n, after + _scope(math.ceil(before(p, high)))) for p, (after, n) in left_out.items()}


def _room_left(alias: str) -> tuple[str, dict]:
    """The room the KK in ``alias``.kk_digest has left for the pool: the rules' room less its members selected in
    their province (the only selected rows before the pool's), counted by the index of selected rows' KKs."""
    room, params = _room_sql(alias)
    selected = (f"(SELECT COUNT(*) FROM {Result._meta.db_table} t "
                f"WHERE t.kk_digest = {alias}.kk_digest AND t.run_id = %(run)s AND t.selected)")
    return f"({room} - {selected})", params


def _pool_eligible_cte(source: str) -> str:
    """A CTE ``placed``: the rows of ``source`` (with ``room``, what their KK has left) with ``eligible`` 1 when it
    has room for them, its better-ranked members in ``source`` taking it first."""
    return f"""placed AS (
                    -- within the room their KK has left, its better-ranked members here taking it first
                    SELECT k.*, CASE WHEN k.kk_place <= k.room THEN 1 ELSE 0 END AS eligible FROM (
                        SELECT s.*,
                               ROW_NUMBER() OVER (PARTITION BY s.kk_digest{_bytewise()} ORDER BY {_rank_order("s")})
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
    rows, params = _ranges({p: (left_out[p][0], upto) for p, upto in read.items()})
    short = {p: (upto - 1, upto) for p, upto in read.items() if upto < left_out[p][1]}
    ends, end_params = _ranges(short, prefix="e")
    room, room_params = _room_left("k")
    params.update(**end_params, **room_params, run=run.pk, need=need)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH edge AS (
                    -- the best-ranked of the last rows read of provinces not read to the end: every row left out
                    -- that ranks before it was read
                    SELECT e.priority, e.lottery, e.enrollment_id FROM {results} e WHERE e.run_id = %(run)s AND ({ends})
                    ORDER BY {_rank_order("e")} LIMIT 1
                ),
                known AS (
                    -- those rows read, the first of all the left-out rows, with their KK's room left
                    SELECT k.*, {room} AS room FROM (
                        SELECT r.id, r.province_id, r.province_rank, r.kk_digest, r.priority, r.lottery, r.enrollment_id
                        FROM {results} r WHERE r.run_id = %(run)s AND ({rows}) AND NOT EXISTS (
                            SELECT 1 FROM edge e
                            WHERE (-e.priority, e.lottery, e.enrollment_id) < (-r.priority, r.lottery, r.enrollment_id)
                        ){_fence()}
                    ) k
                ),
                {_pool_eligible_cte("known")},
                counted AS (
                    -- the number of rows the pool takes before each one
                    SELECT p.*, SUM(p.eligible) OVER (ORDER BY {_rank_order("p")} ROWS UNBOUNDED PRECEDING) - p.eligible
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
    read, params = _ranges(ranges)
    room, room_params = _room_left("g")
    params.update(**room_params, run=run.pk, kk_cap=KK_CAP)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH gone_through AS (
                    -- the rows the pool goes through, with their KK's room left
                    SELECT g.*, {room} AS room FROM (
                        SELECT r.id, r.province_id, r.province_rank, r.kk_digest, r.priority, r.lottery, r.enrollment_id
                        FROM {results} r WHERE r.run_id = %(run)s AND ({read}){_fence()}
                    ) g
                ),
                {_pool_eligible_cte("gone_through")}
                UPDATE {results} SET selected = (placed.eligible = 1), from_pool = (placed.eligible = 1),
                                     reason = CASE WHEN placed.eligible = 1 THEN NULL ELSE %(kk_cap)s END
                FROM placed WHERE {results}.run_id = %(run)s AND {results}.id = placed.id""",
            params,
        )


def _counts(run: SelectionRun) -> dict:
    """Counts per province and per reason, in one pass over the run's rows."""
    per_province: dict[str, dict[str, int]] = {}
    reasons: Counter = Counter()
    from_pool = 0
    rows = (
        Result.objects.filter(run=run).values("province_id", "selected", "from_pool", "reason")
        .annotate(n=Count("pk")).values_list("province_id", "selected", "from_pool", "reason", "n")
    )
    for province, selected, pooled, reason, n in rows:
        entry = per_province.setdefault(province, {"enrollments": 0, "selected": 0})
        entry["enrollments"] += n
        entry["selected"] += n if selected else 0
        from_pool += n if pooled else 0
        if reason is not None:
            reasons[reason] += n
    return {
        "enrollments": sum(entry["enrollments"] for entry in per_province.values()),
        "selected": sum(entry["selected"] for entry in per_province.values()),
        "from_pool": from_pool,
        "provinces": per_province,
        "reasons": dict(reasons),
    }
