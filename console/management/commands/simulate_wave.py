"""python manage.py simulate_wave WAVE_NUMBER --applicants N --seed S [--all-join] [--processes P] (DESIGN §9):
synthetic applicants (console/simulation.py)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from console.services import funnel_refresh
from console.simulation import ALL_JOIN, CONTINUE, wave_simulate
from waves.models import Wave, WaveStatus


class Command(BaseCommand):
    help = (
        "Fill a wave with N synthetic applicants who stop along the journey at realistic rates (rows as the services "
        "write them, personal data encrypted); demo and benchmarks only."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("wave_number", type=int)
        parser.add_argument("--applicants", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch-size", type=int, default=2_000)
        parser.add_argument(
            "--all-join", action="store_true", help="everyone takes every step and joins: N applicants, N enrollments"
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="share the batches among this many processes (PostgreSQL; 2 on a 2-core machine: about twice as fast)",
        )

    def handle(
        self, *args, wave_number: int, applicants: int, seed: int, batch_size: int, all_join: bool, **options
    ) -> None:
        wave = Wave.objects.filter(number=wave_number).first()
        if wave is None:
            raise CommandError(f"There is no wave {wave_number}.")
        status = wave.status_at(timezone.now())
        if status not in {WaveStatus.DRAFT, WaveStatus.OPEN, WaveStatus.CLOSED}:
            raise CommandError(
                f"Wave {wave_number} is {status}: its enrollments are selected already; simulate a wave not yet selected."
            )
        with tqdm(total=applicants, unit=" pendaftar", file=self.stderr._out, disable=options["verbosity"] < 1) as bar:
            result = wave_simulate(
                wave=wave,
                applicants=applicants,
                seed=seed,
                batch_size=batch_size,
                progress=bar.update,
                funnel=ALL_JOIN if all_join else CONTINUE,
                processes=options["processes"],
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Wave {wave_number}: {result.accounts:,} synthetic applicants written (seed {seed}); "
                f"{result.skipped:,} skipped (NIK, phone or email already held)."
            )
        )
        for step in ["accounts", *CONTINUE]:
            self.stdout.write(f"  {step:<16} {result.reached[step]:>10,}")
        # The console shows them at once rather than at beat's next minute.
        funnel_refresh(wave=wave)
