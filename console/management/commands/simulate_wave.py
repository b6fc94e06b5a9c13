"""python manage.py simulate_wave WAVE_NUMBER --applicants N --seed S (DESIGN §9): synthetic applicants."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from console.services import funnel_refresh
from console.simulation import CONTINUE, wave_simulate
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

    def handle(self, *args, wave_number: int, applicants: int, seed: int, batch_size: int, **options) -> None:
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
                wave=wave, applicants=applicants, seed=seed, batch_size=batch_size, progress=bar.update
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
