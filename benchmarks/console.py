"""The operator console over N synthetic applicants on PostgreSQL: the funnel's refresh, the page, the results' CSV.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/console.py \
        [--applicants N] [--small] [--database NAME] [--no-export]

It creates its own database (prakerja_bench_console, or NAME) and drops it at the end. The population: N
applicants who stop along the journey at simulate_wave's rates (console.simulation.CONTINUE), in the 38 provinces
weighted by population (the wave's quotas likewise); about a third of them join the wave. ``--small`` is the CI
size (2,000 applicants), written by simulate_wave itself (console/simulation.py: every value encrypted and indexed
as the services write it). A larger population is written with COPY as benchmarks/selection.py does, one valid
Fernet token per encrypted column shared by every row and unique stand-ins for the blind indexes: the funnel reads
only timestamps and keys, and the CSV decrypts each row's NIK token whatever it holds, so the figures are the
same, while simulate_wave's per-row encryption and ORM inserts run at a few hundred applicants a second on this
shared machine (a million would take about an hour). Then, in the same run:
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
import resource
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "prakerja_bench_console"
SMALL = 2_000
# Population shares of the provinces (roughly BPS 2020), by Kemendagri code: the wave's quotas follow them.
sys.path.insert(0, str(ROOT))
from benchmarks.selection import WEIGHTS  # noqa: E402 - the same provinces' weights as the selection's benchmark


def database_url(name: str) -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {BENCH_DB}")


def drop_database() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def setup_django() -> None:
    os.environ["DATABASE_URL"] = database_url(BENCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prakerja.settings_test")
    import django

    django.setup()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


def copy(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as sink:
        for row in rows:
            sink.write_row(row)


def populate_copy(wave, n: int, seed: int) -> dict[str, int]:
    """N applicants at simulate_wave's rates, by COPY (see the module's docstring); returns how many reached each
    step."""
    import random

    from django.db import connection

    from assessment.models import DeclarationText
    from console.simulation import CONTINUE
    from prakerja.crypto import pii_encrypt
    from regions.models import District
    from waves.models import AgreementText

    rng = random.Random(seed)
    provinces = list(WEIGHTS)
    weights = [WEIGHTS[p] for p in provinces]
    districts = {}
    for code, province in District.objects.values_list("code", "regency__province_id"):
        districts.setdefault(province, code)
    token = {name: pii_encrypt(value) for name, value in
             {"nik": "3276011708950001", "kk": "3276010102150001", "birth": "1995-08-17", "name": "SITI AMINAH",
              "address": "JL. MERDEKA 1", "phone": "+6281234567890"}.items()}  # fmt: skip
    text_id = DeclarationText.objects.get(is_current=True).pk
    agreement_id = AgreementText.objects.get(is_current=True).pk
    start = wave.opens_at - timedelta(days=14)
    span = (datetime.now(UTC) - timedelta(hours=2) - start).total_seconds()
    people = []  # (id, province, joined_at, steps taken)
    reached = dict.fromkeys(["accounts", *CONTINUE], 0)
    for i in range(1, n + 1):
        steps = 1
        for share in CONTINUE.values():
            if rng.random() >= share:
                break
            steps += 1
        for step in list(reached)[:steps]:
            reached[step] += 1
        province = rng.choices(provinces, weights)[0]
        people.append((i, province, start + timedelta(seconds=span * rng.random()), steps))
    minute = timedelta(minutes=1)
    names = list(reached)

    def taken(step: str):
        return ((i, p, at) for i, p, at, steps in people if steps > names.index(step))

    with connection.cursor() as cursor:
        raw = cursor.cursor
        copy(raw, "accounts_user",
             ["id", "password", "email", "email_verified_at", "is_active", "is_staff", "is_superuser", "date_joined"],
             ((i, "!", f"u{i}@bench.id", at + minute if steps > 1 else None, True, False, False, at)
              for i, _p, at, steps in people))  # fmt: skip
        copy(raw, "verification_identityverification",
             ["user_id", "nik_encrypted", "nik_digest", "kk_encrypted", "kk_digest", "birth_date_encrypted", "sex",
              "registry_excluded_occupation", "verified_at"],
             ((i, token["nik"], f"{i:064x}", token["kk"], f"{(i + 2) // 3:064x}", token["birth"], "L", False,
               at + 2 * minute) for i, _p, at in taken("ktp_verified")))  # fmt: skip
        copy(raw, "verification_personaldata",
             ["user_id", "full_name", "mother_name", "address", "district_id", "sex", "education", "marital_status",
              "dependents", "training_topic", "completed_at"],
             ((i, token["name"], token["name"], token["address"], districts[p], "L", "sma", "belum_kawin", 0,
               "pemasaran_digital", at + 3 * minute) for i, p, at in taken("personal_data")))  # fmt: skip
        copy(raw, "verification_ktpphoto",
             ["user_id", "image", "thumbnail", "width", "height", "size_bytes", "original_bytes", "original_kind",
              "from_camera", "camera", "uploaded_at"],
             ((i, f"ktp/{i}.jpg", f"ktp/t/{i}.jpg", 1600, 1000, 300_000, 3_000_000, "jpeg", True, "",
               at + 4 * minute) for i, _p, at in taken("ktp_photo")))  # fmt: skip
        copy(raw, "verification_phonenumber", ["user_id", "number", "number_digest", "verified_at"],
             ((i, token["phone"], f"{i:064x}", at + 5 * minute) for i, _p, at in taken("phone_verified")))  # fmt: skip
        copy(raw, "assessment_declaration",
             ["user_id", "current_for_id", "revision", "text_id", "employment", "in_formal_education",
              "excluded_groups", "other_aid", "truthful", "exclusion_reasons", "submitted_at"],
             ((i, i, 1, text_id, "phk", False, "[]", "[]", True, "[]", at + 6 * minute)
              for i, _p, at in taken("declared")))  # fmt: skip
        passed = {i for i, _p, _at in taken("test_passed")}
        copy(raw, "assessment_attempt",
             ["user_id", "seed", "started_at", "deadline", "submitted_at", "finished_reason", "score", "pass_score",
              "passed"],
             ((i, 1, at + 7 * minute, at + 32 * minute, at + 17 * minute, "submitted", 80 if i in passed else 20, 60,
               i in passed) for i, _p, at in taken("test_taken")))  # fmt: skip
        copy(raw, "waves_enrollment",
             ["wave_id", "user_id", "province_id", "agreement_id", "joined_at", "pending", "adult_at_close",
              "adult_counted_for"],
             ((wave.pk, i, p, agreement_id, max(at + 20 * minute, wave.opens_at), True, True, wave.closes_at)
              for i, p, at in taken("joined")))  # fmt: skip
        cursor.execute("SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), %s)", [n + 1])
    return reached


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
        from console.simulation import wave_simulate

        wave = create_wave(n)
        started = time.perf_counter()
        if n <= SMALL:
            with tqdm(total=n, unit=" applicants", file=sys.stderr, mininterval=5) as bar:
                reached = wave_simulate(
                    wave=wave, applicants=n, seed=args.seed, batch_size=5_000, progress=bar.update
                ).reached
        else:
            reached = populate_copy(wave, n, args.seed)
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
            before = peak_mb()
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
                "peak_rss_mb_after_csv": round(peak_mb()),
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
                    "population": "simulate_wave" if n <= SMALL else "copy",
                    "populate_seconds": round(populate, 1),
                    "refresh_seconds": round(best, 3),
                    "floor_count_seconds": round(min(floor), 3),
                    "ratio": round(best / min(floor), 2),
                    "pages": pages,
                    "export": export,
                    "peak_rss_mb": round(peak_mb()),
                }
            )
        )
    finally:
        drop_database()


if __name__ == "__main__":
    main()
