"""What /transparansi/ publishes about each wave's lottery, and when (docs/LOTTERY.md).

Before the announcement: the seed's commitment (its SHA-256), and the commitments a void replaced, with when and
the acting operator's role. From ``announce_at`` on: the seed itself, whether it matches the commitment, each
province's quota, candidates, selections (its own and from the national pool), its cut and its counts per
reason, and the anonymous list of every candidate. Nothing here names a person or a Kartu Keluarga: the list has
the province, the place, the tier, the lottery number and the outcome, ordered by place; the registration
number the lottery is computed from is never published, so a row cannot be tied to anyone who does not show
theirs.

These are the reads of the public pages (waves/views.py); they are selectors, in a module of their own because
they are the one place that decides what the public sees.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from regions.models import Province
from waves.lottery import seed_commitment
from waves.models import Result, RunStatus, SeedCommitment, SelectionRun, Wave, WaveStatus
from waves.reasons import ResultReason

# The outcome column of the published list: a selection, or the selection's reason a candidate was not selected.
SELECTED = "selected"
SELECTED_POOL = "selected_pool"
CSV_COLUMNS = ("province", "quota", "place", "tier", "lottery", "outcome")


@dataclass(frozen=True)
class PublicCommitment:
    commitment: str
    committed_at: datetime
    voided_at: datetime | None
    voided_by_role: str


@dataclass(frozen=True)
class ProvinceFigures:
    code: str
    name: str
    quota: int
    candidates: int
    selected: int  # by the province's own quota
    from_pool: int
    cut: dict | None  # {"place", "tier", "lottery"} of its last own selection
    reasons: dict[str, int]


@dataclass(frozen=True)
class WaveTransparency:
    wave: Wave
    status: str
    commitments: list[PublicCommitment]
    revealed: bool = False
    seed: str = ""
    committed: bool = False  # the run used the seed of a published commitment
    seed_matches: bool = False  # SHA-256 of the revealed seed is that commitment
    provinces: list[ProvinceFigures] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)
    enrollments: int = 0
    selected: int = 0

    @property
    def current_commitment(self) -> PublicCommitment | None:
        return next((c for c in reversed(self.commitments) if c.voided_at is None), None)


def _published_waves():
    # A wave is public once it is published (or moved on, which needs publishing): drafts are still being prepared.
    return Wave.objects.exclude(status=WaveStatus.DRAFT, published_at__isnull=True)


def _commitments(waves: list[Wave]) -> dict[int, list[PublicCommitment]]:
    found: dict[int, list[PublicCommitment]] = {}
    # Never the seed column: it is secret until the announcement, and the public list needs only the hashes.
    rows = SeedCommitment.objects.filter(wave__in=waves).values_list(
        "wave_id", "commitment", "committed_at", "voided_at", "voided_by_role"
    )
    for wave_id, *fields in rows.order_by("committed_at", "pk"):
        found.setdefault(wave_id, []).append(PublicCommitment(*fields))
    return found


def transparency_waves(*, now: datetime | None = None) -> list[WaveTransparency]:
    """Every published wave, newest first, with its commitments (two queries)."""
    now = now or timezone.now()
    waves = list(_published_waves().order_by("-number"))
    commitments = _commitments(waves)
    return [
        WaveTransparency(
            wave=wave,
            status=wave.status_at(now),
            commitments=commitments.get(wave.pk, []),
            revealed=wave.status_at(now) == WaveStatus.ANNOUNCED,
        )
        for wave in waves
    ]


def transparency_wave(*, number: int, now: datetime | None = None) -> WaveTransparency | None:
    """One published wave: its commitments, and after its announcement what its run published."""
    now = now or timezone.now()
    wave = _published_waves().filter(number=number).first()
    if wave is None:
        return None
    status = wave.status_at(now)
    commitments = _commitments([wave]).get(wave.pk, [])
    run = announced_run(wave=wave, now=now)
    if run is None:
        return WaveTransparency(wave=wave, status=status, commitments=commitments)
    counts = run.counts or {}
    names = dict(Province.objects.values_list("code", "name"))
    quotas = dict(wave.province_quotas.values_list("province_id", "quota"))
    per_province = counts.get("provinces", {})
    provinces = []
    for code in sorted(set(quotas) | set(per_province)):
        entry = per_province.get(code, {})
        provinces.append(
            ProvinceFigures(
                code=code,
                name=names.get(code, code),
                quota=quotas.get(code, 0),
                candidates=entry.get("candidates", 0),
                selected=entry.get("selected", 0) - entry.get("from_pool", 0),
                from_pool=entry.get("from_pool", 0),
                cut=entry.get("cut"),
                reasons=entry.get("reasons", {}),
            )
        )
    return WaveTransparency(
        wave=wave,
        status=status,
        commitments=commitments,
        revealed=True,
        seed=run.seed,
        committed=run.commitment_id is not None,
        seed_matches=run.commitment_id is not None and seed_commitment(run.seed) == run.commitment.commitment,
        provinces=provinces,
        reasons=counts.get("reasons", {}),
        enrollments=counts.get("enrollments", 0),
        selected=counts.get("selected", 0),
    )


def announced_run(*, wave: Wave, now: datetime | None = None) -> SelectionRun | None:
    """The wave's standing run, only once its results are out (``announce_at``, read from the times): before,
    nothing of it is public."""
    now = now or timezone.now()
    if wave.status_at(now) != WaveStatus.ANNOUNCED:
        return None
    return SelectionRun.objects.filter(wave=wave, status=RunStatus.SUCCEEDED).select_related("commitment").first()


def lottery_list_rows(*, run: SelectionRun, chunk_size: int = 5000) -> Iterator[tuple]:
    """The anonymous list, row by row, in constant memory (a server-side cursor on PostgreSQL): every candidate
    of the run, by province and place. Rows a rule excluded have no place and are only counted (their reason,
    attached to a lottery number, would say something about a person); a KK-capped row shows only that reason."""
    rows = (
        Result.objects.filter(run=run, province_rank__isnull=False)
        .order_by("province_id", "province_rank")
        .values_list("province_id", "province_rank", "priority", "lottery", "selected", "from_pool", "reason")
    )
    quotas = dict(run.wave.province_quotas.values_list("province_id", "quota"))
    for province, place, tier, lottery, selected, pooled, reason in rows.iterator(chunk_size=chunk_size):
        outcome = (SELECTED_POOL if pooled else SELECTED) if selected else reason
        yield (province, quotas.get(province, 0), place, tier, lottery, outcome)


def reason_label(code: str) -> str:
    try:
        return str(ResultReason(code).label)
    except ValueError:
        return code
