"""Benchmark: the wave-opening rush on a cluster run on one machine, and a rehearsal of its failures (issue #18).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/cluster.py \\
        [--nodes 2] [--web-workers 2] [--population 3000] [--stages 2,4,8,16] [--stage-seconds 12] \\
        [--rehearsal-seconds 60] [--redis-port 6391] [--ci]

What it starts, every process bound to 127.0.0.1 and stopped at the end (on failure and Ctrl-C too):

- its own PostgreSQL database (``--database``, created, migrated and dropped) on the server DATABASE_URL names;
- its own ``redis-server`` on ``--redis-port`` (cache, rate limits and Celery broker), which it stops and
  starts again during the rehearsal; never the shared Redis;
- ``--nodes`` web nodes, each ``gunicorn prakerja.wsgi --workers N`` as in the Procfile, behind HAProxy (from
  Debian's package, installed with apt-get when missing, as CI installs what it needs) balancing round-robin
  with TCP health checks;
- one Celery worker per queue (otp, default, notifications, selection: settings.CELERY_TASK_ROUTES), each a
  process of its own, and one beat;
- an SMS gateway stand-in (HTTP, counting deliveries by ``Idempotency-Key``) and an email backend that writes
  one line per delivery (benchmarks/cluster_mail.py), so deliveries are counted per outbox idempotency key.

Settings are production's (DEBUG off, Argon2, Redis, the deployment checks pass) with a few set for a short run:
the outbox sweep every 5 s and leases of 15 s (production: 30 s and 120 s), so that what a killed worker held is
retried within the run; TRUSTED_PROXY_COUNT=2, because the load generator plays the outer proxy and gives each
simulated phone its own address (benchmarks/cluster_locustfile.py).

Then:
1. the hasher alone: Argon2 hashes/s (Django's hasher, production parameters) in 1 process and in one process
   per CPU, on the idle cluster;
   The hasher runs again after the rush. For each rush stage, also the CPU seconds the web nodes and the
   database's backends spent per join (per sign-up) — the figure that survives a shared machine;
2. the rush: locust (headless) drives ready applicants (every step done, the test passed: tests.factories
   ``ready_many``) through /masuk/, /dashboard/, the waves page, "Gabung" and "Saya Menyetujui", at each
   concurrency of ``--stages``: requests/s, p50/p95/p99, errors and joins/s; then sign-ups alone at /daftar/;
3. the rehearsal: applicants and sign-ups together for ``--rehearsal-seconds``; on the way one web node is
   SIGKILLed (never restarted), the notifications worker is SIGKILLed (restarted 5 s later, as a supervisor
   would) and Redis is stopped for ``--redis-down-seconds`` and started again, empty (no persistence: what was
   queued in it is lost). A probe reads the landing page and a signed-in dashboard through HAProxy every half
   second throughout; while Redis is down, 10 messages are written through the outbox service for 5 applicants
   kept out of the rush;
4. after the load, waits until the outbox is empty (nothing pending or being sent), then checks that every
   join was recorded once (no applicant enrolled twice; every join answered 302 has its enrollment) and every
   message delivered once (each sent row's key delivered, none twice, nothing delivered that is not a row).

The last line is one JSON object: {"benchmark": "cluster", ...}. ``--ci``: short stages, a 16 s rehearsal with a
4 s Redis outage and 60 applicants (about 3 minutes on a busy 2-CPU machine, most of it starting processes).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script, benchmarks/ is sys.path[0]
from benchmarks import common

ROOT = common.ROOT
LOCUSTFILE = ROOT / "benchmarks" / "cluster_locustfile.py"
PASSWORD = "Gelombang-Satu-2020"  # noqa: S105 - the rehearsal population's, in its own database
WAVE_NUMBER = 1
QUEUES = ("otp", "default", "notifications", "selection")
# The delivery workers run their tasks in threads, as docs/DEPLOY.md lays them out; the others in prefork.
DELIVERY_POOL = {"otp": ["--pool", "threads"], "notifications": ["--pool", "threads"]}
RESERVED = 5  # applicants kept out of the rush, who get messages written while Redis is down


# --- The checks of "once", pure so that tests/benchmarks/test_cluster.py can hold them -------------------------


def joins_check(outcomes: list[dict], enrollments: list[str]) -> dict:
    """Joins against the enrollment table. ``outcomes``: the locust file's lines (kind "join": the email and the
    status of the "Saya Menyetujui" POST); ``enrollments``: the email of every enrollment row of the wave.

    Recorded once: nobody has two rows, and every join answered 302 has its row. A row without a 302 is no
    fault (the answer was lost with a killed node after the commit, and the applicant's next try was told they
    had joined); it is counted."""
    answered = {outcome["email"] for outcome in outcomes if outcome.get("kind") == "join" and outcome["status"] == 302}
    rows = Counter(enrollments)
    duplicated = sorted(email for email, count in rows.items() if count > 1)
    missing = sorted(answered - set(rows))
    return {
        "joins_answered_302": len(answered),
        "enrollments": sum(rows.values()),
        "applicants_enrolled_twice": len(duplicated),
        "joins_302_without_row": len(missing),
        "rows_without_302": len(set(rows) - answered),
        "once": not duplicated and not missing,
    }


def deliveries_check(messages: list[tuple[str, str]], delivered: list[str]) -> dict:
    """Messages against deliveries. ``messages``: (idempotency key, status) of every outbox row; ``delivered``:
    the key of every delivery the backends saw, repeats included.

    Delivered once: every row is sent, each sent row's key was delivered exactly once, and nothing was
    delivered that is not a row."""
    statuses = Counter(status for _key, status in messages)
    keys = {key for key, _status in messages}
    sent = {key for key, status in messages if status == "sent"}
    times = Counter(delivered)
    return {
        "messages": len(messages),
        "statuses": dict(statuses),
        "deliveries": len(delivered),
        "sent_never_delivered": len(sent - set(times)),
        "delivered_twice_or_more": sum(1 for count in times.values() if count > 1),
        "delivered_unknown_key": len(set(times) - keys),
        "once": statuses.get("sent", 0) == len(messages)
        and all(times.get(key) == 1 for key in sent)
        and not set(times) - keys,
    }


# --- Phases run in child processes, with the cluster's settings -------------------------------------------------


def phase_setup(args: argparse.Namespace) -> dict:
    """Migrate, collect the static files, open wave 1 for Jawa Barat and build the ready population."""
    common.django_setup()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tests.factories import WaveFactory, ready_many

    call_command("migrate", verbosity=0, skip_checks=True)
    with open(os.devnull, "w") as devnull:
        call_command("collectstatic", "--noinput", verbosity=0, stdout=devnull)
    WaveFactory(open=True, number=WAVE_NUMBER, province_quotas={"32": 1_000_000})
    started = time.perf_counter()
    *users, watcher = ready_many(args.population + RESERVED + 1, password=make_password(PASSWORD))
    built = time.perf_counter() - started
    users, reserved = users[: args.population], users[args.population :]
    Path(args.applicants_file).write_text("".join(f"{user.email}\n" for user in users))
    Path(args.applicants_file + ".reserved").write_text("".join(f"{user.email}\n" for user in reserved))
    # One more, not in the rush: the probe's signed-in session, as a login leaves it.
    client = Client()
    client.force_login(watcher, backend="django.contrib.auth.backends.ModelBackend")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return {
        "population": len(users),
        "population_seconds": built,
        "cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
        "server_version": connection.cursor().connection.info.parameter_status("server_version"),
    }


def phase_hasher(args: argparse.Namespace) -> dict:
    """Hash passwords with the portal's first hasher (Argon2) for ``--seconds``: hashes done."""
    common.django_setup()
    from django.contrib.auth.hashers import get_hasher, make_password

    make_password(PASSWORD)  # the first call loads the library
    done, stop = 0, time.perf_counter() + args.seconds
    started, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() < stop:
        make_password(PASSWORD)
        done += 1
    return {
        "hashes": done,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "hasher": get_hasher().algorithm,
    }


def phase_enqueue(args: argparse.Namespace) -> dict:
    """While Redis is down: write an SMS and an email for each of the RESERVED applicants (never reached by the
    rush), through the outbox service, as any change that sends a message would (an admin's decision on a
    complaint, say; the rate-limited forms are refused meanwhile). The rows commit; the tasks that should announce
    them cannot reach the broker, which the service logs and survives; the sweep must send them later."""
    common.django_setup()
    from django.conf import settings
    from django.db import transaction

    from accounts.models import User
    from notifications.models import Channel
    from notifications.services import message_enqueue

    emails = Path(args.applicants_file + ".reserved").read_text().split()
    started = time.perf_counter()
    with transaction.atomic():
        for user in User.objects.filter(email__in=emails).select_related("phone"):
            message_enqueue(
                channel=Channel.SMS,
                recipient=user.phone.number,
                template="verification/otp",
                context={"code": "000000", "minutes": 5},
                idempotency_key=f"rehearsal:{user.pk}:sms",
                user=user,
                sensitive=True,
                queue=settings.OTP_QUEUE,
            )
            message_enqueue(
                channel=Channel.EMAIL,
                recipient=user.email,
                template="accounts/password_changed",
                context={"changed_at": datetime.now(UTC), "reset_url": settings.SITE_URL},
                idempotency_key=f"rehearsal:{user.pk}:email",
                user=user,
            )
    return {"messages": 2 * len(emails), "seconds": time.perf_counter() - started}


def phase_outbox(args: argparse.Namespace) -> dict:
    """The outbox's rows by status, and the enrollments of the wave by email."""
    common.django_setup()
    from notifications.models import Message
    from waves.models import Enrollment

    rows = list(Message.objects.values_list("idempotency_key", "status"))
    enrollments = list(Enrollment.objects.filter(wave__number=WAVE_NUMBER).values_list("user__email", flat=True))
    return {"messages": rows, "enrollments": enrollments}


# --- Processes ---------------------------------------------------------------------------------------------------


class Processes:
    """Everything started, each in a session of its own (so a node is killed with all its workers), stopped in
    reverse order at the end."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.running: dict[str, tuple[subprocess.Popen, list[str], dict]] = {}

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = (self.workdir / f"{name}.log").open("a")
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.running[name] = (process, command, env)
        return process

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.running[name][0]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def restart(self, name: str) -> subprocess.Popen:
        _process, command, env = self.running[name]
        return self.start(name, command, env)

    def stop_all(self) -> None:
        for name in reversed(list(self.running)):
            process = self.running[name][0]
            if process.poll() is not None:
                continue
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)
            except ProcessLookupError:
                pass

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_port(port: int, processes: Processes, name: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if processes.running[name][0].poll() is not None:
            raise SystemExit(f"{name} stopped:\n{processes.log_tail(name)}")
        if port_open(port):
            return
        time.sleep(0.2)
    raise SystemExit(f"{name} did not listen on {port}:\n{processes.log_tail(name)}")


def group_pids(leaders: list[int]) -> set[int]:
    """Every process in the process groups of ``leaders`` (a gunicorn master and its workers)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) in leaders:  # pgrp
                found.add(int(entry.name))
    return found


def database_pids(url: str) -> set[int]:
    """The PostgreSQL backends serving the rehearsal's database (persistent connections: CONN_MAX_AGE)."""
    import psycopg

    database = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database]
        ).fetchall()
    return {pid for (pid,) in rows}


def haproxy_ensure() -> str:
    """HAProxy's path; installed from Debian's package when missing (CI installs what it needs)."""
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if found:
        return found
    quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    apt = shutil.which("apt-get") or "apt-get"
    subprocess.run([apt, "update", "-qq"], check=True, env=quiet)
    subprocess.run([apt, "install", "-y", "-qq", "haproxy"], check=True, env=quiet, stdout=subprocess.DEVNULL)
    return shutil.which("haproxy") or "/usr/sbin/haproxy"


def haproxy_config(port: int, nodes: list[int]) -> str:
    """Round-robin over the nodes; a node that refuses connections is out after two failed checks a second
    apart. TCP checks, not /healthz: that page answers 503 when Redis is down, which would take every node out
    of rotation at once for an outage the pages survive (docs/DEPLOY.md). A request whose connection is refused
    is retried on another node (it was never sent, so a POST is not repeated); one cut mid-answer is not."""
    servers = "\n".join(
        f"    server node{i} 127.0.0.1:{node} check inter 1s fall 2 rise 2" for i, node in enumerate(nodes)
    )
    return f"""global
    maxconn 4096
    log stdout format raw local0 info
defaults
    mode http
    log global
    option httplog
    option dontlog-normal
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    retries 2
    option redispatch
    option forwardfor
    option http-server-close
frontend portal
    bind 127.0.0.1:{port}
    default_backend nodes
backend nodes
    balance roundrobin
{servers}
"""


class SmsGateway:
    """A stand-in SMS gateway on 127.0.0.1: counts every POST by its Idempotency-Key (and answers 200)."""

    def __init__(self) -> None:
        keys: list[str] = []
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    keys.append(self.headers.get("Idempotency-Key", ""))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.keys = keys
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Probe:
    """Reads the landing page and a signed-in dashboard through HAProxy every half second: (time, path, status)."""

    def __init__(self, port: int, cookie: str) -> None:
        self.port, self.cookie = port, cookie
        self.samples: list[tuple[float, str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _get(self, path: str, cookie: str | None) -> int:
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 10.255.255.1\r\nConnection: close\r\n"
        request += f"Cookie: {cookie}\r\n\r\n" if cookie else "\r\n"
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=10) as conn:
                conn.settimeout(30)
                conn.sendall(request.encode())
                head = conn.recv(64)
                while conn.recv(65536):
                    pass
            return int(head[9:12]) if head.startswith(b"HTTP/1.") else 0
        except OSError:
            return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            for path, cookie in (("/", None), ("/dashboard/", self.cookie)):
                sent = time.time()  # a sample belongs to the moment its request was sent
                self.samples.append((sent, path, self._get(path, cookie)))
            self._stop.wait(0.5)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def between(self, start: float, end: float) -> dict:
        counts: Counter = Counter()
        for at, path, status in self.samples:
            if start <= at < end:
                counts[f"{path} {status}"] += 1
        return dict(sorted(counts.items()))


# --- Load --------------------------------------------------------------------------------------------------------


def locust_path(given: str | None) -> str:
    for candidate in (
        given,
        os.environ.get("LOCUST"),
        str(ROOT / ".venv" / "bin" / "locust"),
        shutil.which("locust"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit("locust is not installed: .venv/bin/pip install -r requirements-dev.txt (or --locust PATH)")


def read_outcomes(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def locust_stats(prefix: Path) -> dict:
    """The Aggregated row of locust's CSV, and each request name's count and failures."""
    rows = list(csv.DictReader((prefix.parent / f"{prefix.name}_stats.csv").open()))
    by_name = {row["Name"]: row for row in rows}
    total = by_name["Aggregated"]

    def ms(row: dict, column: str) -> float | None:
        value = row.get(column, "N/A")
        return float(value) if value not in ("N/A", "", None) else None

    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50_ms": ms(total, "50%"),
        "p95_ms": ms(total, "95%"),
        "p99_ms": ms(total, "99%"),
        "names": {
            name: {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": ms(row, "50%"),
            }
            for name, row in by_name.items()
            if name != "Aggregated"
        },
    }


class Load:
    def __init__(self, args: argparse.Namespace, workdir: Path, port: int, applicants: Path) -> None:
        self.args, self.workdir, self.port, self.applicants = args, workdir, port, applicants
        self.outcomes = workdir / "outcomes.jsonl"
        self.locust = locust_path(args.locust)
        self.runs = 0
        self.web: list[int] = []
        self.database_url = ""
        self.current: subprocess.Popen | None = None

    def first_unused(self) -> int:
        taken = [o["index"] for o in read_outcomes(self.outcomes) if o.get("kind") == "take"]
        return max(taken) + 1 if taken else 0

    def start(self, users: int, seconds: float, classes: list[str]) -> tuple[subprocess.Popen, Path, str]:
        self.runs += 1
        run = f"run{self.runs}"
        prefix = self.workdir / run
        env = {
            **os.environ,
            "RUSH_APPLICANTS": str(self.applicants),
            "RUSH_PASSWORD": PASSWORD,
            "RUSH_WAVE": str(WAVE_NUMBER),
            "RUSH_OUTCOMES": str(self.outcomes),
            "RUSH_RUN": run,
            "RUSH_FIRST_APPLICANT": str(self.first_unused()),
        }
        command = [
            self.locust,
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            f"http://127.0.0.1:{self.port}",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds:g}s",
            "--stop-timeout",
            "30",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            *classes,
        ]
        log = (self.workdir / f"{run}.log").open("w")
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.current = process
        return process, prefix, run

    def stop(self) -> None:
        """Stop a locust run still going (after a failure or Ctrl-C)."""
        if self.current is not None and self.current.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.current.pid, signal.SIGKILL)
            self.current.wait(timeout=30)

    def finish(self, process: subprocess.Popen, prefix: Path, run: str, seconds: float) -> dict:
        if process.wait(timeout=seconds + 120) not in (0, 1):  # locust exits 1 when any request failed
            raise SystemExit(f"locust failed:\n{(self.workdir / f'{run}.log').read_text()[-3000:]}")
        stats = locust_stats(prefix)
        mine = [o for o in read_outcomes(self.outcomes) if o.get("run") == run]
        stats["joins"] = sum(1 for o in mine if o["kind"] == "join" and o["status"] == 302)
        stats["signups"] = sum(1 for o in mine if o["kind"] == "signup" and o["status"] == 302)
        stats["refused_by_limits"] = sum(1 for o in mine if o.get("limited"))
        stats["joins_per_s"] = stats["joins"] / seconds
        stats["signups_per_s"] = stats["signups"] / seconds
        return stats

    def run(self, users: int, seconds: float, classes: list[str]) -> dict:
        """One locust run; with ``self.web`` (gunicorn masters' pids) and ``self.database_url`` set, also the CPU
        seconds the web nodes and the database's backends spent on it, per join and per sign-up."""
        web_before = common.cpu_times(group_pids(self.web)) if self.web else {}
        database_before = common.cpu_times(database_pids(self.database_url)) if self.database_url else {}
        process, prefix, run = self.start(users, seconds, classes)
        try:
            stats = self.finish(process, prefix, run, seconds)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        web_after = common.cpu_times(group_pids(self.web)) if self.web else {}
        database_after = common.cpu_times(database_pids(self.database_url)) if self.database_url else {}
        stats["web_cpu_s"] = common.cpu_spent(web_before, web_after)
        stats["db_cpu_s"] = common.cpu_spent(database_before, database_after)
        done = stats["joins"] + stats["signups"]
        stats["web_cpu_ms_per_op"] = 1000 * stats["web_cpu_s"] / done if done else None
        stats["db_cpu_ms_per_op"] = 1000 * stats["db_cpu_s"] / done if done else None
        return stats


# --- The parent --------------------------------------------------------------------------------------------------


def child(env: dict, phase: str, *extra: str, timeout: float = 600) -> dict:
    command = [sys.executable, __file__, "--phase", phase, *extra]
    return common.child_json(command, timeout=timeout, failed=f"phase {phase} failed", env=env)


def hasher_rate(env: dict, processes: int, seconds: float) -> dict:
    running = [
        subprocess.Popen(
            [sys.executable, __file__, "--phase", "hasher", "--seconds", str(seconds)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    results = [json.loads(p.communicate(timeout=seconds + 120)[0].strip().splitlines()[-1]) for p in running]
    return {
        "processes": processes,
        "hasher": results[0]["hasher"],
        "hashes_per_s": sum(r["hashes"] / r["seconds"] for r in results),
        "cpu_ms_per_hash": 1000 * sum(r["cpu_seconds"] for r in results) / sum(r["hashes"] for r in results),
    }


def cluster_env(args: argparse.Namespace, workdir: Path, own_url: str, redis_port: int, sms_url: str) -> dict:
    private = workdir / "private"
    private.mkdir(mode=0o700)
    env = common.production_env(
        database_url=own_url,
        redis_url=f"redis://127.0.0.1:{redis_port}/0",
        workdir=workdir,
        PRAKERJA_DOTENV="",
        DJANGO_SETTINGS_MODULE="prakerja.settings",
        TRUSTED_PROXY_COUNT="2",
        PRIVATE_MEDIA_ROOT=str(private),
        EMAIL_BACKEND="benchmarks.cluster_mail.CountingEmailBackend",
        BENCH_MAIL_FILE=str(workdir / "mail.jsonl"),
        SMS_BACKEND="notifications.sms.HttpBackend",
        SMS_HTTP_URL=sms_url,
        SMS_HTTP_TOKEN="bench",  # noqa: S106 - the rehearsal's own SMS gateway, in this process
        OUTBOX_SWEEP_SECONDS="5",
        OUTBOX_LEASE_SECONDS="15",
        OUTBOX_RETRY_BASE_SECONDS="5",
    )
    env.pop("RATELIMIT_ENABLE", None)
    return env


def redis_command(port: int) -> list[str]:
    return [
        shutil.which("redis-server") or "redis-server",
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
    ]


def main(args: argparse.Namespace) -> None:
    url = common.server_url()
    if port_open(args.redis_port):
        raise SystemExit(f"something already listens on 127.0.0.1:{args.redis_port}; give --redis-port a free port")
    haproxy = haproxy_ensure()
    own_url = common.database_url(args.database, url)
    started_as = common.command_line(DATABASE_URL=url)
    workdir = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    processes = Processes(workdir)
    gateway = SmsGateway()
    env = cluster_env(args, workdir, own_url, args.redis_port, gateway.url)
    applicants = workdir / "applicants.txt"
    probe = load = None
    report: dict = {"benchmark": "cluster"}

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    # Both, explicitly: a shell that starts the script in the background leaves SIGINT ignored.
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    common.database_create(url, args.database)
    try:
        processes.start("redis", redis_command(args.redis_port), env)
        wait_port(args.redis_port, processes, "redis")
        setup = child(env, "setup", "--population", str(args.population), "--applicants-file", str(applicants))
        report["population"] = setup["population"]

        nodes = [common.free_port() for _ in range(args.nodes)]
        for i, port in enumerate(nodes):
            processes.start(
                f"node{i}",
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "python:prakerja.gunicorn",
                    "prakerja.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(args.web_workers),
                    "--backlog",
                    "2048",
                ],
                env,
            )
        front = common.free_port()
        (workdir / "haproxy.cfg").write_text(haproxy_config(front, nodes))
        processes.start("haproxy", [haproxy, "-db", "-f", str(workdir / "haproxy.cfg")], env)
        for queue in QUEUES:
            processes.start(
                f"worker-{queue}",
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "prakerja",
                    "worker",
                    "--queues",
                    queue,
                    *DELIVERY_POOL.get(queue, []),
                    "--concurrency",
                    "1",
                    "--hostname",
                    f"{queue}@cluster",
                    "--loglevel",
                    "WARNING",
                ],
                env,
            )
        processes.start(
            "beat",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "prakerja",
                "beat",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(workdir / "beat-schedule"),
            ],
            env,
        )
        for i, port in enumerate(nodes):
            wait_port(port, processes, f"node{i}")
        wait_port(front, processes, "haproxy")
        time.sleep(3)  # HAProxy marks a node up after two passed checks a second apart

        # 1. The hasher alone, on the idle cluster.
        report["hasher"] = [hasher_rate(env, n, args.hasher_seconds) for n in sorted({1, os.cpu_count() or 1})]

        # 2. The rush at rising concurrency, then sign-ups alone.
        load = Load(args, workdir, front, applicants)
        load.web = [processes.running[f"node{i}"][0].pid for i in range(args.nodes)]
        load.database_url = own_url
        load.run(2, args.warmup_seconds, ["Applicant"])  # every worker imports, connects, compiles templates
        report["rush"] = []
        for users in args.stages:
            stats = load.run(users, args.stage_seconds, ["Applicant"])
            report["rush"].append({"users": users, **{k: v for k, v in stats.items() if k != "names"}})
        signups = load.run(args.stages[-1], args.stage_seconds, ["NewAccount"])
        report["signups"] = {"users": args.stages[-1], **{k: v for k, v in signups.items() if k != "names"}}
        # The hasher again, right after: the machine is shared, so the ratio is taken against both readings.
        report["hasher_after"] = hasher_rate(env, os.cpu_count() or 1, args.hasher_seconds)

        # 3. The rehearsal.
        duration = args.rehearsal_seconds
        kill_node_at, kill_worker_at, redis_down_at = 0.15 * duration, 0.25 * duration, 0.4 * duration
        redis_up_at = redis_down_at + args.redis_down_seconds
        probe = Probe(front, setup["cookie"])
        probe.start()
        process, prefix, run = load.start(args.rehearsal_users, duration, ["Applicant", "NewAccount"])
        started = time.time()
        events: list[tuple[float, str]] = []

        def at(seconds: float) -> None:
            time.sleep(max(0.0, started + seconds - time.time()))

        at(kill_node_at)
        events.append((time.time() - started, "SIGKILL web node0 (gunicorn master and its workers)"))
        processes.kill("node0")
        at(kill_worker_at)
        events.append((time.time() - started, "SIGKILL worker-notifications"))
        processes.kill("worker-notifications")
        at(kill_worker_at + 5)
        processes.restart("worker-notifications")
        events.append((time.time() - started, "worker-notifications started again"))
        at(redis_down_at)
        down = time.time()
        processes.kill("redis", signal.SIGTERM)
        events.append((down - started, "Redis stopped"))
        at(redis_down_at + 2)
        written = child(env, "enqueue", "--applicants-file", str(applicants))
        events.append(
            (
                time.time() - started,
                f"{written['messages']} messages written to the outbox ({written['seconds']:.1f} s)",
            )
        )
        at(redis_up_at)
        processes.restart("redis")
        wait_port(args.redis_port, processes, "redis")
        up = time.time()
        events.append((up - started, "Redis started again (empty)"))
        rehearsal = load.finish(process, prefix, run, duration)
        ended = time.time()
        report["rehearsal"] = {
            "users": args.rehearsal_users,
            "seconds": duration,
            **{k: v for k, v in rehearsal.items() if k != "names"},
            "events": [f"{t:5.1f} s {what}" for t, what in events],
            "probe_before_faults": probe.between(0, started + kill_node_at),
            "probe_redis_down": probe.between(down, up),
            "probe_after": probe.between(up, ended),
        }
        window = [
            o for o in read_outcomes(load.outcomes) if o.get("run") == run and down <= o["at"] < up and "status" in o
        ]
        report["rehearsal"]["outcomes_redis_down"] = dict(
            Counter(f"{o['kind']} {o['status']}{' limited' if o.get('limited') else ''}" for o in window)
        )

        # 4. Drain, then the checks of "once".
        deadline = time.monotonic() + args.drain_seconds
        while True:
            outbox = child(env, "outbox")
            left = sum(1 for _key, status in outbox["messages"] if status in ("pending", "sending"))
            if not left or time.monotonic() > deadline:
                break
            time.sleep(3)
        report["drain_seconds"] = round(time.time() - ended, 1)
        mail = (
            [json.loads(line)["key"] for line in (workdir / "mail.jsonl").read_text().splitlines()]
            if (workdir / "mail.jsonl").exists()
            else []
        )
        report["joins"] = joins_check(read_outcomes(load.outcomes), outbox["enrollments"])
        report["deliveries"] = deliveries_check([tuple(m) for m in outbox["messages"]], mail + list(gateway.keys))
        report["node_alive_after"] = {
            name: processes.running[name][0].poll() is None for name in processes.running if name != "redis"
        }
    finally:
        if load is not None:
            load.stop()
        if probe is not None:
            probe.stop()
        processes.stop_all()
        gateway.stop()
        if not args.keep_database:
            common.database_drop(url, args.database)
        if args.keep_workdir:
            print(f"  workdir kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print_report(report, setup, started_as, args)
    print(json.dumps(report))


def print_report(report: dict, setup: dict, started_as: str, args: argparse.Namespace) -> None:
    print(
        f"Wave-opening rush on a cluster — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, PostgreSQL "
        f"{setup['server_version']}, {os.cpu_count()} CPUs"
    )
    print(f"  command: {started_as}")
    print(
        f"  {args.nodes} web nodes x {args.web_workers} gunicorn workers behind HAProxy; one Celery worker per queue "
        f"({', '.join(QUEUES)}) and beat; Redis on 127.0.0.1:{args.redis_port}"
    )
    print(f"  population: {setup['population']:,} ready applicants built in {setup['population_seconds']:.1f} s")
    for h in report["hasher"]:
        print(
            f"  hasher alone ({h['hasher']}), {h['processes']} process(es): {h['hashes_per_s']:.1f} hashes/s, "
            f"{h['cpu_ms_per_hash']:.0f} ms of CPU per hash"
        )
    print(
        f"  {'users':>5} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'requests':>9} {'errors':>7} {'joins/s':>8} "
        f"{'web CPU/join':>13} {'db CPU/join':>12}"
    )
    for s in report["rush"]:
        print(
            f"  {s['users']:>5} {s['rps']:7.1f} {s['p50_ms'] or 0:5.0f}ms {s['p95_ms'] or 0:5.0f}ms "
            f"{s['p99_ms'] or 0:5.0f}ms {s['requests']:9,} {s['failures']:7} {s['joins_per_s']:8.2f} "
            f"{s['web_cpu_ms_per_op'] or 0:11.0f}ms {s['db_cpu_ms_per_op'] or 0:10.0f}ms"
        )
    h = report["hasher_after"]
    print(
        f"  hasher alone again after the rush, {h['processes']} process(es): {h['hashes_per_s']:.1f} hashes/s, "
        f"{h['cpu_ms_per_hash']:.0f} ms of CPU per hash"
    )
    s = report["signups"]
    print(
        f"  sign-ups alone, {s['users']} users: {s['signups_per_s']:.2f} sign-ups/s, {s['rps']:.1f} req/s, "
        f"p50 {s['p50_ms'] or 0:.0f} ms, p95 {s['p95_ms'] or 0:.0f} ms, {s['failures']} errors; CPU per sign-up: "
        f"web {s['web_cpu_ms_per_op'] or 0:.0f} ms, database {s['db_cpu_ms_per_op'] or 0:.0f} ms"
    )
    r = report["rehearsal"]
    print(
        f"  rehearsal, {r['users']} users, {r['seconds']:g} s: {r['rps']:.1f} req/s, {r['joins']} joins, "
        f"{r['signups']} sign-ups, {r['failures']} errors of {r['requests']:,} requests, "
        f"{r['refused_by_limits']} refused by the limits"
    )
    for event in r["events"]:
        print(f"    {event}")
    print(f"    probe before the faults: {r['probe_before_faults']}")
    print(f"    probe while Redis was down: {r['probe_redis_down']}")
    print(f"    probe after: {r['probe_after']}")
    print(f"    outcomes while Redis was down: {r['outcomes_redis_down']}")
    print(f"    outbox drained {report['drain_seconds']} s after the load")
    print(f"  joins: {report['joins']}")
    print(f"  deliveries: {report['deliveries']}")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ci", action="store_true", help="a few seconds, a small population")
    parser.add_argument("--database", default="prakerja_bench_cluster")
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--population", type=int, default=3000)
    parser.add_argument("--stages", default="2,4,8,16", help="locust users per rush stage")
    parser.add_argument("--stage-seconds", type=float, default=12)
    parser.add_argument("--warmup-seconds", type=float, default=4)
    parser.add_argument("--hasher-seconds", type=float, default=5)
    parser.add_argument("--rehearsal-users", type=int, default=8)
    parser.add_argument("--rehearsal-seconds", type=float, default=60)
    parser.add_argument("--redis-down-seconds", type=float, default=30)
    parser.add_argument("--drain-seconds", type=float, default=90)
    parser.add_argument("--locust", help="the locust executable (default: .venv/bin/locust, $LOCUST or PATH)")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--keep-workdir", action="store_true")
    parser.add_argument("--phase", choices=["setup", "hasher", "outbox", "enqueue"], help=argparse.SUPPRESS)
    parser.add_argument("--applicants-file", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ci:
        args.population, args.stages, args.stage_seconds, args.warmup_seconds = 60, "2", 4, 2
        args.hasher_seconds, args.rehearsal_users, args.rehearsal_seconds = 1, 2, 16
        args.redis_down_seconds, args.drain_seconds = 4, 60
    args.stages = [int(n) for n in str(args.stages).split(",")]
    return args


if __name__ == "__main__":
    arguments = parse()
    if arguments.phase:
        phases = {
            "setup": phase_setup,
            "hasher": phase_hasher,
            "outbox": phase_outbox,
            "enqueue": phase_enqueue,
        }
        print(json.dumps(phases[arguments.phase](arguments)))
    else:
        main(arguments)
