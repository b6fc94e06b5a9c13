"""Selection of a wave of N enrollments on PostgreSQL, against one bare SQL statement doing the same work.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/selection.py \
        [--enrollments N] [--short-provinces K] [--database NAME] [--explain FILE [--explain-ms MS]] [--keep | --reuse]
        [--pairs P]

It creates its own database (prakerja_bench_selection, or NAME, so that two runs on one server do not meet) and
drops it at the end. The population: N applicants who have done every step, written by simulate_wave (the rows
the services write), in 38 provinces with a realistic skew (Java heavy), 1% excluded by a rule; a national quota
of a fifth of N split by province (with K > 0, the K smallest provinces get twice as many places as they have
applicants, so the national pool has places to give). Then, in the same run:
- the real selection (waves.selection.selection_run: results, cards, announcement messages), phase by phase;
- the floor: one bare statement with the same exclusion, KK cap, ranking and quota cut, writing one row per
  enrollment (CREATE TABLE AS) — no cards, no messages.
It prints both times, their ratio, each phase's time, rows per second, this process's peak memory and the load
average. With --explain FILE it also writes, by phase, every statement's time and the EXPLAIN (ANALYZE, BUFFERS,
WAL) plan of each one of at least --explain-ms (auto_explain, whose per-node timing lengthens this run a little:
compare ratios from runs without it); --keep leaves the database behind to study. --reuse selects a kept
database's population again (its selection undone first, the database kept): building a million applicants takes
minutes, and runs of two versions of the code on one population, alternating, tell them apart better than runs on
populations built one after the other while the machine's load moves. --pairs P measures the run and the floor P
times in one process, alternating, the selection undone between pairs: on a shared machine one pair's ratio moves by
a tenth either way, so the JSON line then carries the median ratios, and each pair's.
"""

import argparse
import json
import os
import statistics
import sys
import time
from contextlib import ExitStack, contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script, benchmarks/ is sys.path[0]
from benchmarks import common

BENCH_DB = "prakerja_bench_selection"  # or --database
# Population shares of the provinces (roughly BPS 2020), by Kemendagri code.
WEIGHTS = {
    "11": 5.3,
    "12": 14.8,
    "13": 5.5,
    "14": 6.4,
    "15": 3.5,
    "16": 8.5,
    "17": 2.0,
    "18": 9.0,
    "19": 1.5,
    "21": 2.1,
    "31": 10.6,
    "32": 48.3,
    "33": 36.5,
    "34": 3.7,
    "35": 41.0,
    "36": 11.9,
    "51": 4.3,
    "52": 5.3,
    "53": 5.3,
    "61": 5.4,
    "62": 2.7,
    "63": 4.1,
    "64": 3.8,
    "65": 0.7,
    "71": 2.6,
    "72": 3.0,
    "73": 9.1,
    "74": 2.6,
    "75": 1.2,
    "76": 1.4,
    "81": 1.8,
    "82": 1.3,
    "91": 1.0,
    "92": 0.6,
    "93": 0.5,
    "94": 1.4,
    "95": 1.4,
    "96": 0.6,
}


def setup_django() -> None:
    common.django_setup(database_url=common.database_url(BENCH_DB), settings="prakerja.settings_test")


def recreate_database() -> None:
    # Not forced: a run still using the database makes this one fail, instead of being cut off.
    common.database_create(common.database_url("postgres"), BENCH_DB, force=False)


def drop_database() -> None:
    from django.db import connections

    connections.close_all()
    common.database_drop(common.database_url("postgres"), BENCH_DB)


def selection_undo(wave_id: int) -> None:
    """Put a kept database (``--keep``) back as it was before its selection, to select it again (``--reuse``): the
    runs' results, cards and announcement messages go (as a void discards them, without its rules on who may and
    when), the wave is closed again, the floor's table dropped. Then VACUUM (FULL) of the tables the run writes,
    VACUUM (ANALYZE), so that the next run finds no dead rows and fresh statistics, and a CHECKPOINT, so that every
    run starts with the same full-page writes to pay for."""
    from django.db import connection

    from notifications.services import messages_cancel
    from waves.models import RunStatus, SelectionRun, Wave, WaveStatus
    from waves.selection import announcement_key_prefix
    from waves.selection.run import results_discard

    for run in SelectionRun.objects.filter(wave_id=wave_id, status=RunStatus.SUCCEEDED):
        messages_cancel(key_prefix=announcement_key_prefix(run))
        results_discard(run)
        SelectionRun.objects.filter(pk=run.pk).update(status=RunStatus.VOIDED)
    Wave.objects.filter(pk=wave_id).update(status=WaveStatus.CLOSED)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        # The tables the run writes into, emptied by the lines above, rewritten as a first run finds them (no dead
        # space for its rows to fill, indexes not half empty).
        cursor.execute("VACUUM (FULL) notifications_message, notifications_sharedbody, waves_card")
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("CHECKPOINT")


def outbox_history_add(count: int) -> None:
    """``count`` messages already sent and blanked, as an earlier wave's announcement leaves them (an email per
    applicant, in user order), so that the outbox's indexes hold what a live one's do when a selection writes into
    them: every message ever sent stays in the outbox, for delivery accounting (notifications/models.py)."""
    from django.db import connection
    from django.utils import timezone as dj_timezone

    from notifications.models import SharedBody

    sent = dj_timezone.now() - timedelta(days=60)
    body = SharedBody.objects.create(subject="", body="", created_at=sent, purged_at=sent)
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO notifications_message (channel, recipient, recipient_digest, template, subject, body,
                   html_body, shared_body_id, sensitive, idempotency_key, user_id, not_before, status, attempts,
                   next_attempt_at, last_error, sent_at, purged_at, created_at)
               SELECT 'email', u.email, '', 'waves/result_not_selected', '', '', '', %(body)s, FALSE,
                      'result:0:' || u.id || ':email', u.id, %(sent)s, 'sent', 1, %(sent)s, '', %(sent)s, %(sent)s,
                      %(sent)s
               FROM (SELECT id, email FROM accounts_user ORDER BY id LIMIT %(count)s) u ORDER BY u.id""",
            {"body": body.pk, "sent": sent, "count": count},
        )


def populate(n: int, seed: int, short: int = 0) -> int:
    """N applicants who finished every step, enrolled in one closed wave; returns the wave id. The ``short``
    smallest provinces get a quota of twice their expected enrollments (taken from West Java's), so that they
    leave places to the national pool."""
    from django.db import connection
    from tqdm import tqdm

    from console.simulation import ALL_JOIN, wave_simulate
    from waves.models import ProvinceQuota, Wave

    now = datetime.now(UTC)
    opens = now - timedelta(days=30)
    closes = opens + timedelta(days=7)
    provinces = list(WEIGHTS)
    weights = [WEIGHTS[p] for p in provinces]
    wave = Wave.objects.create(
        number=1,
        name="Bench",
        opens_at=opens,
        closes_at=closes,
        announce_at=opens + timedelta(days=10),
        quota=n // 5,
        published_at=opens,
        pool_unused_quota=True,
    )
    shares = {p: int(n // 5 * w / sum(weights)) for p, w in zip(provinces, weights, strict=True)}
    for p in sorted(provinces, key=WEIGHTS.get)[:short]:
        shares[p] = int(2 * n * WEIGHTS[p] / sum(weights))
    shares["32"] += n // 5 - sum(shares.values())
    ProvinceQuota.objects.bulk_create(ProvinceQuota(wave=wave, province_id=p, quota=q) for p, q in shares.items())
    # Everyone takes every step and joins, exactly the provinces' shares, 1% with an occupation the registry
    # excludes: written by simulate_wave (console/simulation.py), the rows the services write.
    counts = {p: int(n * w / sum(weights)) for p, w in zip(provinces, weights, strict=True)}
    counts["32"] += n - sum(counts.values())
    wave_simulate(
        wave=wave,
        applicants=n,
        seed=seed,
        batch_size=5_000,
        funnel=ALL_JOIN,
        provinces=counts,
        excluded=0.01,
        processes=2,
        progress=tqdm(total=n, unit=" applicants", file=sys.stderr, mininterval=5).update,
    )
    with connection.cursor() as cursor:
        # As a live database has them: autovacuum has been through the tables, and their rows' hint bits are set.
        # Otherwise whichever statement reads them first (here the selection) pays for the bulk load, rewriting
        # every page it reads.
        cursor.execute("VACUUM (ANALYZE)")
    return wave.pk


# The same rules as waves/rules.py, each in the form a hand-written statement would take (earlier cards and
# approved complaints aggregated once and joined, not looked up per row), the same priority tier and lottery,
# the KK room counting earlier waves, then the quota cut. Its KK cap is the one-pass approximation (a KK's
# best-ranked candidates up to its room, before the province cut), cheaper than the exact cap the selection
# computes.
FLOOR = """
CREATE TABLE bench_floor AS
WITH earlier AS (
    SELECT kk_digest, COUNT(*) AS n FROM waves_card GROUP BY kk_digest
), recipients AS (
    SELECT DISTINCT user_id FROM waves_card
), approved AS (
    SELECT DISTINCT user_id FROM waves_complaint WHERE status = 'approved'
), base AS (
    SELECT e.id, e.province_id, i.kk_digest, 2 - COALESCE(c.n, 0) AS kk_room,
           CASE WHEN ap.user_id IS NULL THEN 0 ELSE 1 END AS priority,
           encode(sha256(convert_to(%(seed)s || ':' || e.registration_number, 'UTF8')), 'hex') AS lottery,
           CASE WHEN NOT e.adult_at_close THEN 'age'
                WHEN d.in_formal_education THEN 'in_education'
                WHEN d.excluded_groups <> '[]'::jsonb THEN 'excluded_group_declared'
                WHEN i.registry_excluded_occupation THEN 'excluded_group_registry'
                WHEN r.user_id IS NOT NULL THEN 'past_recipient'
                WHEN COALESCE(c.n, 0) >= 2 THEN 'kk_full'
                WHEN NOT EXISTS (SELECT 1 FROM assessment_attempt a WHERE a.user_id = e.user_id AND a.passed)
                     THEN 'test_not_passed' END AS reason
    FROM waves_enrollment e
    JOIN verification_identityverification i ON i.user_id = e.user_id
    JOIN assessment_declaration d ON d.current_for_id = e.user_id
    LEFT JOIN earlier c ON c.kk_digest = i.kk_digest
    LEFT JOIN recipients r ON r.user_id = e.user_id
    LEFT JOIN approved ap ON ap.user_id = e.user_id
    WHERE e.wave_id = %(wave)s
), kk AS (
    SELECT b.*, ROW_NUMBER() OVER (PARTITION BY kk_digest ORDER BY priority DESC, lottery) AS kk_place
    FROM base b WHERE reason IS NULL
), ranked AS (
    SELECT k.*, ROW_NUMBER() OVER (PARTITION BY province_id ORDER BY priority DESC, lottery) AS place
    FROM kk k WHERE kk_place <= kk_room
)
SELECT b.id, COALESCE(b.reason, CASE WHEN r.place <= q.quota THEN NULL ELSE 'quota' END) AS reason,
       (r.place <= q.quota) AS selected
FROM base b
LEFT JOIN ranked r ON r.id = b.id
LEFT JOIN waves_provincequota q ON q.wave_id = %(wave)s AND q.province_id = b.province_id
"""


class Plans:
    """EXPLAIN (ANALYZE, BUFFERS, WAL) of the statements a run executes, by phase, through auto_explain: the server
    sends each plan back to this connection as a message (client_min_messages = log), so the statements run as
    they are (their row counts, their side effects) and no server log is read. Statements shorter than
    ``min_ms`` are left out (the run's bookkeeping)."""

    def __init__(self, path: str, min_ms: int) -> None:
        self.path, self.min_ms = Path(path), min_ms
        self.phase = "start"
        self.plans: list[tuple[str, str]] = []
        self.timings: list[tuple[str, float, str]] = []  # every statement's time, utility ones too (ATTACH, ANALYZE)

    def on_progress(self, progress) -> None:
        if progress.current:
            self.phase = progress.current
        elif progress.done:
            self.phase = f"after {progress.done[-1].name}"

    def _notice(self, diagnostic) -> None:
        if (diagnostic.message_primary or "").startswith("duration:"):
            self.plans.append((self.phase, diagnostic.message_primary))

    def _timed(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds = time.perf_counter() - started
            if seconds * 1000 >= self.min_ms:
                self.timings.append((self.phase, seconds, " ".join(sql.split())[:160]))

    @contextmanager
    def capture(self):
        from django.db import connection

        connection.ensure_connection()
        stack = ExitStack()
        stack.enter_context(connection.execute_wrapper(self._timed))
        connection.connection.add_notice_handler(self._notice)
        with connection.cursor() as cursor:
            cursor.execute("LOAD 'auto_explain'")
            for name, value in {
                "auto_explain.log_min_duration": self.min_ms,
                "auto_explain.log_analyze": "on",
                "auto_explain.log_buffers": "on",
                "auto_explain.log_wal": "on",
                "auto_explain.log_timing": "on",
                "auto_explain.log_nested_statements": "off",
                "client_min_messages": "log",
            }.items():
                cursor.execute(f"SET {name} = {value}")
        try:
            with stack:
                yield self
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET auto_explain.log_min_duration = -1")
                cursor.execute("SET client_min_messages = notice")
            connection.connection.remove_notice_handler(self._notice)

    def write(self, header: str) -> None:
        with self.path.open("w") as out:
            out.write(f"# EXPLAIN (ANALYZE, BUFFERS, WAL) by phase, statements of {self.min_ms} ms or more: {header}\n")
            out.write("\n## Statements by phase (seconds, statement)\n")
            for phase, seconds, sql in self.timings:
                out.write(f"{phase:<24} {seconds:8.3f}  {sql}\n")
            for phase, plan in self.plans:
                out.write(f"\n===== phase {phase} =====\n{plan}\n")
        print(f"plans of {len(self.plans)} statements written to {self.path}")


def pair_measure(wave, seed: int, plans: Plans | None) -> dict:
    """The selection of ``wave``'s closed population, then the floor on the same rows: one pair of timings."""
    from django.db import connection, connections

    from waves.selection import selection_run

    # Each pair on a server process of its own, as a run of this script has: nothing one pair's statements leave in
    # a backend's caches or memory is there for the next pair's run or floor.
    connections.close_all()
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")  # the population's writes on disk, as the floor will find the run's
    load_before = os.getloadavg()
    started = time.perf_counter()
    with plans.capture() if plans else nullcontext():
        run = selection_run(wave=wave, acting_user=None, seed=seed, on_progress=plans.on_progress if plans else None)
    real = time.perf_counter() - started

    with connection.cursor() as cursor:
        # The floor starts as the run did, after a checkpoint: otherwise it would pay for the one that the run's
        # gigabyte of WAL sets off, in some runs and not others, and the ratio would move with it. It reads the
        # cards the run issued as a live database has them, analyzed: without statistics (a partitioned table's
        # are never gathered by autovacuum) its plan for them changes, and it takes 4% longer (docs/PERFORMANCE.md).
        cursor.execute("ANALYZE waves_card")
        cursor.execute("CHECKPOINT")
        if plans:
            plans.phase = "floor"
        with plans.capture() if plans else nullcontext():
            started = time.perf_counter()
            cursor.execute(FLOOR, {"seed": str(seed), "wave": wave.pk})
            floor = time.perf_counter() - started
        cursor.execute("SELECT COUNT(*) FILTER (WHERE selected) FROM bench_floor")
        floor_selected = cursor.fetchone()[0]
    load_after = os.getloadavg()
    ranking = sum(p["seconds"] for p in run.phases if p["name"] in {"rules_and_ranking", "kk_cap", "national_pool"})
    return {
        "run": run,
        "real": real,
        "ranking": ranking,
        "floor": floor,
        "floor_selected": floor_selected,
        "ranking_ratio": ranking / floor,
        "whole_run_ratio": real / floor,
        "load": f"{min(load_before[0], load_after[0]):.1f}-{max(load_before[0], load_after[0]):.1f}",
    }


def pair_line(pair: dict) -> str:
    return (
        f"run {pair['real']:.2f} s, floor {pair['floor']:.2f} s, ranking+cut / floor {pair['ranking_ratio']:.2f},"
        f" whole run / floor {pair['whole_run_ratio']:.2f} (load {pair['load']})"
    )


def summary_print(pairs: list[dict], n: int) -> None:
    """The figures of the pair whose whole-run ratio is the median (the only one, or the lower middle one of an even
    number), then the JSON line: its figures, with each ratio the median over the pairs and every pair's ratios."""
    by_ratio = sorted(pairs, key=lambda pair: pair["whole_run_ratio"])
    middle = by_ratio[(len(by_ratio) - 1) // 2]
    run, real, floor = middle["run"], middle["real"], middle["floor"]
    print(f"command: {' '.join(sys.argv)}  (DATABASE_URL={os.environ['DATABASE_URL']})")
    if len(pairs) > 1:
        print(f"the median pair of {len(pairs)} (by whole run / floor):")
    print(
        f"selection_run: {real:.2f} s total ({n / real:,.0f} enrollments/s), selected {run.counts['selected']:,}"
        f" ({run.counts['from_pool']:,} from the pool)"
    )
    for phase in run.phases:
        print(f"  {phase['name']:<24} {phase['seconds']:>8.2f} s")
    outside = real - sum(phase["seconds"] for phase in run.phases)
    print(f"  {'(lock, states, commit)':<24} {outside:>8.2f} s")
    print(
        f"bare SQL floor: {floor:.2f} s, selected {middle['floor_selected']:,} (no national pool, no cards, no messages)"
    )
    print(
        f"ratio ranking+cut / floor: {middle['ranking_ratio']:.2f}   whole run / floor: {middle['whole_run_ratio']:.2f}"
    )
    peak_mb = common.peak_rss_mb()
    print(f"peak RSS of this process: {peak_mb:.0f} MB")
    print(f"load average (1 min) before the run and after the floor: {middle['load']}")
    figures = {
        "benchmark": "selection",
        "enrollments": n,
        "selected": run.counts["selected"],
        "from_pool": run.counts["from_pool"],
        "selection_seconds": round(real, 3),
        "ranking_and_cut_seconds": round(middle["ranking"], 3),
        "floor_seconds": round(floor, 3),
        "ranking_ratio": round(statistics.median(pair["ranking_ratio"] for pair in pairs), 3),
        "whole_run_ratio": round(statistics.median(pair["whole_run_ratio"] for pair in pairs), 3),
        "phases": {phase["name"]: phase["seconds"] for phase in run.phases},
        "peak_rss_mb": round(peak_mb),
        "load": middle["load"],
    }
    if len(pairs) > 1:
        figures["pairs"] = [
            {key: round(pair[key], 3) for key in ("real", "floor", "ranking_ratio", "whole_run_ratio")}
            | {"run_id": pair["run"].pk, "selected": pair["run"].counts["selected"], "load": pair["load"]}
            for pair in pairs
        ]
    print(json.dumps(figures))


def main() -> None:
    global BENCH_DB
    parser = argparse.ArgumentParser()
    parser.add_argument("--enrollments", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--short-provinces",
        type=int,
        default=0,
        help="how many of the smallest provinces get more quota than candidates (the pool's work)",
    )
    parser.add_argument("--database", default=BENCH_DB, help="the database to create, use and drop")
    parser.add_argument(
        "--explain",
        metavar="FILE",
        help="write to FILE the EXPLAIN (ANALYZE, BUFFERS, WAL) plan of every statement of each phase, and of the floor,"
        " that takes at least --explain-ms (auto_explain; its timing makes this run's times a little longer)",
    )
    parser.add_argument("--explain-ms", type=int, default=20, help="the shortest statement --explain keeps")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end (to study the plans)")
    parser.add_argument(
        "--outbox-history",
        type=int,
        default=0,
        metavar="M",
        help="start with M messages already sent and blanked in the outbox (an earlier announcement's), as a live"
        " outbox holds its history; kept by --reuse",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="select again the population of a database kept by --keep (implies --keep): its selection is undone"
        " first; --enrollments must be the population's",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=1,
        metavar="P",
        help="measure the run and then the floor P times on the one population, its selection undone between pairs;"
        " the JSON's ratios are then the medians, and each pair's are under \"pairs\"",
    )
    args = parser.parse_args()
    if args.pairs < 1 or (args.pairs > 1 and args.explain):
        parser.error("--pairs takes 1 or more, and only 1 with --explain (one run's plans)")
    BENCH_DB = args.database
    if not args.reuse:
        recreate_database()
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        if args.reuse:
            from waves.models import Enrollment, Wave

            wave_id = Wave.objects.get(number=1).pk
            if Enrollment.objects.filter(wave_id=wave_id).count() != args.enrollments:
                raise SystemExit(f"{BENCH_DB} does not hold {args.enrollments:,} enrollments")
            selection_undo(wave_id)
            print(f"reused {args.enrollments:,} enrollments, selection undone in {time.perf_counter() - started:.1f} s")
        else:
            wave_id = populate(args.enrollments, args.seed, args.short_provinces)
            if args.outbox_history:
                outbox_history_add(args.outbox_history)
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM (ANALYZE) notifications_message")
            print(f"populated {args.enrollments:,} enrollments in {time.perf_counter() - started:.1f} s")

        from django.urls import get_resolver

        from waves.models import Wave

        wave = Wave.objects.get(pk=wave_id)
        # As in a worker that has run anything before: the URLconf (every app's views, about a second to import,
        # once per process) is loaded. The announcement's links need it, and its import is no part of a selection.
        get_resolver().reverse_dict  # noqa: B018
        plans = Plans(args.explain, args.explain_ms) if args.explain else None
        pairs = []
        for number in range(args.pairs):
            if number:
                started = time.perf_counter()
                selection_undo(wave_id)
                wave.refresh_from_db()
                print(f"selection undone in {time.perf_counter() - started:.1f} s")
            pairs.append(pair_measure(wave, args.seed, plans))
            if args.pairs > 1:
                print(f"pair {number + 1} of {args.pairs}: {pair_line(pairs[-1])}", flush=True)
        if plans:
            plans.write(header=f"{' '.join(sys.argv)}  (N={args.enrollments:,})")
        summary_print(pairs, args.enrollments)
    finally:
        if not (args.keep or args.reuse):
            drop_database()


if __name__ == "__main__":
    main()
