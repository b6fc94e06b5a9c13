"""Is a wave's selection still running, or did its process die? A lock the database server or the kernel drops
with the process answers it, without heartbeats or timeouts.

A selection holds its wave's lock from before its run row is written until after the run is recorded as
finished. A run row that says "running" while the lock is free belongs to a process that was killed, lost its
worker or its database connection: ``waves.services.selections_recover`` takes the lock (so no new run starts
meanwhile), records the run as interrupted and closes the wave again; it runs at the next ``run_selection``,
"Jalankan seleksi", and every minute in beat.

- PostgreSQL: a session-level advisory lock on the run's own connection, which the server drops when the
  connection ends, however the process ended.
- SQLite (the demo, one machine): ``flock`` on a file under VAR_DIR, which the kernel drops when the process
  ends. flock locks belong to an open file, so two handles conflict even within one process.

``waves.selection.dialect`` chooses between them.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import connection


class SelectionLock(Protocol):
    def acquire(self) -> bool:
        """Take the lock without waiting; False if another process holds it."""

    def release(self) -> None: ...


class AdvisoryLock:
    def __init__(self, namespace: int, wave_id: int) -> None:
        self.keys = [int(namespace), int(wave_id)]

    def acquire(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s::int, %s::int)", self.keys)
            return bool(cursor.fetchone()[0])

    def release(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s::int, %s::int)", self.keys)


class FileLock:
    def __init__(self, wave_id: int) -> None:
        self.path = Path(settings.VAR_DIR) / "selection-locks" / f"wave-{int(wave_id)}.lock"
        self._fd: int | None = None

    def _open(self) -> int:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)

    def acquire(self) -> bool:
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
