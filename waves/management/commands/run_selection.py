"""python manage.py run_selection WAVE_NUMBER [--seed S] (DESIGN §9)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from waves.errors import WaveError, WaveErrorCode
from waves.models import SeedCommitment, Wave, WaveStatus
from waves.progress import PHASE_LABELS, Progress
from waves.selection import SelectionFailed, selection_run


class Command(BaseCommand):
    help = "Run the selection of a closed wave in this process and print its figures. A selected wave is left as it is."

    def add_arguments(self, parser) -> None:
        parser.add_argument("wave_number", type=int)
        parser.add_argument(
            "--seed",
            type=int,
            default=None,
            help="for tests and benchmarks only: the lottery seed instead of the wave's committed one; refused for a "
            "wave with a published seed commitment (docs/LOTTERY.md)",
        )

    def handle(self, *args, wave_number: int, seed: int | None, **options) -> None:
        self._started = timezone.now()
        wave = Wave.objects.filter(number=wave_number).first()
        if wave is None:
            raise CommandError(f"There is no wave {wave_number}.")
        if seed is not None and SeedCommitment.objects.filter(wave=wave).exists():
            # The public was promised the committed seed: a seed by hand would make the published check fail,
            # or worse, let whoever runs the command pick an outcome.
            raise CommandError(
                f"Wave {wave.number} has a published seed commitment: its selection uses that seed, and --seed "
                "(for tests and benchmarks) is refused."
            )
        # One step of the bar per phase, on stderr (stdout keeps the figures); it shows the phase under way.
        with tqdm(
            total=None,
            file=self.stderr._out,
            disable=options["verbosity"] < 1,
            bar_format="{desc} {n_fmt}/{total_fmt} [{elapsed}]",
        ) as bar:

            def show(progress: Progress) -> None:
                bar.total = progress.total
                bar.n = len(progress.done)
                if progress.current:
                    bar.set_description_str(progress.current_label)  # also redraws the bar
                elif len(progress.done) == progress.total:
                    bar.set_description_str(_("selesai"))
                else:
                    bar.refresh()

            try:
                run = selection_run(wave=wave, acting_user=None, seed=seed, on_progress=show)
            except SelectionFailed as error:
                raise CommandError(f"Selection failed and left nothing behind: {error}") from None
            except WaveError as error:
                raise CommandError(self._refusal(wave, error)) from None
            except KeyboardInterrupt:
                raise CommandError(
                    f"Stopped. Wave {wave.number} is closed again with nothing written; run the command again "
                    "to select it."
                ) from None
        counts = run.counts
        if run.finished_at and run.started_at < self._started:
            self.stdout.write(f"Wave {wave.number} was already selected by run {run.pk}; nothing changed.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Wave {wave.number}: run {run.pk}, {self._seed_line(run)}: {counts['selected']:,} of "
                f"{counts['enrollments']:,} enrollments selected ({counts['from_pool']:,} from the national pool)."
            )
        )
        for phase in run.phases:
            label = str(PHASE_LABELS.get(phase["name"], phase["name"]))
            self.stdout.write(f"  {label:<36} {phase['seconds']:>8.3f} s")
        for reason, n in sorted(counts["reasons"].items()):
            self.stdout.write(f"  not selected, {reason:<24} {n:>10,}")

    @staticmethod
    def _seed_line(run) -> str:
        """The seed stays secret until the announcement: the command names the commitment it used instead."""
        if run.commitment_id:
            return f"seed committed as {run.commitment.commitment[:16]}…"
        return f"seed {run.seed} (given by hand, not committed)"

    @staticmethod
    def _refusal(wave: Wave, error: WaveError) -> str:
        """One line an operator can act on, for each reason a wave cannot be selected now."""
        if error.code == WaveErrorCode.SELECTION_RUNNING:
            return f"Wave {wave.number} is being selected by another process right now; wait for it to finish."
        if error.code == WaveErrorCode.BLIND_INDEX_ROTATING:
            return (
                f"Wave {wave.number} cannot be selected while the blind index key is being rotated "
                f"(PII_BLIND_INDEX_KEYS has {error.params['keys']} keys): finish manage.py pii_reindex, drop the "
                "old key, then select."
            )
        if error.code == WaveErrorCode.TRANSITION_NOT_ALLOWED:
            status = WaveStatus(wave.status_at(timezone.now())).label
            return f"Wave {wave.number} cannot be selected now: its status is {status!s}; only a closed wave can."
        return f"Wave {wave.number} cannot be selected: {error.code}."
