"""The operator console over N synthetic applicants on PostgreSQL: the funnel's refresh, the page, the results' CSV.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/console.py \
        [--applicants N] [--small] [--all-join] [--processes P] [--database NAME] [--no-export]

It creates its own database (prakerja_bench_console, or NAME) and drops it at the end. The population: N
applicants written by simulate_wave (console/simulation.py: the rows the services write, every value encrypted and
indexed as they do it, COPY per batch, ``--processes`` of them), who stop along the journey at its rates
(console.simulation.CONTINUE), in the 38 provinces weighted by population (the wave's quotas likewise); about a
third of them join the wave, or all of them with ``--all-join`` (N enrollments, N rows of CSV). ``--small`` is
the CI size (2,000 applicants). Then, in the same run:
- the refresh: ``console.services.funnel_refresh`` of the wave (the account steps in one statement, the joins, the
  selected counts, the snapshot written), best of 3, and the floor it is measured against: one bare
  ``SELECT COUNT(*)`` over the accounts table (what any count per page view would at least pay);
- the pages /operator/ and /operator/gelombang/1/ through Django's test client as a signed-in operator: their
  query counts and median time over 20 requests each, which do not depend on N;
- with the export (default): the wave closed and selected, then /operator/gelombang/1/hasil.csv read to the end,
  its rows per second and this process's peak memory before and after it.
It prints the figures and, as its last line, one JSON object.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script, benchmarks/ is sys.path[0]
from benchmarks import common
from benchmarks.selection import WEIGHTS  # the provinces' population shares: the wave's quotas follow them

BENCH_DB = "prakerja_bench_console"
SMALL = 2_000


def recreate_database() -> None:
    common.database_create(common.database_url("postgres"), BENCH_DB)


def drop_database() -> None:
    from django.db import connections

    connections.close_all()
    common.database_drop(common.database_url("postgres"), BENCH_DB)


def setup_django() -> None:
    common.django_setup(database_url=common.database_url(BENCH_DB), settings="prakerja.settings_test")


def create_wave(applicants: int):
    from django.utils import timezone

    from waves.models import ProvinceQuota, Wave

    now = timezone.now()
    opens = now - timedelta(days=6)
    quota = max(applicants // 15, len(WEIGHTS))
    total = sum(WEIGHTS.values())
    shares = {code: max(1, int(quota * weight / total)) for code, weight in WEIGHTS.items()}
    wave = Wave.objects.create(
        number=1,
        name="Gelombang 1",
        opens_at=opens,
        closes_at=opens + timedelta(days=7),
        announce_at=opens + timedelta(days=10),
        quota=sum(shares.values()),
        published_at=opens - timedelta(days=1),
        status="open",
    )
    ProvinceQuota.objects.bulk_create(ProvinceQuota(wave=wave, province_id=p, quota=q) for p, q in shares.items())
    return wave


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    global BENCH_DB
    parser = argparse.ArgumentParser()
    parser.add_argument("--applicants", type=int, default=1_000_000)
    parser.add_argument("--small", action="store_true", help=f"the CI size: {SMALL:,} applicants")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default=BENCH_DB, help="the database to create, use and drop")
    parser.add_argument("--no-export", action="store_true", help="skip the selection and the results' CSV")
    parser.add_argument("--processes", type=int, default=2, help="simulate_wave's processes")
    parser.add_argument(
        "--all-join", action="store_true", help="everyone joins the wave (N enrollments: the CSV's N rows)"
    )
    args = parser.parse_args()
    n = SMALL if args.small else args.applicants
    BENCH_DB = args.database
    recreate_database()
    setup_django()
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from tqdm import tqdm

    try:
        call_command("migrate", verbosity=0)
        from accounts.models import User
        from accounts.roles import Role
        from console.services import funnel_refresh
        from console.simulation import ALL_JOIN, CONTINUE, wave_simulate

        wave = create_wave(n)
        started = time.perf_counter()
        with tqdm(total=n, unit=" applicants", file=sys.stderr, mininterval=5) as bar:
            reached = wave_simulate(
                wave=wave,
                applicants=n,
                seed=args.seed,
                batch_size=5_000,
                progress=bar.update,
                processes=args.processes,
                funnel=ALL_JOIN if args.all_join else CONTINUE,
            ).reached
        populate = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")  # as a live database has them (see benchmarks/selection.py)
        print(
            f"populated {reached['accounts']:,} applicants in {populate:.1f} s ({reached['accounts'] / populate:,.0f}/s)"
        )
        print("  " + ", ".join(f"{step} {count:,}" for step, count in reached.items()))

        refresh = timed(lambda: funnel_refresh(wave=wave), 3)
        with connection.cursor() as cursor:

            def count_accounts():
                cursor.execute("SELECT COUNT(*) FROM accounts_user")
                cursor.fetchone()

            floor = timed(count_accounts, 3)

        settings.STAFF_OTP_REQUIRED = False  # the page's own cost; the second factor is a session flag
        operator = User.objects.create(email="operator@bench.id", is_staff=True, email_verified_at=wave.opens_at)
        operator.groups.add(Group.objects.get(name=Role.OPERATOR))
        client = Client()
        client.force_login(operator)
        pages = {}
        for name, url in (("overview", "/operator/"), ("wave", f"/operator/gelombang/{wave.number}/")):
            queries: list[str] = []
            with connection.execute_wrapper(
                lambda execute, sql, *rest, seen=queries: seen.append(sql) or execute(sql, *rest)
            ):
                assert client.get(url).status_code == 200
            times = timed(lambda url=url: client.get(url), 20)
            pages[name] = {"queries": len(queries), "median_ms": round(statistics.median(times) * 1000, 1)}

        export = {}
        if not args.no_export:
            from waves.models import Enrollment, Wave
            from waves.selection import selection_run

            closed = datetime.now(UTC) - timedelta(minutes=1)
            Wave.objects.filter(pk=wave.pk).update(closes_at=closed)
            # The ages were counted for the planned close; recount nothing (the selection would decrypt every
            # birth date again for a close it has not seen, which is not what this benchmark measures).
            Enrollment.objects.filter(wave=wave).update(adult_counted_for=closed)
            wave.refresh_from_db()
            started = time.perf_counter()
            run = selection_run(wave=wave, acting_user=None, seed=args.seed)
            selection = time.perf_counter() - started
            before = common.peak_rss_mb()
            started = time.perf_counter()
            response = client.get(f"/operator/gelombang/{wave.number}/hasil.csv")
            rows = sum(block.count(b"\n") for block in response.streaming_content) - 1
            seconds = time.perf_counter() - started
            export = {
                "enrollments": run.counts["enrollments"],
                "selection_seconds": round(selection, 2),
                "csv_rows": rows,
                "csv_seconds": round(seconds, 2),
                "csv_rows_per_second": round(rows / seconds),
                "peak_rss_mb_before_csv": round(before),
                "peak_rss_mb_after_csv": round(common.peak_rss_mb()),
            }

        best = min(refresh)
        print(f"command: {' '.join(sys.argv)}  (DATABASE_URL={os.environ['DATABASE_URL']})")
        print(f"funnel refresh: best {best:.2f} s of {', '.join(f'{t:.2f}' for t in refresh)}")
        print(f"floor, SELECT COUNT(*) over the accounts: {min(floor):.3f} s; ratio {best / min(floor):.1f}")
        for name, figures in pages.items():
            print(f"page {name}: {figures['queries']} queries, median {figures['median_ms']} ms over 20 requests")
        if export:
            print(
                f"selection of {export['enrollments']:,} enrollments: {export['selection_seconds']} s; results CSV: "
                f"{export['csv_rows']:,} rows in {export['csv_seconds']} s ({export['csv_rows_per_second']:,}/s), "
                f"peak RSS {export['peak_rss_mb_before_csv']} MB before, {export['peak_rss_mb_after_csv']} MB after"
            )
        print(
            json.dumps(
                {
                    "benchmark": "console",
                    "applicants": reached["accounts"],
                    "reached": reached,
                    "population": f"simulate_wave, {args.processes} processes"
                    + (", all join" if args.all_join else ""),
                    "populate_seconds": round(populate, 1),
                    "refresh_seconds": round(best, 3),
                    "floor_count_seconds": round(min(floor), 3),
                    "ratio": round(best / min(floor), 2),
                    "pages": pages,
                    "export": export,
                    "peak_rss_mb": round(common.peak_rss_mb()),
                }
            )
        )
    finally:
        drop_database()


if __name__ == "__main__":
    main()
