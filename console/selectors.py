"""What the operator console shows, each page in a fixed number of queries whatever the number of applicants,
provinces or runs: the funnels come from the snapshots (console/services.py), the runs from their recorded
counts, the outbox's health from two aggregates."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from console.funnel import STEP_NAMES, STEPS
from console.models import FunnelCount, FunnelSnapshot
from notifications.selectors import OutboxHealth, outbox_health
from regions.models import Province
from waves.models import RunStatus, SelectionRun, Wave, WaveStatus
from waves.progress import PhaseTiming, Progress
from waves.reasons import ResultReason
from waves.selectors import province_quotas_of, selection_progress, selection_runs_latest

NO_DOMICILE = _("Belum ada domisili")


@dataclass(frozen=True)
class StepFigure:
    name: str
    label: str
    count: int
    share: float  # of the first step, in percent
    drop: float | None  # lost since the step before, in percent of it (None for the first step)

    @property
    def bar_width(self) -> str:
        """The bar's length for the SVG (a plain number with a dot, never localised: it is an attribute)."""
        return f"{self.share:.2f}"


@dataclass(frozen=True)
class FunnelFigures:
    """One funnel drawn: a province's (``code`` None: the whole wave, or the accounts without domicile)."""

    code: str | None
    name: str
    steps: list[StepFigure]

    @property
    def counts(self) -> dict[str, int]:
        return {step.name: step.count for step in self.steps}


def funnel_figures(code: str | None, name: str, counts: dict[str, int]) -> FunnelFigures:
    first = counts.get(STEP_NAMES[0], 0)
    steps, previous = [], None
    for step, label in STEPS:
        n = counts.get(step, 0)
        share = 100.0 * n / first if first else 0.0
        drop = None if previous is None else (100.0 * (previous - n) / previous if previous else 0.0)
        steps.append(StepFigure(name=step, label=str(label), count=n, share=min(share, 100.0), drop=drop))
        previous = n
    return FunnelFigures(code=code, name=name, steps=steps)


@dataclass(frozen=True)
class WaveFunnel:
    snapshot: FunnelSnapshot | None
    total: FunnelFigures
    provinces: list[FunnelFigures]  # by name; the accounts without a domicile last


def provinces_by_code() -> dict[str, str]:
    return dict(Province.objects.values_list("code", "name"))


def wave_funnel(*, wave: Wave, snapshot: FunnelSnapshot | None, names: dict[str, str], quotas: dict[str, int]):
    """The wave's funnel and one per province from its snapshot (one query: the snapshot's rows). Every province
    with a quota is listed, with zeros if nobody lives there yet."""
    rows = list(snapshot.counts.all()) if snapshot else []
    per_province = {row.province_id: {step: getattr(row, step) for step in STEP_NAMES} for row in rows}
    total = {step: sum(counts[step] for counts in per_province.values()) for step in STEP_NAMES}
    codes = sorted((set(per_province) | set(quotas)) - {None}, key=lambda code: names.get(code, code))
    provinces = [funnel_figures(code, names.get(code, code), per_province.get(code, {})) for code in codes]
    if None in per_province:
        provinces.append(funnel_figures(None, str(NO_DOMICILE), per_province[None]))
    return WaveFunnel(snapshot=snapshot, total=funnel_figures(None, str(wave.label), total), provinces=provinces)


@dataclass(frozen=True)
class ProvinceResult:
    name: str
    enrollments: int
    selected: int
    quota: int


@dataclass(frozen=True)
class RunView:
    run: SelectionRun
    quota: int
    provinces: list[ProvinceResult]
    reasons: list[tuple[str, int]]  # (label, count), largest first
    progress: Progress | None  # a running run's phases, live

    @property
    def running(self) -> bool:
        return self.run.status == RunStatus.RUNNING

    @property
    def selected(self) -> int:
        return self.run.counts.get("selected", 0)

    @property
    def enrollments(self) -> int:
        return self.run.counts.get("enrollments", 0)

    @property
    def phases(self) -> list[PhaseTiming]:
        if self.progress is not None:
            return list(self.progress.done)
        return [PhaseTiming(phase["name"], phase["seconds"]) for phase in self.run.phases]


def run_view(run: SelectionRun, *, names: dict[str, str], quotas: dict[str, int]) -> RunView:
    counts = run.counts or {}
    per_province = counts.get("provinces", {})
    provinces = [
        ProvinceResult(
            name=names.get(code, code),
            enrollments=per_province.get(code, {}).get("enrollments", 0),
            selected=per_province.get(code, {}).get("selected", 0),
            quota=quotas.get(code, 0),
        )
        for code in set(per_province) | set(quotas)
    ]
    reasons = []
    for code, n in sorted(counts.get("reasons", {}).items(), key=lambda item: -item[1]):
        try:
            label = str(ResultReason(code).label)
        except ValueError:
            label = code
        reasons.append((label, n))
    return RunView(
        run=run,
        quota=sum(quotas.values()),
        provinces=sorted(provinces, key=lambda p: p.name),
        reasons=reasons,
        progress=selection_progress(run=run),
    )


@dataclass(frozen=True)
class WaveRow:
    wave: Wave
    status: str
    status_label: str
    joined: int | None  # from its snapshot; None before the first count
    selected: int | None


@dataclass(frozen=True)
class Console:
    waves: list[WaveRow]
    chosen: Wave | None
    funnel: WaveFunnel | None
    runs: list[RunView]
    outbox: OutboxHealth | None
    now: datetime

    @property
    def running(self) -> bool:
        """A selection is under way: the page refreshes itself while it is."""
        return any(view.running for view in self.runs)


def _wave_rows(waves: list[Wave], now: datetime) -> list[WaveRow]:
    totals = {
        row["snapshot__wave_id"]: row
        for row in FunnelCount.objects.filter(snapshot__wave__in=waves)
        .values("snapshot__wave_id")
        .annotate(joined=Sum("joined"), selected=Sum("selected"))
        .order_by()
    }
    rows = []
    for wave in waves:
        status = wave.status_at(now)
        total = totals.get(wave.pk, {})
        rows.append(
            WaveRow(
                wave=wave,
                status=status,
                status_label=str(WaveStatus(status).label),
                joined=total.get("joined"),
                selected=total.get("selected"),
            )
        )
    return rows


def _chosen_wave(waves: list[Wave], now: datetime) -> Wave | None:
    """The wave the console opens on: the latest one open now, else the latest published one."""
    published = [wave for wave in waves if wave.published_at is not None]
    open_now = [wave for wave in published if wave.status_at(now) == WaveStatus.OPEN]
    candidates = open_now or [wave for wave in published if wave.opens_at <= now] or published
    return max(candidates, key=lambda wave: wave.number) if candidates else None


def console_overview(*, now: datetime) -> Console:
    """/operator/: every wave's state, the funnel of the current wave, the latest runs and the outbox. Nine
    queries, however many waves, provinces, applicants or messages there are."""
    waves = list(Wave.objects.order_by("-number"))
    chosen = _chosen_wave(waves, now)
    return _console(waves=waves, chosen=chosen, runs=selection_runs_latest(limit=5), now=now, outbox=True)


def console_wave(*, wave: Wave, now: datetime) -> Console:
    """/operator/gelombang/<n>/: one wave's funnel per province and its runs. Five queries."""
    return _console(waves=[], chosen=wave, runs=selection_runs_latest(wave=wave, limit=5), now=now, outbox=False)


def _console(*, waves: list[Wave], chosen: Wave | None, runs: list[SelectionRun], now: datetime, outbox: bool):
    names = provinces_by_code()
    quotas = province_quotas_of(wave_ids={run.wave_id for run in runs} | ({chosen.pk} if chosen else set()))
    funnel = None
    if chosen is not None:
        snapshot = FunnelSnapshot.objects.filter(wave=chosen).first()
        funnel = wave_funnel(wave=chosen, snapshot=snapshot, names=names, quotas=quotas.get(chosen.pk, {}))
    return Console(
        waves=_wave_rows(waves, now) if waves else [],
        chosen=chosen,
        funnel=funnel,
        runs=[run_view(run, names=names, quotas=quotas.get(run.wave_id, {})) for run in runs],
        outbox=outbox_health(now=now) if outbox else None,
        now=now,
    )
