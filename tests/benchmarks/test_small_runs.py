"""Each benchmark runs end to end at a CI size and ends with its one-line JSON summary (CONTRIBUTING.md,
"Benchmarks"), so a change that breaks a benchmark is found by the suite, not on the day someone measures.

The figures of such small runs mean nothing and are not asserted; only that the run completes, checks itself
(exactly once, for the outbox) and states its result in the agreed shape. They need PostgreSQL and Redis: each
benchmark creates a database of its own (named after the suite's, with a suffix) and uses the Redis database of
REDIS_URL, which the suite's own fixtures clear before every test as well.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.helpers import require_service

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.services


@pytest.fixture
def services() -> dict:
    url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        require_service("postgresql")
    if not redis_url.startswith("redis://"):
        require_service("redis")
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    base = urlsplit(url).path.lstrip("/") or "postgres"
    return {"url": url, "redis_url": redis_url, "database": f"{base}_bench"}


def run(services: dict, script: str, *arguments: str) -> dict:
    # What a shell on a fresh checkout has: not the suite's own settings (prakerja/settings_test.py fills this
    # process's environment with test defaults, which a benchmark must not lean on).
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env |= {"DATABASE_URL": services["url"], "REDIS_URL": services["redis_url"]}
    done = subprocess.run(
        [sys.executable, f"benchmarks/{script}", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_outbox_benchmarks_cpu_line_survives_a_run_too_small_to_measure():
    # CI's run of 300 messages sometimes measured no CPU tick for the worker, and the summary divided by it.
    from benchmarks.outbox_delivery import cpu_line

    assert cpu_line((0.0, 0.0), (0.0, 0.0), (0.1, 1.2)).endswith("floor / worker: n/a (no CPU measured for the worker)")
    assert cpu_line((1.7, 2.0), (1.1, 2.5), (0.1, 1.2)).endswith("floor / worker: 0.35")


def test_the_outbox_benchmark_delivers_exactly_once_and_ends_with_its_summary(services):
    summary = run(
        services,
        "outbox_delivery.py",
        "--messages",
        "300",
        "--single-messages",
        "10",
        "--database",
        services["database"] + "_outbox",
    )

    assert set(summary) >= {"benchmark", "ratio", "per_s", "sweep_ratio", "sweep_per_s"}
    assert summary["benchmark"] == "outbox" and summary["ratio"] > 0 and summary["sweep_ratio"] > 0


def test_the_selection_benchmark_ends_with_its_summary(services):
    summary = run(services, "selection.py", "--enrollments", "2000", "--database", services["database"] + "_selection")

    assert summary["benchmark"] == "selection" and summary["enrollments"] == 2000
    assert summary["ranking_ratio"] > 0 and summary["whole_run_ratio"] > 0


def test_the_selection_benchmark_selects_a_kept_population_again_with_its_outbox_history(services):
    from benchmarks.common import database_drop, database_url

    database = services["database"] + "_selection_kept"
    try:
        first = run(
            services,
            "selection.py",
            "--enrollments",
            "500",
            "--outbox-history",
            "100",
            "--database",
            database,
            "--keep",
        )
        again = run(services, "selection.py", "--enrollments", "500", "--database", database, "--reuse")
    finally:
        database_drop(database_url("postgres", services["url"]), database)

    assert again["enrollments"] == first["enrollments"] == 500 and again["selected"] == first["selected"]


def test_the_selection_benchmark_states_the_median_of_several_pairs(services):
    summary = run(
        services,
        "selection.py",
        "--enrollments",
        "300",
        "--database",
        services["database"] + "_selection",
        "--pairs",
        "3",
    )

    pairs = summary["pairs"]
    assert len(pairs) == 3
    # each pair a run of its own, the one before undone (on a selected wave, a run returns the standing one)
    assert len({pair["run_id"] for pair in pairs}) == 3
    assert [pair["selected"] for pair in pairs] == [summary["selected"]] * 3 and summary["selected"] > 0
    assert summary["whole_run_ratio"] == sorted(pair["whole_run_ratio"] for pair in pairs)[1]
    assert summary["ranking_ratio"] == sorted(pair["ranking_ratio"] for pair in pairs)[1]


def test_the_selection_benchmark_refuses_pairs_with_plans(tmp_path):
    done = subprocess.run(
        [sys.executable, "benchmarks/selection.py", "--pairs", "2", "--explain", str(tmp_path / "plans.txt")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 2 and "only 1 with --explain" in done.stderr


def test_the_selection_benchmark_writes_the_plans_of_each_phase(services, tmp_path):
    plans = tmp_path / "plans.txt"
    run(
        services,
        "selection.py",
        "--enrollments",
        "500",
        "--database",
        services["database"] + "_selection",
        "--explain",
        str(plans),
        "--explain-ms",
        "0",
    )

    text = plans.read_text()
    for phase in ("rules_and_ranking", "kk_cap", "cards", "announcement_messages", "counts", "floor"):
        assert f"===== phase {phase} =====" in text
    # the cards' statement among them: on PostgreSQL the table that becomes the run's partition of the cards
    assert "Buffers:" in text and "CREATE TABLE waves_card_run_" in text


def test_the_dashboard_benchmark_ends_with_its_summary(services):
    summary = run(
        services,
        "dashboard_throughput.py",
        "--duration",
        "3",
        "--warmup",
        "1",
        "--rounds",
        "1",
        "--connections",
        "4",
        "--workers",
        "1",
        "--inprocess-requests",
        "2",
        "--database",
        services["database"] + "_dashboard",
    )

    assert summary["benchmark"] == "dashboard"
    assert summary["ratio"] > 0 and summary["p99_ms"] > 0
