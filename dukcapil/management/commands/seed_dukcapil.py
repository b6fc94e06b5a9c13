"""Fill the mock civil registry with a reproducible population (DESIGN §3, §9)."""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from dukcapil.population import DEFAULT_AS_OF
from dukcapil.selectors import SAMPLE_KINDS, resident_sample
from dukcapil.services import registry_seed

SAMPLES_ORDINARY = 5


class Command(BaseCommand):
    help = (
        "Replace the mock Dukcapil registry with N generated residents in families. The same --residents, "
        "--seed and --as-of always give the same NIKs, names and families. Existing registry rows are "
        "deleted first, in the same transaction (the registry holds only generated data)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--residents", type=int, required=True, help="how many residents to generate")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument(
            "--batch-size", type=int, default=20_000, help="residents per COPY / bulk_create batch (default 20000)"
        )
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=DEFAULT_AS_OF,
            help=f"the date ages are counted at when generating (ISO, default {DEFAULT_AS_OF.isoformat()})",
        )
        parser.add_argument("--no-samples", action="store_true", help="do not print sample identities")

    def handle(self, *args, residents: int, seed: int, batch_size: int, as_of: date, **options) -> None:
        if residents < 0:
            raise CommandError("--residents must not be negative")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        with tqdm(
            total=residents, unit=" penduduk", unit_scale=True, file=sys.stderr, disable=options["verbosity"] < 1
        ) as bar:
            report = registry_seed(
                residents=residents, seed=seed, batch_size=batch_size, as_of=as_of, progress=bar.update
            )
        rate = report.residents / report.seconds if report.seconds else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Registry seeded: {report.residents:,} residents in {report.families:,} families "
                f"({report.method}, {report.seconds:.1f} s, {rate:,.0f} residents/s)."
            )
        )
        if not options["no_samples"] and report.residents:
            self._samples(seed)

    def _samples(self, seed: int) -> None:
        # Demo data, printed on purpose: identities a person can type into the portal to try it.
        self.stdout.write("\nIdentities to try (NIK | KK | birth date | name | mother | region):")
        for kind in SAMPLE_KINDS:
            count = SAMPLES_ORDINARY if kind == "ordinary" else 1
            for person in resident_sample(count=count, kind=kind, rng_seed=seed):
                self.stdout.write(
                    f"  [{kind}] {person['nik']} | {person['kk']} | {person['birth_date']} | "
                    f"{person['full_name']} | {person['mother_name']} | "
                    f"{person['district']}, {person['regency']}, {person['province']}"
                    + (f" | {person['occupation']}" if kind == "excluded" else "")
                )
