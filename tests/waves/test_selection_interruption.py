"""Whatever stops a selection — SIGKILL, Ctrl-C, a lost worker, a dropped connection, a cache that is down — the
wave returns to "closed", the run is recorded as failed or interrupted without anyone editing rows, and a new
run then succeeds (DESIGN §4; waves/selection/lock.py)."""

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import override_settings

from tests.factories import SelectionRunFactory, WaveFactory, enrolled_many
from tests.helpers import require_service
from waves.errors import WaveError, WaveErrorCode
from waves.models import Card, Result, RunStatus, SelectionRun, Wave, WaveStatus
from waves.selection import selection_run
from waves.selection.dialect import ADVISORY_NAMESPACE
from waves.selection.lock import FileLock
from waves.services import selections_recover

ROOT = Path(__file__).resolve().parents[2]


def nothing_written(wave: Wave) -> bool:
    return not Result.objects.filter(run__wave=wave).exists() and not Card.objects.filter(wave=wave).exists()


def interrupt_at(phase: str):
    def on_progress(progress):
        if progress.current == phase:
            raise KeyboardInterrupt

    return on_progress


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_during_the_announcement_messages_closes_the_wave_at_once_and_a_new_run_succeeds(db):
    wave = WaveFactory(closed=True, province_quotas={"32": 3, "31": 3}, pool_unused_quota=False)
    enrolled_many(wave, 20)

    with pytest.raises(KeyboardInterrupt):
        selection_run(wave=wave, acting_user=None, seed=1, on_progress=interrupt_at("announcement_messages"))

    wave.refresh_from_db()
    run = SelectionRun.objects.get(wave=wave)
    assert (run.status, wave.status) == (RunStatus.INTERRUPTED, WaveStatus.CLOSED)
    assert run.error.startswith("KeyboardInterrupt") and run.finished_at
    assert nothing_written(wave)
    assert wave.events.last().note == f"run {run.pk} terputus"

    again = selection_run(wave=wave, acting_user=None, seed=1)
    assert again.status == RunStatus.SUCCEEDED and again.counts["selected"] == 6


def a_dead_run(wave: Wave) -> SelectionRun:
    """What a killed process leaves: the wave "selecting", its run "running", and nobody holding the lock."""
    return SelectionRunFactory(wave=wave, seed=7, running=True)


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_process_died_is_recovered_by_the_next_check_and_the_wave_can_be_selected(db):
    wave = WaveFactory(closed=True, province_quotas={"32": 2}, pool_unused_quota=False)
    enrolled_many(wave, 5, provinces=("32",))
    dead = a_dead_run(wave)

    assert selections_recover() == [dead.pk]

    dead.refresh_from_db()
    wave.refresh_from_db()
    assert (dead.status, wave.status) == (RunStatus.INTERRUPTED, WaveStatus.CLOSED)
    assert "Terputus" in dead.error
    assert selection_run(wave=wave, acting_user=None, seed=2).status == RunStatus.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_run_selection_itself_recovers_a_dead_run_of_its_wave(db):
    wave = WaveFactory(closed=True, province_quotas={"32": 2}, pool_unused_quota=False)
    enrolled_many(wave, 5, provinces=("32",))
    a_dead_run(wave)
    out = StringIO()

    call_command("run_selection", str(wave.number), "--seed", "3", stdout=out, stderr=StringIO())

    assert "2 of 5 enrollments selected" in out.getvalue()
    assert list(SelectionRun.objects.filter(wave=wave).values_list("status", flat=True).order_by("pk")) == [
        RunStatus.INTERRUPTED,
        RunStatus.SUCCEEDED,
    ]


class HeldElsewhere:
    """The wave's selection lock held by another process (on PostgreSQL, another session)."""

    def __init__(self, wave: Wave) -> None:
        self.wave = wave

    def __enter__(self):
        if connection.vendor == "postgresql":
            self.other = connections.create_connection("default")
            with self.other.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s::int, %s::int)", [ADVISORY_NAMESPACE, self.wave.pk])
        else:
            self.other = FileLock(self.wave.pk)
            assert self.other.acquire()
        return self

    def __exit__(self, *exc) -> None:
        if connection.vendor == "postgresql":
            self.other.close()
        else:
            self.other.release()


@pytest.mark.django_db(transaction=True)
def test_a_run_that_is_alive_elsewhere_is_neither_recovered_nor_run_twice(db):
    wave = WaveFactory(closed=True, province_quotas={"32": 2}, pool_unused_quota=False)
    enrolled_many(wave, 5, provinces=("32",))
    alive = a_dead_run(wave)

    with HeldElsewhere(wave):
        assert selections_recover() == []
        with pytest.raises(WaveError) as refused:
            selection_run(wave=wave, acting_user=None, seed=2)
        with pytest.raises(CommandError, match="being selected by another process"):
            call_command("run_selection", str(wave.number), stdout=StringIO(), stderr=StringIO())

    assert refused.value.code == WaveErrorCode.SELECTION_RUNNING
    alive.refresh_from_db()
    assert alive.status == RunStatus.RUNNING
    assert selections_recover() == [alive.pk]  # once the other process is gone


@pytest.mark.django_db(transaction=True)
def test_a_cache_that_is_down_costs_the_progress_display_not_the_run(db):
    wave = WaveFactory(closed=True, province_quotas={"32": 3}, pool_unused_quota=False)
    enrolled_many(wave, 6, provinces=("32",))
    nowhere = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }  # the discard port: nothing answers

    with override_settings(CACHES=nowhere):
        run = selection_run(wave=wave, acting_user=None, seed=4)

    assert run.status == RunStatus.SUCCEEDED and run.counts["selected"] == 3


@pytest.mark.django_db
def test_run_selection_refuses_an_open_wave_in_one_line(db):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import WaveFactory

    wave = WaveFactory(number=8, opens_at=timezone.now() - timedelta(days=1))  # open for six more days

    with pytest.raises(CommandError) as refused:
        call_command("run_selection", str(wave.number), stdout=StringIO(), stderr=StringIO())

    message = str(refused.value)
    assert "\n" not in message and "only a closed wave can" in message


SCRIPT = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from waves.models import Wave
    from waves.selection import selection_run

    def on_progress(progress):
        if progress.current:
            print("phase", progress.current, flush=True)
            if progress.current == sys.argv[2]:
                from django.db import connection
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    print("backend", cursor.fetchone()[0], flush=True)
                sys.stdin.readline()  # wait here, in the middle of the run's transaction, until told or killed

    selection_run(wave=Wave.objects.get(pk=int(sys.argv[1])), acting_user=None, seed=11, on_progress=on_progress)
    print("done", flush=True)
    """
)


@contextmanager
def selection_process(wave: Wave, hold_at: str) -> Iterator[subprocess.Popen]:
    """``selection_run`` in a process of its own on the test database, holding still when ``hold_at`` starts;
    killed and its pipes closed on the way out, whatever the test did to it."""
    settings_dict = connection.settings_dict
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prakerja.settings_test",
        "DATABASE_URL": f"postgres://{settings_dict['USER']}{password}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(wave.pk), hold_at],
        cwd=ROOT,
        env=env,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)
        for pipe in (process.stdin, process.stdout, process.stderr):
            pipe.close()


def wait_for_phase(process: subprocess.Popen, phase: str) -> int:
    """Read the process's lines until it holds at ``phase``; returns its database backend's pid."""
    for line in process.stdout:  # blocks on the pipe: no sleeping, no polling
        if line.strip() == f"phase {phase}":
            return int(process.stdout.readline().split()[1])
    pytest.fail(f"the selection process ended before {phase}: {process.stderr.read()}")


def lock_dropped_by_the_server(wave: Wave) -> None:
    """Wait (on the lock itself, not a clock) until PostgreSQL has noticed the killed client and dropped its
    session's locks: it does so a moment after the socket closes. In production beat looks a minute later."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SET lock_timeout = '60s'")
            cursor.execute("SELECT pg_advisory_lock(%s::int, %s::int)", [ADVISORY_NAMESPACE, wave.pk])
            # Released here, not by closing the session: the server drops a closed session's locks a moment
            # after the close returns, and the recovery that follows must find the lock free.
            cursor.execute("SELECT pg_advisory_unlock(%s::int, %s::int)", [ADVISORY_NAMESPACE, wave.pk])
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_a_selection_process_killed_mid_run_leaves_nothing_and_the_wave_is_recovered(db):
    if connection.vendor != "postgresql":
        require_service("postgresql")
    wave = WaveFactory(closed=True, province_quotas={"32": 40, "31": 40}, pool_unused_quota=True)
    enrolled_many(wave, 300)
    with selection_process(wave, hold_at="kk_cap") as process:
        wait_for_phase(process, "kk_cap")
        # While it is alive, nobody takes its run away.
        assert selections_recover() == []
        with pytest.raises(WaveError):
            selection_run(wave=wave, acting_user=None, seed=12)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)

    run = SelectionRun.objects.get(wave=wave)
    assert run.status == RunStatus.RUNNING  # the dead process could not say so
    lock_dropped_by_the_server(wave)
    assert selections_recover() == [run.pk]
    run.refresh_from_db()
    wave.refresh_from_db()
    assert (run.status, wave.status) == (RunStatus.INTERRUPTED, WaveStatus.CLOSED)
    assert nothing_written(wave)
    assert selection_run(wave=wave, acting_user=None, seed=12).counts["selected"] == 80


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_to_a_selection_process_records_the_interruption_before_it_exits(db):
    if connection.vendor != "postgresql":
        require_service("postgresql")
    wave = WaveFactory(closed=True, province_quotas={"32": 40, "31": 40}, pool_unused_quota=False)
    enrolled_many(wave, 200)
    with selection_process(wave, hold_at="announcement_messages") as process:
        wait_for_phase(process, "announcement_messages")
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends: KeyboardInterrupt in the process
        process.wait(timeout=60)

    assert process.returncode != 0
    run = SelectionRun.objects.get(wave=wave)
    wave.refresh_from_db()
    assert (run.status, wave.status) == (RunStatus.INTERRUPTED, WaveStatus.CLOSED)  # no recovery needed
    assert nothing_written(wave)


@pytest.mark.django_db(transaction=True)
def test_a_dropped_database_connection_fails_the_run_which_records_it_on_a_new_one(db):
    if connection.vendor != "postgresql":
        require_service("postgresql")
    wave = WaveFactory(closed=True, province_quotas={"32": 40, "31": 40}, pool_unused_quota=False)
    enrolled_many(wave, 200)
    with selection_process(wave, hold_at="cards") as process:
        backend = wait_for_phase(process, "cards")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])  # the server drops the run's connection
        process.stdin.write("go on\n")
        process.stdin.flush()
        process.wait(timeout=60)
        errors = process.stderr.read()

    assert process.returncode != 0 and "SelectionFailed" in errors
    run = SelectionRun.objects.get(wave=wave)
    wave.refresh_from_db()
    assert (run.status, wave.status) == (RunStatus.FAILED, WaveStatus.CLOSED)
    assert "OperationalError" in run.error
    assert nothing_written(wave)
    assert selection_run(wave=wave, acting_user=None, seed=13).counts["selected"] == 80
