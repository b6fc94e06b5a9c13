"""Benchmark: the applicant dashboard under gunicorn, against floors served by the same server (DESIGN §10).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python benchmarks/dashboard_throughput.py [--duration 15] [--connections 32] [--rounds 2]

Production-like: DEBUG off, PostgreSQL (a database of its own, ``prakerja_bench_dashboard``, created,
migrated and dropped by the run), Redis as cache (the database REDIS_URL names, which must be empty; flushed at
the end), static files collected into a temporary STATIC_ROOT, secrets and keys from the environment,
``gunicorn prakerja.wsgi --workers 4`` as in the Procfile (sync workers), bound to 127.0.0.1 on a free port.
The settings are the portal's own, read through benchmarks/bench_settings.py only so that the URLconf
benchmarks/dashboard_urls.py can add the two floors to the portal's URLs:

- floor: ``/bench/floor/``, a minimal logged-in page (database session, the project's middleware, 5 queries,
  a small template with a CSRF token);
- bare: ``/bench/bare/``, a bare ``HttpResponse`` through the same middleware.

The dashboard is measured for applicants at five points of the journey (issue #18), each from ``manage.py
seed_demo --force`` (``STATES``): new (email verified, at the KTP step), mid-journey (phone verified, at the
declaration), waiting (joined the open wave), selected (the card shown) and not selected (a lost wave, step 8
again); the floor as ``pendaftar.lolostes@prakerja.example``. Each connection reloads its applicant's dashboard, as
applicants do, so the load is served from the page kept for their rows (journey/page_cache.py); what a reload costs
after a change (the page rendered again) is measured in process beside it, with ``?rendered``, which is never kept. The dashboard's figures in the last line are
its worst state's (lowest throughput ÷ floor, highest p99), every state's beside them. Each of the 32
connections has a logged-in session of its own (``Client.force_login``, i.e. what a login leaves in the session table) and a
CSRF cookie, as a browser would send them. Queries per request are counted once in process, by an execute
wrapper on the connection.

The load generator is Python (asyncio, one process, ``Connection: close`` since gunicorn's sync workers do not
keep connections alive), so on 2 cores it takes CPU from the server: it is the same for every target, and
the bare view's figure is as much the generator's ceiling as the server's. Targets alternate after a warm-up
(bare; the floor then each state; each state in reverse then the floor; …; bare), so drift hits all of them
alike.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script, benchmarks/ is sys.path[0]
from benchmarks import common

ROOT = common.ROOT
DATABASE = "prakerja_bench_dashboard"
# The floor's applicant (the floor is the same minimal page whoever asks), and the dashboard's, one per point of
# the journey (issue #18), all from ``seed_demo``.
APPLICANT = "pendaftar.lolostes@prakerja.example"
STATES = {
    "new": "pendaftar.terverifikasi@prakerja.example",  # email verified, next: KTP (step 2)
    "mid_journey": "pendaftar.hp@prakerja.example",  # phone verified, next: the declaration (step 6)
    "waiting": "pendaftar.gabung@prakerja.example",  # joined the open wave, waiting for its result
    "selected": "pendaftar.lolos@prakerja.example",  # selected in an announced wave: the card
    "not_selected": "pendaftar.belumlolos@prakerja.example",  # not selected in an announced wave: step 8 again
}
PATHS = {"bare": "/bench/bare/", "floor": "/bench/floor/", **{f"dashboard:{state}": "/dashboard/" for state in STATES}}
DASHBOARDS = [name for name in PATHS if name.startswith("dashboard:")]
SETUP_TIMEOUT_SECONDS = 600


# --- Set-up, in a child process with the server's settings -------------------------------------------------


def phase_setup(args: argparse.Namespace) -> dict:
    common.django_setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    from accounts.models import User

    call_command("migrate", verbosity=0, skip_checks=True)
    with open(os.devnull, "w") as devnull:
        call_command("collectstatic", "--noinput", verbosity=0, stdout=devnull)
        call_command("seed_demo", "--force", verbosity=0, stdout=devnull)

    def sessions_of(email: str) -> list[str]:
        user = User.objects.get(email=email)
        cookies = []
        for _ in range(args.connections):
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            cookies.append(
                f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={_get_new_csrf_string()}"
            )
        return cookies

    floor_cookies = sessions_of(APPLICANT)
    cookies = {"bare": floor_cookies, "floor": floor_cookies}
    cookies |= {f"dashboard:{state}": sessions_of(email) for state, email in STATES.items()}

    def measure(client: Client, path: str) -> tuple:
        """The response of one request with the statements it ran, then the mean of ``--inprocess-requests``."""
        statements = []

        def counted(execute, sql, params, many, context):
            statements.append(sql[:160])
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = client.get(path, HTTP_HOST="127.0.0.1")
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code} in process")
        started = time.perf_counter()
        for _ in range(args.inprocess_requests):
            client.get(path, HTTP_HOST="127.0.0.1")
        return response, statements, (time.perf_counter() - started) / args.inprocess_requests * 1000

    measured = {}
    for name, path in PATHS.items():
        client = Client(headers={"cookie": cookies[name][0]})
        client.get(path, HTTP_HOST="127.0.0.1")  # first request: templates, translations, connection, caches
        response, sql, inprocess_ms = measure(client, path)
        measured[name] = {"inprocess_ms": inprocess_ms, "queries": len(sql), "sql": sql, "bytes": len(response.content)}
        if name in DASHBOARDS:
            # What a reload costs when the applicant's rows changed since the page was kept: rendered, not kept (a
            # query string, journey/page_cache.py). A real miss also runs the digest's one statement (~0.35 ms).
            _response, rendered, rendered_ms = measure(client, f"{path}?rendered")
            measured[name] |= {"rendered_ms": rendered_ms, "rendered_queries": len(rendered)}
    steps_done = {}
    for name in DASHBOARDS:
        client = Client(headers={"cookie": cookies[name][0]})
        steps_done[name] = client.get("/dashboard/", HTTP_HOST="127.0.0.1").content.decode().count('data-state="done"')
    return {
        "cookies": cookies,
        "measured": measured,
        "steps_done": steps_done,
        "server_version": connection.cursor().connection.info.parameter_status("server_version"),
    }


# --- The load generator, in a child process ----------------------------------------------------------------


async def _one_request(host: str, port: int, request: bytes) -> tuple[int, int]:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        data = await reader.read()  # Connection: close, so EOF ends the response
    finally:
        writer.close()
    status = int(data[9:12]) if data.startswith(b"HTTP/1.") else 0
    return status, len(data)


async def _load(host: str, port: int, path: str, cookies: list[str], connections: int, duration: float) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    stop = time.perf_counter() + duration

    async def connection_loop(cookie: str) -> None:
        nonlocal errors
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: prakerja-bench\r\n"
            f"Accept: text/html\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
        ).encode()
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                status, _size = await _one_request(host, port, request)
            except OSError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(connection_loop(cookies[i % len(cookies)]) for i in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    ok = statuses.get(200, 0)
    return {
        "requests": len(latencies),
        "ok": ok,
        "statuses": statuses,
        "errors": errors,
        "seconds": elapsed,
        "rps": ok / elapsed,
        "median_ms": statistics.median(latencies) * 1000 if latencies else None,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else None,
        "p99_ms": latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000 if latencies else None,
    }


def phase_load(args: argparse.Namespace) -> dict:
    cookies = json.loads(Path(args.cookies_file).read_text())
    return asyncio.run(_load("127.0.0.1", args.port, args.path, cookies, args.connections, args.duration))


# --- The parent --------------------------------------------------------------------------------------------


def child(args: argparse.Namespace, env: dict, *extra: str, timeout: float) -> dict:
    command = [
        sys.executable,
        __file__,
        *extra,
        "--connections",
        str(args.connections),
        "--inprocess-requests",
        str(args.inprocess_requests),
    ]
    return common.child_json(command, timeout=timeout, failed=f"child {extra[:2]} failed", env=env)


def wait_for_server(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped:\n" + log.read_text()[-3000:])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start:\n" + log.read_text()[-3000:])


def main(args: argparse.Namespace) -> None:
    url = common.server_url()
    redis_url = common.empty_redis_url("redis://127.0.0.1:6379/13")
    database = args.database
    started_as = common.command_line(DATABASE_URL=url, REDIS_URL=redis_url)
    workdir = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    env = common.production_env(
        database_url=common.database_url(database, url),
        redis_url=redis_url,
        workdir=workdir,
        DJANGO_SETTINGS_MODULE="benchmarks.bench_settings",
        BENCH_BASE_SETTINGS="prakerja.settings",
        BENCH_ROOT_URLCONF="benchmarks.dashboard_urls",
        # Production refuses development backends (prakerja/checks.py); no page measured here sends anything, so
        # real backends pointed at nothing listening.
        SMS_BACKEND="notifications.sms.HttpBackend",
        SMS_HTTP_URL="http://127.0.0.1:9/",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
    )

    common.database_create(url, database)
    gunicorn = None
    rounds: list[tuple[str, dict]] = []
    try:
        setup = child(args, env, "--phase", "setup", timeout=SETUP_TIMEOUT_SECONDS)
        cookies_files = {}
        for i, (name, cookies) in enumerate(setup["cookies"].items()):
            cookies_files[name] = workdir / f"cookies-{i}.json"
            cookies_files[name].write_text(json.dumps(cookies))

        port = common.free_port()
        gunicorn_command = [
            sys.executable,
            "-m",
            "gunicorn",
            "prakerja.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--backlog",
            "2048",
        ]
        log = workdir / "gunicorn.log"
        with log.open("w") as log_file:
            gunicorn = subprocess.Popen(gunicorn_command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        wait_for_server(port, gunicorn, log)

        def load(name: str, duration: float) -> dict:
            return child(
                args,
                env,
                "--phase",
                "load",
                "--port",
                str(port),
                "--path",
                PATHS[name],
                "--cookies-file",
                str(cookies_files[name]),
                "--duration",
                str(duration),
                timeout=duration + 120,
            )

        for name in PATHS:  # warm-up: every worker imports, compiles templates, connects
            load(name, args.warmup)
        # Each round the floor, then every state; every other round reversed, so drift falls alike on the floor
        # and on each state (the floor is measured once per round, not beside each state: rounds stay short).
        order = ["bare"]
        for i in range(args.rounds):
            one = ["floor", *DASHBOARDS]
            order += one if i % 2 == 0 else one[::-1]
        order += ["bare"]
        rounds.extend((name, load(name, args.duration)) for name in order)
        if empty := [(name, result["errors"]) for name, result in rounds if not result["requests"]]:
            raise SystemExit(
                f"no request completed within a round of {args.duration:g} s (target, connection errors): {empty}\n"
                + log.read_text()[-3000:]
            )
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            gunicorn.terminate()
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        if not args.keep_database:
            common.database_drop(url, database)
        common.redis_call(redis_url, "FLUSHDB")
        shutil.rmtree(workdir, ignore_errors=True)

    measured = setup["measured"]
    print(
        f"Applicant dashboard — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, PostgreSQL "
        f"{setup['server_version']}, Redis {common.redis_call(redis_url, 'INFO', 'server')['redis_version']}, "
        f"{os.cpu_count()} CPUs"
    )
    print(f"  command: {started_as}")
    print(f"  server:  {shlex.join(gunicorn_command)}")
    print(
        f"  {args.connections} connections, {args.duration:g} s per round, {args.warmup:g} s warm-up per target; "
        f"floor as {APPLICANT}"
    )
    for name in DASHBOARDS:
        state = name.split(":", 1)[1]
        print(f"    {name:<23} {STATES[state]} ({setup['steps_done'][name]} steps done)")
    print(
        f"  {'round':<5} {'target':<23} {'path':<14} {'req/s':>8} {'median':>9} {'p95':>9} {'p99':>9} "
        f"{'requests':>9} {'non-200':>8} {'errors':>7}"
    )
    for i, (name, result) in enumerate(rounds, 1):
        bad = result["requests"] - result["ok"]
        print(
            f"  {i:<5} {name:<23} {PATHS[name]:<14} {result['rps']:8.0f} {result['median_ms']:7.1f}ms "
            f"{result['p95_ms']:7.1f}ms {result['p99_ms']:7.1f}ms {result['requests']:9,} {bad:8} {result['errors']:7}"
        )
    summary = {}
    for name in PATHS:
        mine = [result for n, result in rounds if n == name]
        summary[name] = {
            "rps": sum(r["ok"] for r in mine) / sum(r["seconds"] for r in mine),
            "median_ms": statistics.median(r["median_ms"] for r in mine),
            "p95_ms": max(r["p95_ms"] for r in mine),
            "p99_ms": max(r["p99_ms"] for r in mine),
        }
    floor_rps = summary["floor"]["rps"]
    print(
        f"  {'all rounds':<23} {'req/s':>8} {'÷ floor':>8} {'median':>9} {'p95 (worst)':>12} {'p99 (worst)':>12} "
        f"{'queries':>8} {'bytes':>7} {'in process, one at a time':>27} {'rendered, not kept':>22}"
    )
    for name in PATHS:
        s, m = summary[name], measured[name]
        rendered = f"{m['rendered_ms']:11.2f} ms ({m['rendered_queries']} q)" if "rendered_ms" in m else ""
        print(
            f"  {name:<23} {s['rps']:8.0f} {s['rps'] / floor_rps:8.2f} {s['median_ms']:7.1f}ms {s['p95_ms']:10.1f}ms "
            f"{s['p99_ms']:10.1f}ms {m['queries']:8} {m['bytes']:7,} {m['inprocess_ms']:22.2f} ms {rendered:>22}"
        )
    # The dashboard's figure is its worst state's: the slowest ratio, and the worst p99 of any state.
    worst = min(DASHBOARDS, key=lambda name: summary[name]["rps"])
    ratio = summary[worst]["rps"] / floor_rps
    p99 = max(summary[name]["p99_ms"] for name in DASHBOARDS)
    print(
        f"  dashboard / floor, worst state ({worst}): {ratio:.2f}; floor / bare: {floor_rps / summary['bare']['rps']:.2f}"
    )
    print(
        f"  target (DESIGN §10, issue #18): every state's throughput >= floor: {'met' if ratio >= 1 else 'NOT met'}; "
        f"p99 < 150 ms at {args.connections} connections: {'met' if p99 < 150 else 'NOT met'} ({p99:.0f} ms)"
    )
    for name in DASHBOARDS:
        print(f"  queries per request, {name}:")
        for sql in measured[name]["sql"]:
            print(f"    {sql}")
    # The last line, for scripts and the test suite (CONTRIBUTING.md, "Benchmarks").
    print(
        json.dumps(
            {
                "benchmark": "dashboard",
                "ratio": round(ratio, 3),
                "p99_ms": round(p99, 1),
                "worst_state": worst.split(":", 1)[1],
                "rps": round(summary[worst]["rps"], 1),
                "floor_rps": round(floor_rps, 1),
                "floor_inprocess_ms": round(measured["floor"]["inprocess_ms"], 2),
                "queries": max(measured[name]["queries"] for name in DASHBOARDS),
                "states": {
                    name.split(":", 1)[1]: {
                        "ratio": round(summary[name]["rps"] / floor_rps, 3),
                        "p99_ms": round(summary[name]["p99_ms"], 1),
                        "queries": measured[name]["queries"],
                        "inprocess_ms": round(measured[name]["inprocess_ms"], 2),
                        "rendered_ms": round(measured[name]["rendered_ms"], 2),
                        "rendered_queries": measured[name]["rendered_queries"],
                    }
                    for name in DASHBOARDS
                },
            }
        )
    )


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per round (default 15)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up per target (default 3)")
    parser.add_argument("--rounds", type=int, default=2, help="floor/dashboard pairs (default 2)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4, as in the Procfile)")
    parser.add_argument(
        "--inprocess-requests",
        type=int,
        default=200,
        help="requests per target timed in process with the test client (default 200)",
    )
    parser.add_argument("--keep-database", action="store_true", help="leave the benchmark's database behind")
    parser.add_argument("--database", default=DATABASE, help=f"the benchmark's own database (default {DATABASE})")
    parser.add_argument("--phase", choices=["setup", "load"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--cookies-file", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse()
    if arguments.phase == "setup":
        print(json.dumps(phase_setup(arguments)))
    elif arguments.phase == "load":
        print(json.dumps(phase_load(arguments)))
    else:
        main(arguments)
