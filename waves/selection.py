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
2. KK fix-up passes, touching only the rows that change: in the KKs with more selected members than room (the
   rules' KK room, counting earlier waves' cards, read for the selected rows only), the
   worst-ranked are set aside; each province that lost n rows selects its next n places (its best remaining
   candidates, as a set-aside row never comes back); those may belong to full KKs, or outrank a member selected
   in another province, so the next pass looks at the KKs of the rows just selected, until none is over. A
   selected row is displaced only by a better-ranked member of its own KK, so a row is capped only when its KK
   is really full of better-ranked members: nobody is left out by the cap while their KK has room.
3. If the wave pools unused quota and a province ran out of candidates, the best-ranked "quota" rows
   nationwide take the places left, with the same KK passes (pool picks yield to rows selected in their
   province).
Everything happens in one transaction: a run that fails leaves no result behind.
"""

import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Value
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.models import Channel
from notifications.services import messages_enqueue_bulk
from prakerja.timeutil import wib_date, wib_day_end
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
# Safety bound on the passes; each pass sets aside at least one row, and real data converges in a few.
MAX_PASSES = 1000


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


def _province_cap(run: SelectionRun, quotas: dict[str, int]) -> dict[str, int]:
    """The KK passes of the province cut; returns each province's frontier: the last place it has reached.

    A province's selected rows are always its best places up to the frontier, less those set aside, so the
    places freed by n set-aside rows go to the next n places after the frontier.
    """
    results = Result._meta.db_table
    frontier = dict(quotas)
    touched = None  # first pass: every KK of the run's selected rows
    for _pass in range(MAX_PASSES):
        capped = Counter(_cap(run, touched))
        if not capped:
            return frontier
        ranges, params = [], [run.pk]
        for province, n in sorted(capped.items()):
            ranges.append("(province_id = %s AND province_rank > %s AND province_rank <= %s)")
            params += [province, frontier[province], frontier[province] + n]
            frontier[province] += n
        taken = f"run_id = %s AND ({' OR '.join(ranges)})"
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {results} SET selected = TRUE, reason = NULL WHERE {taken}", params)
        # Next pass: the KKs of the rows just selected, the only ones that can be over now.
        touched = (f"SELECT kk_digest FROM {results} WHERE {taken}", params)
    raise SelectionFailed("the KK cap did not converge")


def _national_pool(run: SelectionRun, wave: Wave, frontier: dict[str, int]) -> None:
    """Places the provinces could not fill go to the best-ranked "quota" rows nationwide, with the same KK passes.

    A province leaves places only when its frontier went past its last candidate: it selected all of them but
    the set-aside ones, so it left (frontier - candidates) places.
    """
    results, quotas = Result._meta.db_table, ProvinceQuota._meta.db_table
    with connection.cursor() as cursor:
        # Each province's number of candidates is its last place: one index probe per province.
        cursor.execute(
            f"""SELECT q.province_id,
                       (SELECT MAX(r.province_rank) FROM {results} r WHERE r.run_id = %s AND r.province_id = q.province_id)
                FROM {quotas} q WHERE q.wave_id = %s""",
            [run.pk, wave.pk],
        )
        candidates = {province: last or 0 for province, last in cursor.fetchall()}
    need = sum(max(frontier[province] - candidates[province], 0) for province in frontier)
    touched = (f"SELECT kk_digest FROM {results} WHERE run_id = %s AND from_pool", [run.pk])
    for _pass in range(MAX_PASSES):
        if need <= 0:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {results} SET selected = TRUE, from_pool = TRUE, reason = NULL WHERE id IN (
                        SELECT r.id FROM {results} r WHERE r.run_id = %s AND r.reason = %s
                        ORDER BY {_rank_order("r")} LIMIT %s)""",
                [run.pk, QUOTA, need],
            )
            if not cursor.rowcount:
                return  # nobody left
        need = len(_cap(run, touched))
    raise SelectionFailed("the KK cap did not converge")


def _cap(run: SelectionRun, touched: tuple[str, list] | None) -> list[str]:
    """In the KKs ``touched`` (a query of kk_digest; None for all the run's), set aside selected members beyond
    the KK's room; returns the provinces of the rows set aside. Rows selected in their province rank before pool
    picks, so a pool pick never displaces a province selection.

    The room is the rules' (waves/rules.py, kk_room), read here for the selected rows only rather than stored
    for every enrollment. All KKs at once is one pass over the run's selected rows: a KK within its room has no
    member past it."""
    results = Result._meta.db_table
    members = Result.objects.filter(run=run, selected=True)
    if touched is not None:
        members = members.filter(kk_digest__in=RawSQL(*touched))
    members = members.annotate(room=kk_room(kk_digest="kk_digest")).values(
        "id", "kk_digest", "from_pool", "priority", "lottery", "enrollment_id", "room"
    )
    members_sql, members_params = members.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {results} SET selected = FALSE, from_pool = FALSE, reason = %s WHERE id IN (
                SELECT id FROM (
                    SELECT r.id, r.room, ROW_NUMBER() OVER (PARTITION BY r.kk_digest{_bytewise()}
                                                            ORDER BY r.from_pool, {_rank_order("r")}) AS place
                    FROM ({members_sql}) r
                ) ranked WHERE place > room)
                RETURNING province_id""",
            [KK_CAP, *members_params],
        )
        return [province for (province,) in cursor.fetchall()]


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
