"""A selection's progress by phase while it runs (DESIGN §4 step 5: "Progress is shown by phase").

The run does all its work in one transaction, so nothing it writes to the database can be seen before it
ends. Its progress goes through another channel instead: the cache (Redis in production, local memory in the
demo and tests), under the run's id. The admin reads it for a run still "running"; once the run has ended, the
phases and their timings are on the run's row and the cache entry is removed.
"""

import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Every phase a run may go through, in order, as shown to operators.
PHASE_LABELS = {
    "rules_and_ranking": _("Aturan, undian, dan kuota provinsi"),
    "kk_cap": _("Batas 2 penerima per KK"),
    "national_pool": _("Kuota nasional"),
    "cards": _("Penerbitan kartu"),
    "announcement_messages": _("Pesan pengumuman"),
    "counts": _("Rekap jumlah"),
}
# A run lasts minutes; an entry outlives a worker that died mid-run long enough to be seen, then goes.
TIMEOUT_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class PhaseTiming:
    name: str
    seconds: float

    @property
    def label(self) -> str:
        return str(PHASE_LABELS.get(self.name, self.name))


@dataclass(frozen=True)
class Progress:
    """Where a run is: the phase under way (``current``, None between phases), the phases planned, and the
    phases done with their seconds."""

    planned: tuple[str, ...]
    done: tuple[PhaseTiming, ...] = ()
    current: str | None = None

    @property
    def total(self) -> int:
        return len(self.planned)

    @property
    def position(self) -> int:
        """The number of the phase under way (or of the last one done), counting from 1."""
        return min(len(self.done) + (1 if self.current else 0), self.total)

    @property
    def current_label(self) -> str:
        return str(PHASE_LABELS.get(self.current, self.current)) if self.current else ""

    def started(self, name: str) -> "Progress":
        return Progress(planned=self.planned, done=self.done, current=name)

    def finished(self, name: str, seconds: float) -> "Progress":
        return Progress(planned=self.planned, done=(*self.done, PhaseTiming(name, seconds)), current=None)

    def as_data(self) -> dict:
        return {
            "planned": list(self.planned),
            "done": [{"name": phase.name, "seconds": phase.seconds} for phase in self.done],
            "current": self.current,
        }

    @classmethod
    def from_data(cls, data: dict) -> "Progress":
        return cls(
            planned=tuple(data["planned"]),
            done=tuple(PhaseTiming(phase["name"], phase["seconds"]) for phase in data["done"]),
            current=data["current"],
        )


def _key(run_id: int) -> str:
    return f"waves:selection-progress:{run_id}"


def progress_publish(*, run_id: int, progress: Progress) -> None:
    """Make ``progress`` visible outside the run's transaction. Reporting never stops a selection: a cache that
    is down costs the progress display, not the run."""
    try:
        cache.set(_key(run_id), progress.as_data(), timeout=TIMEOUT_SECONDS)
    except Exception:  # any cache failure (logged below)
        logger.warning("could not publish the progress of selection run %s", run_id, exc_info=True)


def progress_clear(*, run_id: int) -> None:
    try:
        cache.delete(_key(run_id))
    except Exception:  # any cache failure (logged below)
        logger.warning("could not clear the progress of selection run %s", run_id, exc_info=True)


def progress_read(*, run_id: int) -> Progress | None:
    """The progress a running run last published, or None (not started, ended, or no cache)."""
    try:
        data = cache.get(_key(run_id))
    except Exception:  # any cache failure (logged below)
        logger.warning("could not read the progress of selection run %s", run_id, exc_info=True)
        return None
    return Progress.from_data(data) if data else None
