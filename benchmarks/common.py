"""What the benchmarks share: the server they work on, their child processes and the measured server's settings.

Each script is run as ``python benchmarks/<name>.py`` (benchmarks/ is then sys.path[0], the project is not), and
its children and workers import it as ``benchmarks.<name>``; so every script starts with::

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script, benchmarks/ is sys.path[0]
    from benchmarks import common

right after the standard library's imports (ruff allows imports after a ``sys.path`` change, not after code).

Keep this module light (the standard library; psycopg, redis and Django imported where used): the Celery worker
of the outbox benchmark imports it too.
"""

from __future__ import annotations

import json
import os
import resource
import shlex
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
LOCAL_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def server_url(example: str = LOCAL_SERVER) -> str:
    """DATABASE_URL, which must name a PostgreSQL server: the benchmark works in a database of its own there."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"Set DATABASE_URL to a PostgreSQL server, e.g. {example}")
    return url


def empty_redis_url(default: str) -> str:
    """REDIS_URL (or ``default``), which must name an empty Redis database: the benchmark flushes it at the end."""
    redis_url = os.environ.get("REDIS_URL", default)
    if redis_call(redis_url, "DBSIZE"):
        raise SystemExit(f"{redis_url} is not empty; give the benchmark an empty Redis database in REDIS_URL")
    return redis_url


def command_line(**env: str) -> str:
    """How this run was started, to print beside its figures: the variables it read, then its command."""
    return "".join(f"{name}={shlex.quote(value)} " for name, value in env.items()) + shlex.join(
        [sys.executable, *sys.argv]
    )


def database_url(name: str, url: str | None = None) -> str:
    """The server URL (``url``, or DATABASE_URL, or the local server) with the database ``name`` instead."""
    parts = urlsplit(url or os.environ.get("DATABASE_URL", LOCAL_SERVER))
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def server_sql(url: str, sql: str) -> None:
    """Run ``sql`` outside a transaction in the maintenance database ``postgres`` of the server ``url`` names."""
    import psycopg

    parts = urlsplit(url)
    maintenance = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))  # libpq takes postgres://
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql)


def database_create(url: str, name: str, *, force: bool = True) -> None:
    """Create the database ``name`` afresh on the server ``url`` names, dropping a crashed run's leftovers first
    (``force``: whoever is still connected to them is disconnected)."""
    server_sql(url, f'DROP DATABASE IF EXISTS "{name}"' + (" WITH (FORCE)" if force else ""))
    server_sql(url, f'CREATE DATABASE "{name}"')


def database_drop(url: str, name: str) -> None:
    server_sql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


def redis_call(url: str, *command: str):
    import redis

    client = redis.Redis.from_url(url)
    try:
        return client.execute_command(*command)
    finally:
        client.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def peak_rss_mb() -> float:
    """This process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_times(pids) -> dict[int, float]:
    """User + system CPU seconds of each of ``pids`` so far (Linux /proc); processes gone are left out."""
    times = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        times[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14 and 15 of stat)
    return times


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings by the processes alive at the second (new ones from zero). What a
    process that ended meanwhile spent is lost: a lower bound when processes come and go (database backends)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def django_setup(*, database_url: str | None = None, settings: str | None = None) -> None:
    """Django in this process, on ``database_url`` if given, with ``settings`` unless DJANGO_SETTINGS_MODULE says."""
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    if settings:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    import django

    django.setup()


def child_json(command: list[str], *, timeout: float, failed: str, env: dict | None = None) -> dict:
    """Run a benchmark's child process from the project's root; its last line of output, one JSON object. On
    failure the tails of its output go to stderr and the run stops with ``failed``."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)
    if done.returncode:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-5000:])
        raise SystemExit(failed)
    return json.loads(done.stdout.strip().splitlines()[-1])


def production_env(*, database_url: str, redis_url: str, workdir: Path, **settings: str) -> dict:
    """The environment of a measured server as production has it, with ``settings`` on top: DEBUG off, secrets
    and keys of its own (made up for the run), its own database, Redis and working directory (``var``,
    ``static``), tasks on a worker, and nothing of a developer's demo set-up."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + os.urandom(16).hex(),
        "PII_ENCRYPTION_KEYS": "YmVuY2gtb25seS1rZXktYmVuY2gtb25seS1rZXktMzI=",
        "PII_BLIND_INDEX_KEY": "bench-only-blind-index-key",
        "PII_RETAINED_INDEX_KEYS": "bench-only-retained-index-key",
        "DUKCAPIL_API_KEY": "bench-dukcapil-key",
        "DUKCAPIL_MOCK_ENABLED": "1",  # the set-up verifies its applicants against the mock registry
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PRAKERJA_TASKS_EAGER": "0",
        "PRAKERJA_VAR_DIR": str(workdir / "var"),
        "STATIC_ROOT": str(workdir / "static"),
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    for name in ("PRAKERJA_DEMO_INBOX", "DUKCAPIL_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    return env
