"""A selection run from start to end: its lock, its states, its phases and their progress, its record, and what
happens when anything stops it."""

import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from waves.errors import WaveError, WaveErrorCode
from waves.lottery import seed_new
from waves.models import ProvinceQuota, Result, RunStatus, SeedCommitment, SelectionRun, Wave, WaveStatus
from waves.progress import PHASE_LABELS, Progress, progress_clear, progress_publish
from waves.selection.dialect import RESULTS, dialect
from waves.selection.issue import announcement_enqueue, cards_issue
from waves.selection.kk_cap import province_cap
from waves.selection.pool import national_pool
from waves.selection.ranking import results_insert
from waves.services import selection_interrupted_record, wave_transition

logger = logging.getLogger(__name__)


class SelectionFailed(Exception):
    pass


def selection_run(
    *,
    wave: Wave,
    acting_user: User | None,
    seed: int | str | None = None,
    now: datetime | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> SelectionRun:
    """Select ``wave``; returns the run. A wave already selected or announced is left as it is (the standing
    run is returned), so running twice changes nothing.

    While it runs it holds the wave's selection lock (waves/selection/lock.py), so a second run of the same
    wave is refused (WaveError ``selection_running``) and a run whose process dies is found and recorded as
    interrupted (``waves.services.selections_recover``). Whatever stops it, the wave goes back to "closed"
    with nothing written: at once when this process can still act (an error, Ctrl-C, a shutdown), otherwise
    at the next recovery. Its progress by phase is published outside its transaction (waves/progress.py) and,
    if given, passed to ``on_progress`` at the start and end of each phase (the command's progress bar).

    The lottery's seed is the one the wave committed to when it was published (``SeedCommitment``,
    docs/LOTTERY.md). ``seed`` replaces it, for tests and benchmarks only: such a run names no commitment, and
    ``manage.py run_selection --seed`` refuses a wave that has one.
    """
    now = now or timezone.now()
    standing = SelectionRun.objects.filter(wave=wave, status=RunStatus.SUCCEEDED).first()
    if standing is not None:
        return standing
    if len(settings.PII_BLIND_INDEX_KEYS) > 1:
        # The KK cap groups applicants and earlier cards by the KK's blind index in SQL; while pii_reindex moves
        # the indexes to a new key, one family can be under two (docs/PRIVACY.md, "Encryption and key rotation").
        raise WaveError(WaveErrorCode.BLIND_INDEX_ROTATING, keys=len(settings.PII_BLIND_INDEX_KEYS))
    lock = dialect().lock(wave.pk)
    if not lock.acquire():
        raise WaveError(WaveErrorCode.SELECTION_RUNNING)
    try:
        # Holding the lock, any run of this wave still marked running is a dead process's.
        for dead in SelectionRun.objects.filter(wave=wave, status=RunStatus.RUNNING):
            selection_interrupted_record(run=dead, note="ditemukan saat seleksi baru dimulai")
        wave.refresh_from_db()
        with transaction.atomic():
            # The seed stays out of the wave's history: staff read it there, and it is secret until the announcement.
            wave_transition(wave=wave, to=WaveStatus.SELECTING, acting_user=acting_user, now=now, note="seleksi")
            commitment = None
            if seed is None:
                commitment = SeedCommitment.objects.filter(wave=wave, voided_at__isnull=True).first()
                # A wave with no commitment never passed through publishing or a recorded opening (written
                # straight into the table): its seed is drawn now, and the public page says it was not committed.
                seed = commitment.seed if commitment is not None else seed_new()
            run = SelectionRun.objects.create(
                wave=wave, seed=str(seed), commitment=commitment, operator=acting_user, started_at=now
            )
            audit_record(acting_user=acting_user, action=Action.SELECTION_START, target=run, details={"wave": wave.pk})
        return _run(run, wave, acting_user, on_progress)
    finally:
        lock.release()


def _run(
    run: SelectionRun, wave: Wave, acting_user: User | None, on_progress: Callable[[Progress], None] | None
) -> SelectionRun:
    progress = Progress(planned=_planned_phases(wave))
    progress_publish(run_id=run.pk, progress=progress)
    if on_progress:
        on_progress(progress)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                dialect().run_prepare(cursor)  # on PostgreSQL: selections take turns from here to commit
            phases, counts = _select(run, wave, progress, on_progress)
            SelectionRun.objects.filter(pk=run.pk).update(
                status=RunStatus.SUCCEEDED, finished_at=timezone.now(), phases=phases, counts=counts
            )
            wave_transition(wave=wave, to=WaveStatus.SELECTED, acting_user=acting_user, note=f"run {run.pk}")
            audit_record(
                acting_user=acting_user,
                action=Action.SELECTION_END,
                target=run,
                details={"wave": wave.pk, "status": RunStatus.SUCCEEDED, "selected": counts["selected"]},
            )
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
        selection_interrupted_record(run=run, status=status, error=f"{type(error).__name__}: {error}"[:2000])
    except Exception:  # the original error is the one to report
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

    quotas = dict(ProvinceQuota.objects.filter(wave=wave).values_list("province_id", "quota"))
    frontier: dict[str, int] = {}
    phase("rules_and_ranking", lambda: results_insert(run, wave))
    phase("kk_cap", lambda: frontier.update(province_cap(run, quotas)))
    if wave.pool_unused_quota:
        phase("national_pool", lambda: national_pool(run, wave, frontier))
    phase("cards", lambda: cards_issue(run, wave))
    phase("announcement_messages", lambda: announcement_enqueue(run, wave))
    counts: dict = {}
    phase("counts", lambda: counts.update(_counts(run, quotas)))
    return progress.as_data()["done"], counts


def _counts(run: SelectionRun, quotas: dict[str, int]) -> dict:
    """Counts per province and per reason, in one pass over the run's rows, and each province's cut: the tier and
    lottery of the last candidate it selected itself (not from the national pool), which /transparansi/
    publishes after the announcement and the dashboard shows an applicant beside their own (docs/LOTTERY.md)."""
    per_province: dict[str, dict] = {}
    reasons: Counter = Counter()
    from_pool = 0
    # Grouped by province and reason only, the selected and pooled counted within: a selected row has no reason,
    # so nothing is lost, and the planner, which multiplies the columns' distinct values to guess the number of
    # groups, then hashes a few hundred groups instead of sorting a million rows (0.4 s at 1,000,000).
    rows = (
        Result.objects.filter(run=run)
        .values("province_id", "reason")
        .annotate(
            n=Count("pk"),
            selected_n=Count("pk", filter=Q(selected=True)),
            pooled_n=Count("pk", filter=Q(from_pool=True)),
            candidates=Count("province_rank"),
        )
        .values_list("province_id", "reason", "n", "selected_n", "pooled_n", "candidates")
    )
    for province, reason, n, selected, pooled, candidates in rows:
        entry = per_province.setdefault(
            province,
            {
                "enrollments": 0,
                "selected": 0,
                "candidates": 0,
                "from_pool": 0,
                "quota": quotas.get(province, 0),
                "reasons": {},
                "cut": None,
            },
        )
        entry["enrollments"] += n
        entry["selected"] += selected
        entry["candidates"] += candidates
        entry["from_pool"] += pooled
        from_pool += pooled
        if reason is not None:
            reasons[reason] += n
            entry["reasons"][reason] = entry["reasons"].get(reason, 0) + n
    for province, place, priority, lottery in _cuts(run):
        per_province[province]["cut"] = {"place": place, "tier": priority, "lottery": lottery}
    return {
        "enrollments": sum(entry["enrollments"] for entry in per_province.values()),
        "selected": sum(entry["selected"] for entry in per_province.values()),
        "from_pool": from_pool,
        "provinces": per_province,
        "reasons": dict(reasons),
    }


def _cuts(run: SelectionRun) -> list[tuple]:
    """Each province's last place selected by the province, with its tier and lottery: one read of the run's
    selected rows, then a probe of the (run, province, place) index per province."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH last (province_id, place) AS (
                    -- the place of each province's last selection from its own quota
                    SELECT province_id, MAX(province_rank) FROM {RESULTS}
                    WHERE run_id = %(run)s AND selected AND NOT from_pool GROUP BY province_id
                )
                SELECT r.province_id, r.province_rank, r.priority, r.lottery
                FROM last l JOIN {RESULTS} r
                  ON r.run_id = %(run)s AND r.province_id = l.province_id AND r.province_rank = l.place""",
            {"run": run.pk},
        )
        return cursor.fetchall()


def results_discard(run: SelectionRun) -> None:
    """A voided run's results and cards go (on PostgreSQL their partitions are dropped: the same cost for ten rows
    or a million)."""
    with connection.cursor() as cursor:
        db = dialect()
        db.cards_drop(cursor, run.pk)
        db.results_drop(cursor, run.pk)
