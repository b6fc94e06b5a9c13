"""Benchmark: seeding the mock registry, against floors measured in the same run (DESIGN §10).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prakerja_bench \\
        .venv/bin/python benchmarks/seed_dukcapil.py [--residents 1000000] [--bulk-create-residents 100000]

Works in a database of its own on the server DATABASE_URL names (the URL's database name + "_seed_dukcapil",
created and migrated at the start, dropped at the end), so it touches nobody else's data. Each phase runs in
a child process, so each peak RSS is that phase's own:

1. seeder: ``seed_dukcapil --residents N`` as an operator runs it (generation, COPY, index rebuild, ANALYZE);
2. floors, on rows generated before the clock starts (the generation time is printed too):
   - COPY of N resident rows into a bare table (primary key only): the fastest PostgreSQL takes them;
   - COPY of the same families and residents into the tables as migrated (indexes and the deferred foreign
     key in place, checked before the end): what a loader that just COPYs would take;
   - bulk_create of the first M residents (and their families) into the migrated tables, M smaller since
     it is slow; rows/s is what compares.
Every phase has a time limit, so the benchmark always stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script, benchmarks/ is sys.path[0]
from benchmarks import common

PHASE_TIMEOUT_SECONDS = 1800


# --- the child processes ----------------------------------------------------------------------------------


def phase_migrate(args: argparse.Namespace) -> dict:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, skip_checks=True)
    return {"seconds": time.perf_counter() - started}


def phase_seed(args: argparse.Namespace) -> dict:
    from django.core.management import call_command

    from dukcapil.models import Family, Resident

    started = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        call_command(
            "seed_dukcapil",
            "--residents",
            str(args.residents),
            "--seed",
            str(args.seed),
            "--no-samples",
            verbosity=0,
            skip_checks=True,
            stdout=devnull,
        )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "residents": Resident.objects.count(),
        "families": Family.objects.count(),
        "peak_rss_mb": common.peak_rss_mb(),
    }


def phase_floors(args: argparse.Namespace) -> dict:
    from django.db import connection, transaction

    from dukcapil.models import Family, Resident
    from dukcapil.population import FAMILY_FIELDS, RESIDENT_FIELDS, PopulationGenerator
    from dukcapil.services import _places, copy_text, registry_clear

    started = time.perf_counter()
    generator = PopulationGenerator(residents=args.residents, seed=args.seed, places=_places("default"))
    family_rows: list[tuple] = []
    resident_rows: list[tuple] = []
    for family, members in generator.families():
        family_rows.append(family)
        resident_rows.extend(members)
    family_text, resident_text = copy_text(family_rows), copy_text(resident_rows)
    generation_seconds = time.perf_counter() - started

    quote = connection.ops.quote_name
    resident_columns = ", ".join(quote(Resident._meta.get_field(f).column) for f in RESIDENT_FIELDS)
    family_columns = ", ".join(quote(Family._meta.get_field(f).column) for f in FAMILY_FIELDS)
    results: dict = {"generation_seconds": generation_seconds}

    # Each floor runs in a transaction that is rolled back, so they all start from the same empty tables.
    with transaction.atomic(), connection.cursor() as cursor:
        registry_clear()
        cursor.execute(
            "CREATE TABLE bench_bare_resident (LIKE dukcapil_resident INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )
        cursor.execute("ALTER TABLE bench_bare_resident ADD PRIMARY KEY (id)")
        t = time.perf_counter()
        with cursor.cursor.copy(f"COPY bench_bare_resident ({resident_columns}) FROM STDIN") as copy:
            copy.write(resident_text)
        results["copy_bare_seconds"] = time.perf_counter() - t
        transaction.set_rollback(True)

    with transaction.atomic(), connection.cursor() as cursor:
        registry_clear()
        t = time.perf_counter()
        with cursor.cursor.copy(f"COPY dukcapil_family ({family_columns}) FROM STDIN") as copy:
            copy.write(family_text)
        with cursor.cursor.copy(f"COPY dukcapil_resident ({resident_columns}) FROM STDIN") as copy:
            copy.write(resident_text)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks, inside the clock
        results["copy_indexed_seconds"] = time.perf_counter() - t
        transaction.set_rollback(True)
    del family_text, resident_text

    bulk = min(args.bulk_create_residents, len(resident_rows))
    if bulk:
        kks = {row[1] for row in resident_rows[:bulk]}
        families = [Family(**dict(zip(FAMILY_FIELDS, row, strict=True))) for row in family_rows if row[0] in kks]
        residents = [Resident(**dict(zip(RESIDENT_FIELDS, row, strict=True))) for row in resident_rows[:bulk]]
        with transaction.atomic(), connection.cursor() as cursor:
            registry_clear()
            t = time.perf_counter()
            Family.objects.bulk_create(families, batch_size=5000)
            Resident.objects.bulk_create(residents, batch_size=5000)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            results["bulk_create_seconds"] = time.perf_counter() - t
            results["bulk_create_residents"] = bulk
            transaction.set_rollback(True)
    results["peak_rss_mb"] = common.peak_rss_mb()
    return results


PHASES = {"migrate": phase_migrate, "seed": phase_seed, "floors": phase_floors}


def run_child(args: argparse.Namespace) -> None:
    # The test settings: every secret has a harmless default and DEBUG is off, so Django keeps no query log.
    common.django_setup(database_url=args.child_database_url, settings="prakerja.settings_test")
    print(json.dumps(PHASES[args.phase](args)))


# --- the parent: its own database, the phases, the report ------------------------------------------------


def phase(name: str, args: argparse.Namespace, database_url: str) -> dict:
    command = [
        sys.executable,
        __file__,
        "--phase",
        name,
        "--child-database-url",
        database_url,
        "--residents",
        str(args.residents),
        "--seed",
        str(args.seed),
        "--bulk-create-residents",
        str(args.bulk_create_residents),
    ]
    return common.child_json(command, timeout=PHASE_TIMEOUT_SECONDS, failed=f"phase {name} failed")


def main(args: argparse.Namespace) -> None:
    url = common.server_url(example="postgres://postgres@127.0.0.1:5432/prakerja_bench")
    database = (urlsplit(url).path.lstrip("/") or "prakerja_bench") + "_seed_dukcapil"
    own_url = common.database_url(database, url)
    started_as = common.command_line(DATABASE_URL=url)

    common.database_create(url, database)
    try:
        phase("migrate", args, own_url)
        seeded = phase("seed", args, own_url)
        floors = phase("floors", args, own_url)
        version = common.server_version(own_url)
    finally:
        if not args.keep_database:
            common.database_drop(url, database)

    n = args.residents

    def line(label: str, rows: int, seconds: float, rss: float | None = None) -> str:
        memory = f"{rss:8.0f} MB" if rss is not None else " " * 11
        return f"  {label:<58} {rows:>10,} rows {seconds:8.1f} s {rows / seconds:>10,.0f} rows/s {memory}"

    print(
        f"Seeding the mock registry — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, PostgreSQL {version}, "
        f"{os.cpu_count()} CPUs"
    )
    print(f"  command: {started_as}")
    print(f"  {'':<58} {'':>15} {'time':>10} {'':>17} {'peak RSS':>11}")
    print(
        line(
            "seed_dukcapil (generate + COPY + indexes + ANALYZE)",
            seeded["residents"],
            seeded["seconds"],
            seeded["peak_rss_mb"],
        )
    )
    print(f"  {'':<58} families: {seeded['families']:,}")
    print(
        line(
            "floor: generating the rows in memory (not timed below)",
            n,
            floors["generation_seconds"],
            floors["peak_rss_mb"],
        )
    )
    print(line("floor: COPY into a bare table (primary key only)", n, floors["copy_bare_seconds"]))
    print(line("floor: COPY families + residents, indexes and FK in place", n, floors["copy_indexed_seconds"]))
    if "bulk_create_seconds" in floors:
        print(
            line(
                "floor: bulk_create, indexes and FK in place",
                floors["bulk_create_residents"],
                floors["bulk_create_seconds"],
            )
        )
    floor = floors["generation_seconds"] + floors["copy_bare_seconds"]
    print(
        f"  seeder / (generating the rows + bare COPY): {seeded['seconds'] / floor:.2f}x; "
        f"seeder / bare COPY alone: {seeded['seconds'] / floors['copy_bare_seconds']:.1f}x"
    )


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--bulk-create-residents",
        type=int,
        default=100_000,
        help="residents for the bulk_create floor (0 to skip; default 100000)",
    )
    parser.add_argument("--keep-database", action="store_true", help="leave the benchmark's database behind")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--child-database-url", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse()
    if arguments.phase:
        run_child(arguments)
    else:
        main(arguments)
