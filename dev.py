#!/usr/bin/env python3
"""Set up and run the portal on a machine that has only Python 3.11+.

    python3 dev.py demo    # virtualenv, pinned requirements, migrate, seed_demo, then web + Celery worker/beat
    python3 dev.py test    # the same set-up with requirements-dev.txt, then the whole test suite (extra
                           # arguments go to pytest)
    python3 dev.py setup   # the test set-up only (the virtualenv that ruff, pre-commit and pytest run from)

Standard library only: it has to run before anything is installed. With nothing configured the portal uses
its embedded default (SQLite, local-memory cache, a filesystem Celery broker); DATABASE_URL and REDIS_URL
in the environment move it to PostgreSQL and Redis (that is how .ci/run uses it).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
# The demo needs the runtime; the tests also the test and code-health tools (requirements-dev.txt includes the runtime).
REQUIREMENTS = {"demo": ROOT / "requirements.txt", "test": ROOT / "requirements-dev.txt"}
DEMO_ADDRESS = "127.0.0.1:8000"


def say(text: str) -> None:
    print(f"\033[1m==> {text}\033[0m", flush=True)


def setup(purpose: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs first, under whatever python3 is there
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        say(f"Creating a virtualenv in {VENV.relative_to(ROOT)}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    requirements = REQUIREMENTS[purpose]
    wanted = hashlib.sha256(b"".join(path.read_bytes() for path in REQUIREMENTS.values())).hexdigest()
    stamp = VENV / f".{requirements.stem}.sha256"
    if not stamp.exists() or stamp.read_text().strip() != wanted:
        say(f"Installing the pinned {requirements.name}")
        subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
        subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "-r", requirements], check=True)
        stamp.write_text(wanted)
    write_dotenv(demo_env())


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, ROOT / "manage.py", *args], check=True, cwd=ROOT, env=env)


def demo_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_DEBUG", "1")
    env.setdefault("PRAKERJA_DEMO_INBOX", "1")
    env.setdefault("PRAKERJA_TASKS_EAGER", "0")
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    env.setdefault("SMS_BACKEND", "notifications.sms.FileBackend")
    env.setdefault("SITE_URL", f"http://{DEMO_ADDRESS}")
    env.setdefault("OUTBOX_SWEEP_SECONDS", "10")
    # The demo's staff log in with the password only; production asks for an authenticator code too.
    env.setdefault("STAFF_OTP_REQUIRED", "0")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _stop_on_signal(signum, frame) -> None:
    raise KeyboardInterrupt


DEMO_DOTENV = ("DJANGO_DEBUG", "PRAKERJA_DEMO_INBOX", "EMAIL_BACKEND", "SMS_BACKEND", "SITE_URL", "STAFF_OTP_REQUIRED")


def write_dotenv(env: dict[str, str]) -> None:
    """So that plain `.venv/bin/python manage.py …` (e.g. dukcapil_sample) runs with the demo's settings.

    Written once: a developer's own edits are kept.
    """
    dotenv = ROOT / ".env"
    if dotenv.exists():
        return
    lines = ["# Written by `python3 dev.py` for local commands; not for production, never committed."]
    lines += [f"{key}={env[key]}" for key in DEMO_DOTENV]
    dotenv.write_text("\n".join(lines) + "\n")


def demo() -> int:
    # Ctrl-C, and a plain `kill`, stop everything, even when started from a shell that ignores SIGINT.
    signal.signal(signal.SIGINT, _stop_on_signal)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    env = demo_env()
    say("Preparing the database")
    manage("migrate", "--no-input", env=env)
    manage("seed_demo", env=env)
    say("Starting the web server and a Celery worker with beat (Ctrl-C stops all of them)")
    processes = [
        subprocess.Popen(
            [PYTHON, "manage.py", "runserver", DEMO_ADDRESS, "--noreload"], cwd=ROOT, env=env, start_new_session=True
        ),
        subprocess.Popen(
            [
                BIN / "celery",
                "-A",
                "prakerja",
                "worker",
                "--beat",
                "--loglevel",
                "INFO",
                "--queues",
                "otp,default,notifications,selection",
                "--concurrency",
                "2",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        ),
    ]
    print(
        f"\n  Portal:           http://{DEMO_ADDRESS}/\n"
        f"  Demo inbox:       http://{DEMO_ADDRESS}/kotak-masuk/  (emails and SMS the portal sent)\n"
        f"  Admin:            http://{DEMO_ADDRESS}/admin/  (login printed by seed_demo above)\n"
        f"  Operator console: http://{DEMO_ADDRESS}/operator/  (the operator login above)\n",
        flush=True,
    )
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        say("A process stopped; stopping the others")
    except KeyboardInterrupt:
        say("Stopping")
    finally:
        # A second Ctrl-C (or kill) while stopping must not abandon the stop half-way and leave a worker running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for process in processes:
            if process.poll() is None:
                process.terminate()  # Celery's warm shutdown: it finishes the task at hand and stops its pool
        deadline = time.monotonic() + 15
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    return 0


def test(pytest_args: list[str]) -> int:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    return subprocess.run([PYTHON, "-m", "pytest", *pytest_args], cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "setup"}:
        print(__doc__)
        return 2
    setup("demo" if argv[0] == "demo" else "test")
    if argv[0] == "demo":
        return demo()
    if argv[0] == "test":
        return test(argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
