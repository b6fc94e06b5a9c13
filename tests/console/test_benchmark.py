"""The console's benchmark in its CI size (``--small``): it runs end to end on PostgreSQL and ends with its JSON
line. Its figures are read by people (docs/PERFORMANCE.md), never asserted here: only the page's query counts,
which do not depend on the machine."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

from tests.helpers import require_service

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_runs_in_its_ci_size():
    if connection.vendor != "postgresql":
        require_service("PostgreSQL")
    database = f"{connection.settings_dict['NAME']}_bench_console"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/console.py"), "--small", "--database", database],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
        env={**os.environ},
        check=False,
    )

    assert completed.returncode == 0, completed.stderr[-2000:]
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    assert figures["benchmark"] == "console" and figures["applicants"] == 2_000
    assert figures["population"].startswith("simulate_wave")
    assert 0 < figures["pages"]["overview"]["queries"] <= 15 and 0 < figures["pages"]["wave"]["queries"] <= 12
    assert figures["export"]["csv_rows"] == figures["export"]["enrollments"] > 0
