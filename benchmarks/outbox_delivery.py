"""Benchmark: outbox delivery to a null SMS backend, against floors measured in the same run (DESIGN §10).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python benchmarks/outbox_delivery.py [--messages 100000] [--single-messages 5000]

Works in a database of its own (``prakerja_bench_outbox`` on the server DATABASE_URL names, created and
migrated at the start, dropped at the end) and in the Redis database REDIS_URL names, which must be empty
(it is flushed at the end). Settings: ``prakerja.settings_test`` (DEBUG off, so Django keeps no query log)
through ``benchmarks/bench_settings.py``, with ``SMS_BACKEND`` set to ``NullSmsBackend`` below, which only
counts what it is given and remembers the
idempotency keys, so that exactly-once can be checked. Each phase runs in a child process of its own, so each
peak RSS is that phase's own. Every phase starts from N freshly bulk-created pending SMS rows (ANALYZEd, not
timed):

1. sweep: ``notifications.services.outbox_sweep()`` in the child process, batches of OUTBOX_BATCH_SIZE;
2. worker, 100 ids per message: a real ``celery -A prakerja worker --pool threads --concurrency 1 --queues
   notifications`` on Redis (the pool of docs/DEPLOY.md's delivery workers; ``--pool`` to try another, and
   ``--concurrency 4`` for the Procfile's delivery worker, whose threads overlap one batch's database work with
   another's Python); the clock runs from the first ``message_deliver_task`` published until the last row is sent;
3. worker, sweep: the same worker draining the N rows by ``outbox_sweep_task``, one published per pool thread, as
   beat publishes it: the path an announcement's messages take (nothing publishes a task per batch of them);
4. worker, 1 id per message, the same for a smaller M (it is slow);
5. floors:
   - SQL: one statement per batch of 100 that takes due rows (``FOR UPDATE SKIP LOCKED``) and marks them
     sent, ``RETURNING`` what the backend needs, then the null backend's ``send`` for each: the least
     database work a batched delivery can do (no lease, so not crash-safe);
   - Celery: a task that does nothing, M messages on the same worker, published before it starts (one
     publishing process is slower than the worker), timed from the first task to the last: the broker and
     worker ceiling for one message per notification.

Beside the clock, the CPU each spent per 100 messages, in its own process(es) and in its PostgreSQL backend(s)
(Linux's /proc, so the server must be on this machine): the worker with 100 ids per message against the SQL floor,
the figure a shared machine disturbs least. Exactly once: after each delivery phase the null backend has been
called exactly N times with N distinct keys, and every row is ``sent`` with ``attempts == 1`` (claimed once).
Every phase has a time limit.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from celery import shared_task
from celery.signals import worker_process_shutdown, worker_shutdown

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script, benchmarks/ is sys.path[0]
from benchmarks import common
from notifications.sms import BaseBackend

ROOT = common.ROOT
DATABASE = "prakerja_bench_outbox"
PHASE_TIMEOUT_SECONDS = 600
WORKER_READY_TIMEOUT_SECONDS = 60
NULL_BACKEND = "benchmarks.outbox_delivery.NullSmsBackend"
BODY = (
    "Kartu Prakerja: Selamat! Anda lolos seleksi Gelombang 1. Nomor Kartu Prakerja Anda ada di dasbor "
    "https://prakerja.example/dashboard/ . Jangan berikan kode apa pun kepada siapa pun."
)


# --- The null backend and the floor task (imported by the worker too: keep this part light) ---------------

_sms_stats = {"sends": 0, "keys": set()}


# A subclass, so the backend is used exactly as a real one; BaseBackend reads settings only when used.
class NullSmsBackend(BaseBackend):
    """Sends nothing: counts each call and keeps its key (a set add), to check exactly-once afterwards."""

    def send(self, *, recipient: str, body: str, idempotency_key: str) -> None:
        _sms_stats["sends"] += 1
        _sms_stats["keys"].add(idempotency_key)


def sms_stats() -> dict:
    return {"sends": _sms_stats["sends"], "distinct_keys": len(_sms_stats["keys"])}


@worker_process_shutdown.connect
@worker_shutdown.connect
def _sms_stats_write(sender=None, **kwargs) -> None:
    # In the process that did the sends (a prefork pool's child; the worker itself with threads or solo, where
    # the prefork parent, which sent nothing, must not overwrite its child's figures): the parent reads them after
    # a warm shutdown.
    path = os.environ.get("BENCH_SMS_STATS")
    if path and (_sms_stats["sends"] or not Path(path).exists()):
        Path(path).write_text(json.dumps(sms_stats()))


@shared_task(name="benchmarks.outbox_delivery.noop_task")
def noop_task(ids: list[int]) -> int:
    """The Celery floor: a task that does nothing but tell when the first and the last one ran."""
    if ids and ids[0] == 0:
        Path(os.environ["BENCH_NOOP_DONE"] + ".start").write_text(str(time.time()))
    if ids and ids[0] < 0:
        Path(os.environ["BENCH_NOOP_DONE"]).write_text(str(time.time()))
    return 0


# --- The child processes ----------------------------------------------------------------------------------


def messages_insert(count: int, *, tag: str) -> list[int]:
    """``count`` pending SMS rows of one announcement, due now, with unique keys; ANALYZEd. Returns their ids.

    As ``messages_enqueue_bulk`` writes them: the text once, in a shared body; each row its encrypted number."""
    from django.db import connection
    from django.utils import timezone as dj_timezone

    from notifications.models import Channel, Message, SharedBody

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_message, notifications_sharedbody RESTART IDENTITY")
    now = dj_timezone.now()
    shared = SharedBody.objects.create(body=BODY, created_at=now)
    rows = (
        Message(
            channel=Channel.SMS,
            recipient=f"+62812{i:08d}",
            template="bench_result",
            shared_body=shared,
            idempotency_key=f"bench:{tag}:{i}",
            next_attempt_at=now,
            created_at=now,
        )
        for i in range(count)
    )
    batch: list = []
    for message in rows:
        batch.append(message)
        if len(batch) == 5000:
            Message.objects.bulk_create(batch)
            batch = []
    if batch:
        Message.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notifications_message")
    return list(Message.objects.order_by("pk").values_list("pk", flat=True))


def outbox_check(count: int, stats: dict) -> dict:
    """Exactly once, as the database and the backend saw it."""
    from django.db.models import Count, Max, Min

    from notifications.models import Message, Status

    by_status = dict(Message.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    attempts = Message.objects.aggregate(low=Min("attempts"), high=Max("attempts"))
    ok = (
        by_status == {Status.SENT: count}
        and attempts == {"low": 1, "high": 1}
        and stats["sends"] == count
        and stats["distinct_keys"] == count
    )
    return {"rows_by_status": by_status, "attempts": attempts, "backend": stats, "exactly_once": ok}


def backends_cpu(*, others: bool) -> dict[int, float]:
    """CPU seconds of this database's client backends on this machine: this connection's own, or (``others``)
    every other one's (a worker's). Autovacuum and the like are left out, for the floor and the worker alike."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' "
            f"AND pid {'<>' if others else '='} pg_backend_pid()"
        )
        return common.cpu_times(pid for (pid,) in cursor.fetchall())


def phase_migrate(args: argparse.Namespace) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    return {}


def phase_sweep(args: argparse.Namespace) -> dict:
    from django.conf import settings

    from notifications.services import outbox_sweep

    count = args.messages
    t = time.perf_counter()
    messages_insert(count, tag="sweep")
    insert_seconds = time.perf_counter() - t
    started = time.perf_counter()
    report = outbox_sweep()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "insert_seconds": insert_seconds,
        "batch_size": settings.OUTBOX_BATCH_SIZE,
        "report_sent": report.sent,
        "check": outbox_check(count, sms_stats()),
        "peak_rss_mb": common.peak_rss_mb(),
    }


def phase_floor_sql(args: argparse.Namespace) -> dict:
    from django.db import connection

    from notifications.sms import get_sms_backend

    count = args.messages
    messages_insert(count, tag="floor")
    backend = get_sms_backend()
    sql = """
        UPDATE notifications_message SET status = 'sent', attempts = attempts + 1, sent_at = now()
        WHERE id IN (
            SELECT id FROM notifications_message WHERE status = 'pending' AND next_attempt_at <= now()
            ORDER BY next_attempt_at LIMIT %s FOR UPDATE SKIP LOCKED
        )
        RETURNING recipient, body, idempotency_key
    """
    database_cpu = backends_cpu(others=False)
    cpu = time.process_time()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [100])
            rows = cursor.fetchall()
            for recipient, body, key in rows:
                backend.send(recipient=recipient, body=body, idempotency_key=key)
            if len(rows) < 100:
                break
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    database_cpu = common.cpu_spent(database_cpu, backends_cpu(others=False))
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "database_cpu_seconds": database_cpu,
        "check": outbox_check(count, sms_stats()),
        "peak_rss_mb": common.peak_rss_mb(),
    }


class Worker:
    """``celery -A prakerja worker --pool POOL --concurrency N --queues notifications``, started and stopped by us."""

    def __init__(self, workdir: Path, loglevel: str, pool: str, concurrency: int = 1) -> None:
        self.log = workdir / "worker.log"
        self.stats = workdir / "sms-stats.json"
        self.noop_done = workdir / "noop-done"
        for path in (self.stats, self.noop_done, Path(str(self.noop_done) + ".start")):
            path.unlink(missing_ok=True)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "BENCH_SMS_STATS": str(self.stats),
            "BENCH_NOOP_DONE": str(self.noop_done),
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "prakerja",
            "worker",
            "--pool",
            pool,
            "--concurrency",
            str(concurrency),
            "--queues",
            "notifications",
            "--include",
            "benchmarks.outbox_delivery",
            "--hostname",
            f"bench-outbox-{os.getpid()}@%h",
            "--loglevel",
            loglevel,
        ]
        self.command = shlex.join(command)
        self.log_file = self.log.open("w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + WORKER_READY_TIMEOUT_SECONDS
        while " ready." not in self.log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit("the Celery worker did not start:\n" + self.log.read_text()[-3000:])
            time.sleep(0.1)

    def peak_rss_mb(self) -> dict:
        """VmHWM of the worker's main process and of its pool process(es), read before it stops."""
        peaks = {}
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks["main" if pid == self.process.pid else f"pool-{pid}"] = int(line.split()[1]) / 1024
            except FileNotFoundError:
                pass
        return peaks

    def cpu_seconds(self) -> float:
        """CPU seconds of the worker's processes so far: its main process and its pool's children, if any."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = [self.process.pid] + ([int(pid) for pid in children.read_text().split()] if children.exists() else [])
        return sum(common.cpu_times(pids).values())

    def task_seconds(self) -> float | None:
        """The sum of the tasks' own run times, as the worker logs them at INFO ("succeeded in 0.01s")."""
        times = re.findall(r"succeeded in ([0-9.e-]+)s", self.log.read_text())
        return sum(map(float, times)) if times else None

    def wait_until_delivered(self) -> None:
        """Return once no outbox row is pending or being sent; fail if the worker dies or the phase runs out of time."""
        from notifications.models import Message, Status

        deadline = time.monotonic() + PHASE_TIMEOUT_SECONDS - 60
        # Two look-ups, each answered by one of the outbox's partial indexes, so polling stays cheap.
        while (
            Message.objects.filter(status=Status.PENDING).exists()
            or Message.objects.filter(status=Status.SENDING).exists()
        ):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit("the worker did not deliver everything in time:\n" + self.log.read_text()[-3000:])
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown: the pool process writes its figures
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


def worker_delivers(args: argparse.Namespace, count: int, publish: Callable[[], object]) -> dict:
    """Start a worker, give it the work (``publish``), wait until none of the ``count`` rows is left, stop it: the
    time, what it cost and whether each message went out exactly once."""
    worker = Worker(Path(args.workdir), args.worker_loglevel, args.pool, args.concurrency)
    try:
        # CPU from here to the end, as for the floor: the worker's processes and its database connections (which
        # it opens with its first task, so a backend not seen now counts whole).
        cpu, database_cpu = worker.cpu_seconds(), backends_cpu(others=True)
        started = time.perf_counter()
        publish()
        enqueue_seconds = time.perf_counter() - started
        worker.wait_until_delivered()
        seconds = time.perf_counter() - started
        cpu = worker.cpu_seconds() - cpu
        database_cpu = common.cpu_spent(database_cpu, backends_cpu(others=True))
        worker_rss = worker.peak_rss_mb()
    finally:
        worker.stop()
    stats = json.loads(worker.stats.read_text()) if worker.stats.exists() else {"sends": None, "distinct_keys": None}
    return {
        "seconds": seconds,
        "enqueue_seconds": enqueue_seconds,
        "task_seconds": worker.task_seconds(),
        "cpu_seconds": cpu,
        "database_cpu_seconds": database_cpu,
        "check": outbox_check(count, stats),
        "peak_rss_mb": common.peak_rss_mb(),
        "worker_peak_rss_mb": worker_rss,
        "worker_command": worker.command,
    }


def phase_worker(args: argparse.Namespace) -> dict:
    from notifications.tasks import message_deliver_task

    count, per_message = args.count, args.per_message
    ids = messages_insert(count, tag=f"worker{per_message}")
    chunks = [ids[i : i + per_message] for i in range(0, len(ids), per_message)]

    def publish() -> None:
        for chunk in chunks:
            message_deliver_task.apply_async(args=[chunk])

    return {**worker_delivers(args, count, publish), "celery_messages": len(chunks)}


def phase_worker_sweep(args: argparse.Namespace) -> dict:
    """The path an announcement's messages take in production: nothing publishes a task per batch; beat publishes
    ``outbox_sweep_task`` (every OUTBOX_SWEEP_SECONDS) and one task claims and delivers batches of OUTBOX_BATCH_SIZE
    until none are due. Here one such task per pool thread (what beat publishes over the first minutes of a
    draining announcement), published once the rows are in; the clock runs from the publishing to the last row
    sent."""
    from notifications.tasks import outbox_sweep_task

    messages_insert(args.count, tag="worker-sweep")

    def publish() -> None:
        for _thread in range(args.concurrency):
            outbox_sweep_task.apply_async()

    return {**worker_delivers(args, args.count, publish), "celery_messages": args.concurrency}


def phase_worker_noop(args: argparse.Namespace) -> dict:
    # All messages are published before the worker starts (publishing one at a time from one process is
    # slower than an idle worker consumes them); the clock runs from the first task to the last.
    count = args.count
    started = time.perf_counter()
    for i in range(count - 1):
        noop_task.apply_async(args=[[i]], queue="notifications")
    noop_task.apply_async(args=[[-1]], queue="notifications")
    enqueue_seconds = time.perf_counter() - started
    worker = Worker(Path(args.workdir), args.worker_loglevel, args.pool)
    try:
        deadline = time.monotonic() + PHASE_TIMEOUT_SECONDS - 60
        while not worker.noop_done.exists() or not worker.noop_done.read_text():
            if time.monotonic() > deadline or worker.process.poll() is not None:
                raise SystemExit("the no-op tasks did not finish in time:\n" + worker.log.read_text()[-3000:])
            time.sleep(0.05)
        first = float(Path(str(worker.noop_done) + ".start").read_text())
        seconds = float(worker.noop_done.read_text()) - first
    finally:
        worker.stop()
    return {
        "seconds": seconds,
        "enqueue_seconds": enqueue_seconds,
        "tasks": count - 1,
        "task_seconds": worker.task_seconds(),
    }


PHASES = {
    "migrate": phase_migrate,
    "sweep": phase_sweep,
    "floor_sql": phase_floor_sql,
    "worker": phase_worker,
    "worker_sweep": phase_worker_sweep,
    "worker_noop": phase_worker_noop,
}


def run_child(args: argparse.Namespace) -> None:
    common.django_setup(settings="benchmarks.bench_settings")
    # The counters must be this module's as imported under its package name (SMS_BACKEND names it so),
    # not __main__'s.
    from benchmarks import outbox_delivery

    result = getattr(outbox_delivery, f"phase_{args.phase}")(args)
    print(json.dumps(result))


# --- The parent: its own database, the phases, the report ------------------------------------------------


def phase(name: str, args: argparse.Namespace, env: dict, **extra) -> dict:
    command = [
        sys.executable,
        __file__,
        "--phase",
        name,
        "--messages",
        str(args.messages),
        "--worker-loglevel",
        args.worker_loglevel,
        "--pool",
        args.pool,
        "--concurrency",
        str(args.concurrency),
    ]
    for key, value in extra.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    return common.child_json(command, timeout=PHASE_TIMEOUT_SECONDS, failed=f"phase {name} failed", env=env)


def main(args: argparse.Namespace) -> None:
    url = common.server_url()
    redis_url = common.empty_redis_url("redis://127.0.0.1:6379/14")
    database = args.database
    own_url = common.database_url(database, url)
    started_as = common.command_line(DATABASE_URL=url, REDIS_URL=redis_url)
    workdir = Path(tempfile.mkdtemp(prefix="bench-outbox-"))  # worker log, the figures its pool writes
    env = {
        **os.environ,
        "DATABASE_URL": own_url,
        "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
        "BENCH_BASE_SETTINGS": "prakerja.settings_test",
        "BENCH_SMS_BACKEND": NULL_BACKEND,
        "PYTHONPATH": str(ROOT),
        "PRAKERJA_TASKS_EAGER": "0",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "PRAKERJA_VAR_DIR": str(workdir),
        "LOG_LEVEL": "WARNING",
    }
    if not args.keep_batch_size_env:
        env.pop("OUTBOX_BATCH_SIZE", None)

    common.database_create(url, database)
    results: dict = {}
    try:
        phase("migrate", args, env)
        results["sweep"] = phase("sweep", args, env)
        results["floor_sql"] = phase("floor_sql", args, env)
        results["worker100"] = phase("worker", args, env, count=args.messages, per_message=100, workdir=workdir)
        results["worker_sweep"] = phase("worker_sweep", args, env, count=args.messages, workdir=workdir)
        results["worker1"] = phase("worker", args, env, count=args.single_messages, per_message=1, workdir=workdir)
        results["noop1"] = phase("worker_noop", args, env, count=args.single_messages, workdir=workdir)
        version = common.server_version(own_url)
    finally:
        if not args.keep_database:
            common.database_drop(url, database)
        common.redis_call(redis_url, "FLUSHDB")
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"Outbox delivery — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, PostgreSQL {version}, "
        f"Redis {common.redis_call(redis_url, 'INFO', 'server')['redis_version']}, {os.cpu_count()} CPUs"
    )
    print(f"  command: {started_as}")
    print(f"  worker:  {results['worker100']['worker_command']}")
    print(f"  {'':<62} {'rows':>9} {'msgs':>8} {'time':>8} {'per s':>9} {'peak RSS':>10}  exactly once")

    def line(label: str, rows: int, messages: int | str, seconds: float, rss: float | None, check: dict | None) -> None:
        memory = f"{rss:7.0f} MB" if rss else " " * 10
        once = "" if check is None else ("yes" if check["exactly_once"] else f"NO {check}")
        print(f"  {label:<62} {rows:>9,} {messages:>8} {seconds:7.1f}s {rows / seconds:>9,.0f} {memory}  {once}")

    s, f, w100, w1, n1 = (results[k] for k in ("sweep", "floor_sql", "worker100", "worker1", "noop1"))
    line(
        f"outbox_sweep() in process (batches of {s['batch_size']})",
        args.messages,
        "-",
        s["seconds"],
        s["peak_rss_mb"],
        s["check"],
    )
    line(
        "worker, message_deliver_task with 100 ids per message",
        args.messages,
        f"{w100['celery_messages']:,}",
        w100["seconds"],
        max(w100["worker_peak_rss_mb"].values()),
        w100["check"],
    )
    ws = results["worker_sweep"]
    line(
        f"worker, outbox_sweep_task ({ws['celery_messages']} published, as beat does)",
        args.messages,
        f"{ws['celery_messages']:,}",
        ws["seconds"],
        max(ws["worker_peak_rss_mb"].values()),
        ws["check"],
    )
    line(
        "worker, message_deliver_task with 1 id per message",
        args.single_messages,
        f"{w1['celery_messages']:,}",
        w1["seconds"],
        max(w1["worker_peak_rss_mb"].values()),
        w1["check"],
    )
    line(
        "floor: one UPDATE … SKIP LOCKED … RETURNING per 100, in process",
        args.messages,
        "-",
        f["seconds"],
        f["peak_rss_mb"],
        f["check"],
    )
    line(
        "floor: no-op Celery task, 1 per message, same worker",
        n1["tasks"],
        f"{n1['tasks']:,}",
        n1["seconds"],
        None,
        None,
    )
    print(f"  bulk_create of {args.messages:,} pending rows (set-up, not timed above): {s['insert_seconds']:.1f} s")
    print(
        f"  publishing the messages (inside the worker times): {w100['celery_messages']:,} in "
        f"{w100['enqueue_seconds']:.2f} s, {w1['celery_messages']:,} in {w1['enqueue_seconds']:.2f} s; "
        f"(before the no-op floor) {n1['tasks'] + 1:,} in {n1['enqueue_seconds']:.2f} s"
    )

    def inside(result: dict) -> str:
        busy = result.get("task_seconds")
        return (
            "n/a (worker log below INFO)"
            if busy is None
            else (
                f"{busy:.1f} s of {result['seconds']:.1f} s ({busy / result['seconds']:.0%}), "
                f"{busy / result.get('celery_messages', result.get('tasks')) * 1000:.2f} ms per task"
            )
        )

    print(f"  time inside tasks, from the worker's log: 100/msg {inside(w100)}; 1/msg {inside(w1)}; no-op {inside(n1)}")
    print(
        f"  worker peak RSS (100/msg): {w100['worker_peak_rss_mb']}; benchmark child peak RSS "
        f"{w100['peak_rss_mb']:.0f} MB"
    )
    rate = {
        "sweep": args.messages / s["seconds"],
        "w100": args.messages / w100["seconds"],
        "wsweep": args.messages / ws["seconds"],
        "w1": args.single_messages / w1["seconds"],
        "floor": args.messages / f["seconds"],
        "noop": n1["tasks"] / n1["seconds"],
    }
    print(
        f"  sweep / SQL floor: {rate['sweep'] / rate['floor']:.2f}; worker 100/msg / SQL floor: "
        f"{rate['w100'] / rate['floor']:.2f}; worker sweep / SQL floor: {rate['wsweep'] / rate['floor']:.2f}; "
        f"worker 1/msg / no-op floor: {rate['w1'] / rate['noop']:.2f}; "
        f"100/msg over 1/msg: {rate['w100'] / rate['w1']:.1f}x"
    )

    # CPU per 100 messages, the figure that survives a shared machine better than the clock: what each spent of the
    # two cores, in its own process(es) and in PostgreSQL's backend(s), whatever else was waiting for them.
    def cpu_per_100(result: dict) -> tuple[float, float]:
        return (result["cpu_seconds"] / args.messages * 1e5, result["database_cpu_seconds"] / args.messages * 1e5)

    print(cpu_line(cpu_per_100(w100), cpu_per_100(ws), cpu_per_100(f)))
    print(
        f"  target (DESIGN §10): >= 5,000 deliveries/s on one worker: "
        f"{'met' if rate['w100'] >= 5000 else 'NOT met'} ({rate['w100']:,.0f}/s)"
    )
    if not all(
        results[k]["check"]["exactly_once"] for k in ("sweep", "floor_sql", "worker100", "worker_sweep", "worker1")
    ):
        raise SystemExit("exactly-once check failed")
    # The last line, for scripts and the test suite (CONTRIBUTING.md, "Benchmarks"): the ratio is one worker with
    # 100 ids per message over the SQL floor, both measured above; sweep_ratio the same worker draining the rows by
    # outbox_sweep_task, the path of an announcement's messages.
    print(
        json.dumps(
            {
                "benchmark": "outbox",
                "ratio": round(rate["w100"] / rate["floor"], 3),
                "per_s": round(rate["w100"]),
                "sweep_ratio": round(rate["wsweep"] / rate["floor"], 3),
                "sweep_per_s": round(rate["wsweep"]),
            }
        )
    )


def cpu_line(worker: tuple[float, float], sweep: tuple[float, float], floor: tuple[float, float]) -> str:
    """The summary's CPU per 100 messages (process + backend, ms) of the worker with 100 ids per message, of the
    worker's sweep and of the SQL floor, and the floor's share of the worker's. /proc counts CPU in ticks of 10 ms, so
    a run of a few hundred messages (the CI-sized one) can measure none for the worker: then there is no share."""
    share = f"{sum(floor) / sum(worker):.2f}" if sum(worker) else "n/a (no CPU measured for the worker)"
    return (
        f"  CPU per 100 messages (process + PostgreSQL backend): worker 100/msg {worker[0]:.2f} + {worker[1]:.2f} ms; "
        f"worker sweep {sweep[0]:.2f} + {sweep[1]:.2f} ms; "
        f"SQL floor {floor[0]:.2f} + {floor[1]:.2f} ms; floor / worker: {share}"
    )


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000, help="N for the sweep, 100/msg and SQL floor")
    parser.add_argument("--single-messages", type=int, default=5_000, help="M for the 1/msg runs")
    parser.add_argument("--worker-loglevel", default="INFO", help="as in the Procfile (INFO)")
    parser.add_argument(
        "--pool", default="threads", help="the worker's pool: threads, as docs/DEPLOY.md's delivery workers (default)"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        help="the worker's concurrency for the deliveries (default 1; the Procfile's delivery worker runs 4)",
    )
    parser.add_argument("--keep-database", action="store_true", help="leave the benchmark's database behind")
    parser.add_argument("--database", default=DATABASE, help=f"the benchmark's own database (default {DATABASE})")
    parser.add_argument(
        "--keep-batch-size-env",
        action="store_true",
        help="honour OUTBOX_BATCH_SIZE from the environment (default: the settings' default)",
    )
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--per-message", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse()
    if arguments.phase:
        run_child(arguments)
    else:
        main(arguments)
