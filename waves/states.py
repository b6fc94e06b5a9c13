"""The wave's state machine, as data: which status may follow which. Only waves.services moves a wave."""

from waves.models import WaveStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    WaveStatus.DRAFT: frozenset({WaveStatus.OPEN}),
    WaveStatus.OPEN: frozenset({WaveStatus.CLOSED}),
    WaveStatus.CLOSED: frozenset({WaveStatus.SELECTING}),
    # A failed run goes back to closed with nothing written; a void before announcement, too.
    WaveStatus.SELECTING: frozenset({WaveStatus.SELECTED, WaveStatus.CLOSED}),
    WaveStatus.SELECTED: frozenset({WaveStatus.ANNOUNCED, WaveStatus.CLOSED}),
    WaveStatus.ANNOUNCED: frozenset(),
}


def transition_allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS[from_status]
